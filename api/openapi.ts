import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import type { Router } from 'express';
import { z } from 'zod';
import { ERROR_STATUS, RETRY_AFTER_SECONDS } from './errors';
import type { ErrorCode } from './errors';
import { GetOrderQuerySchema, ListOrdersQuerySchema, OrderEventsQuerySchema, schemaRegistry } from './schemas';

type Json = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const jsonBody = (id: string) => ({ 'application/json': { schema: ref(id) } });

/** The component schemas, generated from the zod schemas registered in api/schemas.ts. */
export function componentSchemas(): Record<string, Json> {
  const { schemas } = z.toJSONSchema(schemaRegistry, {
    uri: (id) => `#/components/schemas/${id}`,
    io: 'input',
    unrepresentable: 'any',
  });
  const out: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = schema as Json;
    out[id] = rest;
  }
  return out;
}

const headers = {
  requestId: {
    description: 'The request id (yours if you sent a sane X-Request-Id, else generated); quote it in reports.',
    schema: { type: 'string' },
  },
  workflowId: {
    description: 'Correlation id: the order id, which is also its Temporal workflow id.',
    schema: { type: 'string' },
  },
  retryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  location: { description: 'The order status URL.', schema: { type: 'string' } },
  preferenceApplied: { description: 'The Prefer wait the answer used (clamped to 60).', schema: { type: 'string' } },
} as const;

function errorResponse(codes: ErrorCode[], description: string, extraHeaders: Json = {}): Json {
  return {
    description: `${description} Codes: ${codes.join(', ')}.`,
    headers: { 'X-Request-Id': headers.requestId, ...extraHeaders },
    content: jsonBody('Error'),
  };
}

const common = {
  400: errorResponse(['VALIDATION_ERROR'], 'The request is invalid; details.issues lists each problem.'),
  401: errorResponse(['UNAUTHORIZED'], 'No API key, or an unknown one.'),
  429: errorResponse(['RATE_LIMITED'], 'Too many requests for this API key.', { 'Retry-After': headers.retryAfter }),
  500: errorResponse(['INTERNAL'], 'Unexpected; logged with the request id.'),
  503: errorResponse(['TEMPORAL_UNAVAILABLE'], 'Temporal is unreachable.', { 'Retry-After': headers.retryAfter }),
};
const bodyErrors = {
  400: errorResponse(
    ['VALIDATION_ERROR', 'INVALID_JSON'],
    'The body is not JSON, or not valid; details.issues lists each problem.',
  ),
  413: errorResponse(['PAYLOAD_TOO_LARGE'], 'The body exceeds 64kb.'),
  415: errorResponse(['UNSUPPORTED_MEDIA_TYPE'], 'The body is not application/json.'),
};
const notFound = { 404: errorResponse(['ORDER_NOT_FOUND'], 'No such order.') };

const orderIdParam = {
  name: 'orderId',
  in: 'path',
  required: true,
  description: 'The order id returned by POST /orders (also its Temporal workflow id).',
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' },
};
const requestIdParam = { $ref: '#/components/parameters/RequestId' };

