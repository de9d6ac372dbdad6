import {
  bodyErrors,
  common,
  errorResponse,
  eventStream,
  headers,
  idempotencyKeyParam,
  jsonBody,
  requestIdParam,
} from './parts';
import type { Json } from './parts';

const operationIdParam = {
  name: 'operationId',
  in: 'path',
  required: true,
  description: 'The operation id returned by POST /operations (also its Temporal workflow id).',
  schema: { type: 'string', pattern: '^op_[a-f0-9]{24}$' },
};
const forbidden = { 403: errorResponse(['FORBIDDEN'], 'Bulk operations need an operator key.') };
const operationNotFound = { 404: errorResponse(['OPERATION_NOT_FOUND'], 'No such operation.') };
const view = (description: string) => ({
  description,
  headers: { 'X-Request-Id': headers.requestId },
  content: jsonBody('OperationView'),
});

function control(action: 'pause' | 'resume' | 'cancel', summary: string, description: string): Json {
  return {
    post: {
      tags: ['bulk operations'],
      operationId: `${action}Operation`,
      summary,
      description: `${description}\n\nRole: operator. Sent as an Update of the operation; its audit trail keeps who and why.`,
      parameters: [operationIdParam, requestIdParam],
      requestBody: { required: false, content: jsonBody('OperationControl') },
      responses: {
        200: view('The operation after the Update.'),
        ...common,
        ...bodyErrors,
        ...forbidden,
        ...operationNotFound,
        409: errorResponse(['OPERATION_REFUSED'], 'The operation has ended, or is not in a state this applies to.'),
      },
    },
  };
}

/** Bulk operations: one operator action on every saga a filter matches, as a durable workflow. */
export function bulkOperationPaths(): Json {
  return {
    '/operations': {
      post: {
        tags: ['bulk operations'],
        operationId: 'createOperation',
        summary: 'Act on every saga a filter matches',
        description:
          'Sends one operator action (retry-step, resolve-step, retry-compensation, skip-compensation, restart, ' +
          'cancel) to every running saga of a type in a status, optionally parked on a step for a failure type and ' +
          'started in a time range. dryRun answers the sagas it would act on now (200). Otherwise the operation runs ' +
          'as a Temporal workflow of its own (202): it lists its targets once, sends each its Update (under the ' +
          'operation id, once per saga) with bounded concurrency and rate, and records each outcome; follow it at ' +
          'statusUrl. A tenant-scoped key acts on its tenant only.\n\nRole: operator.',
        parameters: [idempotencyKeyParam('operation you mean to run'), requestIdParam],
        requestBody: { required: true, content: jsonBody('CreateOperation') },
        responses: {
          200: {
            description: 'Dry run: the sagas it would act on.',
            headers: { 'X-Request-Id': headers.requestId },
            content: jsonBody('OperationDryRun'),
          },
          202: {
            description: 'The operation runs (or was started before with this key and body).',
            headers: { 'X-Request-Id': headers.requestId, Location: headers.location },
            content: jsonBody('OperationAccepted'),
          },
          ...common,
          ...bodyErrors,
          400: errorResponse(
            ['VALIDATION_ERROR', 'INVALID_JSON', 'INVALID_IDEMPOTENCY_KEY'],
            'The body is not JSON or not valid, or the Idempotency-Key is missing or malformed.',
          ),
          ...forbidden,
          422: errorResponse(
            ['IDEMPOTENCY_KEY_REUSED', 'TOO_MANY_TARGETS'],
            'The key started another operation; or more sagas match than one operation takes (narrow the filter).',
          ),
        },
      },
    },
    '/operations/{operationId}': {
      get: {
        tags: ['bulk operations'],
        operationId: 'getOperation',
        summary: 'Follow a bulk operation',
        description: "Progress, each saga's outcome and the audit trail.\n\nRole: operator.",
        parameters: [operationIdParam, requestIdParam],
        responses: { 200: view('The operation.'), ...common, ...forbidden, ...operationNotFound },
      },
    },
    '/operations/{operationId}/events': {
      get: {
        tags: ['bulk operations'],
        operationId: 'operationEvents',
        summary: 'Follow a bulk operation as it runs',
        description:
          'Server-Sent Events (text/event-stream): a `progress` event with the whole operation now and whenever it ' +
          "changes (a saga's outcome, a pause, a resume), then one `end` event once it has ended, then the stream " +
          'closes (also after EVENTS_STREAM_MAX_SECONDS). Each event is the whole operation: a client that reconnects ' +
          'needs no event id.\n\nRole: operator.',
        parameters: [operationIdParam, requestIdParam],
        responses: {
          200: {
            description:
              'The stream: each data line an OperationEvent, or the OrderStreamError that ends a failed one.',
            headers: { 'X-Request-Id': headers.requestId },
            content: eventStream(['progress', 'end'], 'OperationEvent'),
          },
          ...common,
          ...forbidden,
          ...operationNotFound,
        },
      },
    },
    '/operations/{operationId}/pause': control('pause', 'Pause a bulk operation', 'No Update starts until resumed.'),
    '/operations/{operationId}/resume': control('resume', 'Resume a paused bulk operation', 'It goes on.'),
    '/operations/{operationId}/cancel': control(
      'cancel',
      'Cancel a bulk operation',
      'No further saga is touched: those not reached are reported not-run.',
    ),
  };
}
