import { ERROR_STATUS, RETRY_AFTER_SECONDS } from '../errors';
import { bulkOperationPaths } from './bulk-operation-paths';
import { operationPaths } from './operation-paths';
import { orderPaths } from './order-paths';
import { returnPaths } from './return-paths';
import { componentSchemas } from './parts';
import type { Json } from './parts';

/** The OpenAPI 3.1 document of the API. */
export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'sagaflow orders API',
      version: '1.0.0',
      description:
        'Starts and follows order-fulfillment and returns sagas running on Temporal. Mutations are workflow Updates, so ' +
        'each answers its outcome. Every error has one shape with a stable code. See docs/API.md.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'orders', description: 'Order sagas' },
      { name: 'returns', description: 'Returns and refunds of completed orders' },
      { name: 'bulk operations', description: 'One operator action on every saga a filter matches' },
      { name: 'operations', description: 'Health, readiness and this document' },
    ],
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    paths: { ...orderPaths(), ...returnPaths(), ...bulkOperationPaths(), ...operationPaths() },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      parameters: {
        RequestId: {
          name: 'X-Request-Id',
          in: 'header',
          required: false,
          // Any value is taken (the header is a correlation aid, never a reason to refuse a request): one that is
          // not 1-128 of [A-Za-z0-9._:-] is replaced by a generated id, which the answer echoes.
          description:
            'Your request id: 1-128 of [A-Za-z0-9._:-] is echoed back and logged; anything else (or none) is ' +
            'replaced by a generated id, echoed back the same way.',
          schema: { type: 'string' },
        },
      },
    },
    'x-error-codes': Object.fromEntries(Object.entries(ERROR_STATUS)),
    'x-retry-after-seconds': RETRY_AFTER_SECONDS,
  };
}