function actionOperation(options: {
  action: string;
  summary: string;
  description: string;
  body: string;
  role: 'client' | 'operator';
  refused: ErrorCode;
}): Json {
  return {
    tags: ['orders'],
    operationId: options.action,
    summary: options.summary,
    description: `${options.description}\n\nRole: ${options.role}. Sent as a workflow Update, so the answer is the outcome.`,
    parameters: [
      orderIdParam,
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Optional: the same key retries attach to the same Update (deduplicated by Temporal) and get its outcome.',
        schema: { type: 'string', minLength: 1, maxLength: 200 },
      },
      requestIdParam,
    ],
    requestBody: { required: options.body !== 'RetryCompensation', content: jsonBody(options.body) },
    responses: {
      200: {
        description: 'The Update completed: state is the saga state it returned.',
        headers: { 'X-Request-Id': headers.requestId, 'X-Workflow-Id': headers.workflowId },
        content: jsonBody('ActionResult'),
      },
      202: {
        description: 'Accepted, still running after UPDATE_TIMEOUT_MS (done=false); poll statusUrl.',
        headers: { 'X-Request-Id': headers.requestId, Location: headers.location },
        content: jsonBody('ActionResult'),
      },
      ...common,
      ...bodyErrors,
      ...(options.role === 'operator'
        ? { 403: errorResponse(['FORBIDDEN'], 'This action needs an operator key.') }
        : {}),
      ...notFound,
      409: errorResponse(
        [options.refused, 'ORDER_CLOSED'],
        `${options.refused}: the workflow refused (message says why); ORDER_CLOSED: the saga has ended.`,
      ),
      503: errorResponse(
        ['TEMPORAL_UNAVAILABLE', 'ORDER_NOT_RESPONDING'],
        'Temporal is unreachable, or the order did not take the Update in time (its worker may be down).',
        { 'Retry-After': headers.retryAfter },
      ),
    },
  };
}

/** A query schema's fields as OpenAPI query parameters. */
function queryParams(schema: z.ZodObject): Json[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { $schema: _schema, ...jsonSchema } = z.toJSONSchema(field as z.ZodType, { io: 'input' }) as Json;
    return { name, in: 'query', required: false, schema: jsonSchema };
  });
}

