import { z } from 'zod';
import type { ErrorCode } from '../errors';
import { schemaRegistry } from '../schemas';

// The pieces the API's OpenAPI document is built from: schema references, headers, error responses, parameters.

export type Json = Record<string, unknown>;

export const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
export const jsonBody = (id: string) => ({ 'application/json': { schema: ref(id) } });

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

export const headers = {
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

export function errorResponse(codes: ErrorCode[], description: string, extraHeaders: Json = {}): Json {
  return {
    description: `${description} Codes: ${codes.join(', ')}.`,
    headers: { 'X-Request-Id': headers.requestId, ...extraHeaders },
    content: jsonBody('Error'),
  };
}

export const common = {
  400: errorResponse(['VALIDATION_ERROR'], 'The request is invalid; details.issues lists each problem.'),
  401: errorResponse(['UNAUTHORIZED'], 'No API key, or an unknown one.'),
  429: errorResponse(['RATE_LIMITED'], 'Too many requests for this API key.', { 'Retry-After': headers.retryAfter }),
  // Answered by Node's HTTP server itself, before the API sees the request: no JSON body.
  431: { description: 'The request headers are larger than the server takes (16 KB); no body.' },
  500: errorResponse(['INTERNAL'], 'Unexpected; logged with the request id.'),
  503: errorResponse(['TEMPORAL_UNAVAILABLE'], 'Temporal is unreachable.', { 'Retry-After': headers.retryAfter }),
};
export const bodyErrors = {
  400: errorResponse(
    ['VALIDATION_ERROR', 'INVALID_JSON'],
    'The body is not JSON, or not valid; details.issues lists each problem.',
  ),
  413: errorResponse(['PAYLOAD_TOO_LARGE'], 'The body exceeds 64kb.'),
  415: errorResponse(['UNSUPPORTED_MEDIA_TYPE'], 'The body is not application/json.'),
};
export const notFound = { 404: errorResponse(['ORDER_NOT_FOUND'], 'No such order.') };

export const orderIdParam = {
  name: 'orderId',
  in: 'path',
  required: true,
  description: 'The order id returned by POST /orders (also its Temporal workflow id).',
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' },
};
export const returnIdParam = {
  name: 'returnId',
  in: 'path',
  required: true,
  description: 'The return id returned by POST /orders/{orderId}/returns (also its Temporal workflow id).',
  schema: { type: 'string', pattern: '^ret_[a-f0-9]{24}$' },
};
export const returnNotFound = {
  404: errorResponse(['ORDER_NOT_FOUND', 'RETURN_NOT_FOUND'], 'No such order, or no such return of it.'),
};
export const requestIdParam = { $ref: '#/components/parameters/RequestId' };

/** An Idempotency-Key as the API takes it: 1-200 printable ASCII characters, not all blank (requests.ts). */
const idempotencyKeySchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[!-~]([ -~]*[!-~])?$' };

/** The required Idempotency-Key header of a creating request (`what`: "order you mean to place"). */
export const idempotencyKeyParam = (what: string) => ({
  name: 'Idempotency-Key',
  in: 'header',
  required: true,
  description: `1-200 printable ASCII characters, unique per ${what}.`,
  schema: idempotencyKeySchema,
});

export function actionOperation(options: {
  action: string;
  summary: string;
  description: string;
  body: string;
  role: 'client' | 'operator';
  refused: ErrorCode;
  /** An action on one of the order's returns (default: on the order). */
  onReturn?: boolean;
}): Json {
  const closed: ErrorCode = options.onReturn ? 'RETURN_CLOSED' : 'ORDER_CLOSED';
  return {
    tags: [options.onReturn ? 'returns' : 'orders'],
    operationId: options.action,
    summary: options.summary,
    description: `${options.description}\n\nRole: ${options.role}. Sent as a workflow Update, so the answer is the outcome.`,
    parameters: [
      orderIdParam,
      ...(options.onReturn ? [returnIdParam] : []),
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Optional: the same key retries attach to the same Update (deduplicated by Temporal) and get its outcome.',
        schema: idempotencyKeySchema,
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
      ...(options.onReturn ? returnNotFound : notFound),
      409: errorResponse(
        [options.refused, closed],
        `${options.refused}: the workflow refused (message says why); ${closed}: the saga has ended.`,
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
export function queryParams(schema: z.ZodObject): Json[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { $schema: _schema, ...jsonSchema } = z.toJSONSchema(field as z.ZodType, { io: 'input' }) as Json;
    return { name, in: 'query', required: false, schema: jsonSchema };
  });
}

/**
 * A Server-Sent Events body. OpenAPI 3.1: `schema` describes one event: its name, optionally an id, and its data, a
 * JSON `dataSchema` or the OrderStreamError that ends a failed stream.
 */
export function eventStream(events: string[], dataSchema: string, idPattern?: string): Json {
  return {
    'text/event-stream': {
      schema: {
        type: 'object',
        required: ['data'],
        properties: {
          event: { type: 'string', enum: [...events, 'error'] },
          ...(idPattern ? { id: { type: 'string', pattern: idPattern } } : {}),
          retry: { type: 'integer' },
          data: {
            type: 'string',
            contentMediaType: 'application/json',
            contentSchema: { oneOf: [ref(dataSchema), ref('OrderStreamError')] },
          },
        },
      },
    },
  };
}