/** The OpenAPI 3.1 document of the API. */
export function openApiDocument(): Json {
  const queryParameters = queryParams(ListOrdersQuerySchema);
  return {
    openapi: '3.1.0',
    info: {
      title: 'sagaflow orders API',
      version: '1.0.0',
      description:
        'Starts and follows order-fulfillment sagas running on Temporal. Mutations are workflow Updates, so ' +
        'each answers its outcome. Every error has one shape with a stable code. See docs/API.md.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'orders', description: 'Order sagas' },
      { name: 'operations', description: 'Health, readiness and this document' },
    ],
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    paths: {
      '/orders': {
        post: {
          tags: ['orders'],
          operationId: 'createOrder',
          summary: 'Start an order saga',
          description:
            "Starts the order-fulfillment saga. The order id is derived from your key's tenant and the " +
            'Idempotency-Key, so a retry with the same key and body answers the same order (Idempotent-Replay: ' +
            'true), also with another key of the tenant (rotation), and never starts a second saga; the same key ' +
            'with another body is 422. With `Prefer: wait=N` the answer waits up to N seconds for the outcome.' +
            '\n\nRole: client with a tenant (a global operator key is 403).',
          parameters: [
            {
              name: 'Prefer',
              in: 'header',
              required: false,
              description:
                'wait=N (RFC 7240, N ≤ 60): wait up to N seconds for the saga to end; 200 with the final order if ' +
                'it did, else 202. Preference-Applied echoes the wait used.',
              schema: { type: 'string', example: 'wait=10' },
            },
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: true,
              description: '1-200 printable ASCII characters, unique per order you mean to place.',
              schema: { type: 'string', minLength: 1, maxLength: 200 },
            },
            requestIdParam,
          ],
          requestBody: { required: true, content: jsonBody('CreateOrder') },
          responses: {
            200: {
              description: 'Prefer: wait=N and the saga ended within N seconds: the final order.',
              headers: { 'X-Request-Id': headers.requestId, 'Preference-Applied': headers.preferenceApplied },
              content: jsonBody('Order'),
            },
            202: {
              description: 'The saga runs; follow it at statusUrl or its /events.',
              headers: {
                'X-Request-Id': headers.requestId,
                'X-Workflow-Id': headers.workflowId,
                Location: headers.location,
                'Idempotent-Replay': {
                  description: '"true" when this answers an earlier request.',
                  schema: { type: 'string' },
                },
              },
              content: jsonBody('OrderAccepted'),
            },
            ...common,
            ...bodyErrors,
            403: errorResponse(['FORBIDDEN'], 'A global operator key belongs to no tenant and creates no orders.'),
            400: errorResponse(
              ['VALIDATION_ERROR', 'INVALID_JSON', 'INVALID_IDEMPOTENCY_KEY'],
              'The body or the Idempotency-Key header is invalid.',
            ),
            422: errorResponse(['IDEMPOTENCY_KEY_REUSED'], 'The Idempotency-Key was used with a different body.'),
          },
        },
        get: {
          tags: ['orders'],
          operationId: 'listOrders',
          summary: 'List orders',
          description:
            "One page of your tenant's orders (a global operator: every tenant's) from Temporal visibility " +
            '(search attributes TenantId, OrderStatus and CustomerId); eventually consistent.\n\nRole: client.',
          parameters: [...queryParameters, requestIdParam],
          responses: {
            200: { description: 'A page of orders.', content: jsonBody('OrderList') },
            ...common,
          },
        },
      },
      '/orders/{orderId}': {
        get: {
          tags: ['orders'],
          operationId: 'getOrder',
          summary: 'Get an order',
          description:
            'The state the saga last published (memo and search attributes, read from Temporal without a ' +
            'worker); with ?consistency=strong the running saga answers a Query itself (statusSource says ' +
            "which). Another tenant's order is 404, like no order. Client keys see failure types, not failure " +
            'texts.\n\nRole: client.',
          parameters: [orderIdParam, ...queryParams(GetOrderQuerySchema), requestIdParam],
          responses: {
            200: {
              description: 'The order.',
              headers: { 'X-Request-Id': headers.requestId, 'X-Workflow-Id': headers.workflowId },
              content: jsonBody('Order'),
            },
            ...common,
            ...notFound,
          },
        },
      },
      '/orders/{orderId}/events': {
        get: {
          tags: ['orders'],
          operationId: 'orderEvents',
          summary: "Follow an order's status changes",
          description:
            'Server-Sent Events (text/event-stream): a `status` event for each saga status change (from the ' +
            'start), then one `end` event with the final order, then the stream closes. Each event id is a ' +
            'history event id: reconnect with Last-Event-ID (EventSource does) to resume. A stream is closed after ' +
            'EVENTS_STREAM_MAX_SECONDS. With ?wait=N it is a long-poll answering JSON instead.\n\nRole: client.',
          parameters: [
            orderIdParam,
            ...queryParams(OrderEventsQuerySchema),
            {
              name: 'Last-Event-ID',
              in: 'header',
              required: false,
              description: 'Resume after this event id (as ?after=).',
              schema: { type: 'string' },
            },
            requestIdParam,
          ],
          responses: {
            200: {
              description: 'The stream (OrderEvent as each data line), or with ?wait=N a page of events.',
              headers: { 'X-Request-Id': headers.requestId },
              content: {
                'text/event-stream': { schema: ref('OrderEvent') },
                'application/json': { schema: ref('OrderEventPage') },
              },
            },
            ...common,
            ...notFound,
          },
        },
      },
      '/orders/{orderId}/cancel': {
        post: actionOperation({
          action: 'cancelOrder',
          summary: 'Cancel an order',
          description:
            'Cancels the order and waits until every compensation has run. Refused (CANCEL_REFUSED) past the ' +
            'point of no return (payment captured).',
          body: 'CancelOrder',
          role: 'client',
          refused: 'CANCEL_REFUSED',
        }),
      },
      '/orders/{orderId}/approve': {
        post: actionOperation({
          action: 'approveOrder',
          summary: 'Approve or reject an order waiting for manual approval',
          description: 'Records the decision (by = your API key name) for an order in AWAITING_APPROVAL.',
          body: 'ApproveOrder',
          role: 'operator',
          refused: 'NOT_AWAITING_APPROVAL',
        }),
      },
      '/orders/{orderId}/retry-compensation': {
        post: actionOperation({
          action: 'retryCompensation',
          summary: 'Retry a parked compensation',
          description:
            'Retries the parked compensation(s) of a saga in COMPENSATION_FAILED; completes when they succeed ' +
            'or park again.',
          body: 'RetryCompensation',
          role: 'operator',
          refused: 'NO_PARKED_COMPENSATION',
        }),
      },
      '/orders/{orderId}/skip-compensation': {
        post: actionOperation({
          action: 'skipCompensation',
          summary: 'Skip a parked compensation',
          description: 'Skips the parked compensation(s), recording the reason and who decided (e.g. fixed by hand).',
          body: 'SkipCompensation',
          role: 'operator',
          refused: 'NO_PARKED_COMPENSATION',
        }),
      },
      '/orders/{orderId}/retry-step': {
        post: actionOperation({
          action: 'retryStep',
          summary: 'Retry a parked step after the pivot',
          description:
            'Retries the step after the point of no return that failed for good (FORWARD_FAILED; the payment stays ' +
            'captured) with a fresh idempotency key; completes when it succeeds or parks again.',
          body: 'RetryStep',
          role: 'operator',
          refused: 'NO_PARKED_STEP',
        }),
      },
      '/orders/{orderId}/resolve-step': {
        post: actionOperation({
          action: 'resolveStep',
          summary: 'Resolve a parked step after the pivot by hand',
          description:
            'Marks the parked step as done by hand, recording the reason and who decided; the saga moves on to ' +
            'its next step.',
          body: 'ResolveStep',
          role: 'operator',
          refused: 'NO_PARKED_STEP',
        }),
      },
      '/health': {
        get: {
          tags: ['operations'],
          operationId: 'health',
          summary: 'Liveness',
          security: [],
          responses: { 200: { description: 'The process answers.', content: jsonBody('Health') } },
        },
      },
      '/ready': {
        get: {
          tags: ['operations'],
          operationId: 'ready',
          summary: 'Readiness: Temporal answers',
          security: [],
          responses: {
            200: { description: 'Temporal answers.', content: jsonBody('Ready') },
            503: {
              description: 'Temporal does not answer.',
              headers: { 'Retry-After': headers.retryAfter },
              content: jsonBody('Ready'),
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          tags: ['operations'],
          operationId: 'openapi',
          summary: 'This document',
          security: [],
          responses: { 200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': {} } } },
        },
      },
      '/docs': {
        get: {
          tags: ['operations'],
          operationId: 'docs',
          summary: 'Interactive documentation (Swagger UI)',
          security: [],
          responses: { 200: { description: 'An HTML page.', content: { 'text/html': {} } } },
        },
      },
    },
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
          description: 'Your request id (1-128 of [A-Za-z0-9._:-]); echoed back, generated when absent or not sane.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
        },
      },
    },
    'x-error-codes': Object.fromEntries(Object.entries(ERROR_STATUS)),
    'x-retry-after-seconds': RETRY_AFTER_SECONDS,
  };
}

const swaggerUiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const docsPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>sagaflow orders API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

const initScript = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/** GET /openapi.json and the Swagger UI page at GET /docs (assets from swagger-ui-dist, no CDN). */
export function docsRouter(): Router {
  const document = JSON.stringify(openApiDocument());
  // Fail at startup rather than on the first request if the package is incomplete.
  if (!existsSync(path.join(swaggerUiDir, 'swagger-ui-bundle.js'))) throw new Error('swagger-ui-dist is incomplete');
  const router = express.Router();
  const csp = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  router.get('/docs', (_req, res) => {
    res.setHeader('Content-Security-Policy', csp);
    res.type('html').send(docsPage);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(initScript);
  });
  router.use('/docs/assets', express.static(swaggerUiDir, { index: false, fallthrough: true, maxAge: '1h' }));
  return router;
}
