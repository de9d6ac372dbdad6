import { GetOrderQuerySchema } from '../schemas';
import type { ErrorCode } from '../errors';
import {
  actionOperation,
  bodyErrors,
  common,
  errorResponse,
  headers,
  idempotencyKeyParam,
  jsonBody,
  notFound,
  orderIdParam,
  queryParams,
  requestIdParam,
  returnIdParam,
  returnNotFound,
} from './parts';
import type { Json } from './parts';

const base = '/orders/{orderId}/returns/{returnId}';

/** The actions a return takes: those of an order, on the return's saga, and the parcel's arrival. */
const ACTIONS: [string, string, string, string, 'client' | 'operator', ErrorCode][] = [
  ['cancel', 'cancelReturn', 'Cancel a return', 'CancelOrder', 'client', 'CANCEL_REFUSED'],
  ['approve', 'approveReturn', 'Approve or reject a high refund', 'ApproveOrder', 'operator', 'NOT_AWAITING_APPROVAL'],
  [
    'retry-compensation',
    'retryReturnCompensation',
    'Retry a parked compensation of a return',
    'RetryCompensation',
    'operator',
    'NO_PARKED_COMPENSATION',
  ],
  [
    'skip-compensation',
    'skipReturnCompensation',
    'Skip a parked compensation of a return',
    'SkipCompensation',
    'operator',
    'NO_PARKED_COMPENSATION',
  ],
  ['retry-step', 'retryReturnStep', 'Retry a parked step of a return', 'RetryStep', 'operator', 'NO_PARKED_STEP'],
  ['resolve-step', 'resolveReturnStep', 'Resolve a parked step by hand', 'ResolveStep', 'operator', 'NO_PARKED_STEP'],
  ['restart', 'restartReturn', 'Restart a parked return from a step', 'Restart', 'operator', 'RESTART_REFUSED'],
];

const descriptions: Record<string, string> = {
  cancel:
    'Cancels the return while its parcel is awaited: the label is voided and the return closes CANCELLED. ' +
    'Refused (CANCEL_REFUSED) once the parcel is in: the refund is owed.',
  approve: 'Records the decision (by = your API key name) for a return whose refund reached the approval threshold.',
  'retry-compensation': 'As for an order, on the return saga.',
  'skip-compensation': 'As for an order, on the return saga.',
  'retry-step': 'Retries the step after the parcel (the pivot) that failed for good (FORWARD_FAILED).',
  'resolve-step': 'Marks the parked step after the parcel as done by hand (e.g. refunded by hand).',
  restart:
    'As for an order: a return parked after its parcel (FORWARD_FAILED) continues as a new run from `fromStep`, ' +
    'a step after awaitParcel up to the parked one.',
};

/** The paths of an order's returns: request one, read it, and its actions. */
export function returnPaths(): Json {
  const paths: Json = {
    '/orders/{orderId}/returns': {
      post: {
        tags: ['returns'],
        operationId: 'createReturn',
        summary: 'Return units of a completed order',
        description:
          'Starts the returns saga: the order service prices the return at what the order charged, a carrier ' +
          'label is issued, the parcel is awaited (RETURN_PARCEL_TIMEOUT, 14 days by default), then the units are ' +
          'restocked and refunded. A refund of at least RETURN_APPROVAL_THRESHOLD_MINOR waits for an operator ' +
          'first. The return id is derived from your tenant, the order and the Idempotency-Key: a retry answers ' +
          'the same return (Idempotent-Replay: true), another body under the key is 422. More units than the ' +
          'order has (across its open returns) end the saga COMPENSATED with failure.type RETURN_EXCEEDS_ORDER.' +
          '\n\nRole: client with a tenant.',
        parameters: [orderIdParam, idempotencyKeyParam('return you mean to make'), requestIdParam],
        requestBody: { required: true, content: jsonBody('CreateReturn') },
        responses: {
          202: {
            description: 'The return saga runs; follow it at statusUrl.',
            headers: { 'X-Request-Id': headers.requestId, Location: headers.location },
            content: jsonBody('ReturnAccepted'),
          },
          ...common,
          ...bodyErrors,
          400: errorResponse(
            ['VALIDATION_ERROR', 'INVALID_JSON', 'INVALID_IDEMPOTENCY_KEY'],
            'The body or the Idempotency-Key header is invalid.',
          ),
          403: errorResponse(['FORBIDDEN'], 'A global operator key belongs to no tenant and requests no returns.'),
          ...notFound,
          409: errorResponse(['ORDER_NOT_RETURNABLE'], 'The order did not complete (or has not yet).'),
          422: errorResponse(['IDEMPOTENCY_KEY_REUSED'], 'The Idempotency-Key was used with a different body.'),
        },
      },
    },
    [base]: {
      get: {
        tags: ['returns'],
        operationId: 'getReturn',
        summary: 'Get a return',
        description:
          'The state the return saga last published (no worker needed); with ?consistency=strong the running ' +
          "saga answers a Query. Another tenant's return, or a return id under another order, is 404." +
          '\n\nRole: client.',
        parameters: [orderIdParam, returnIdParam, ...queryParams(GetOrderQuerySchema), requestIdParam],
        responses: {
          200: { description: 'The return.', content: jsonBody('Return') },
          ...common,
          ...returnNotFound,
        },
      },
    },
    [`${base}/parcel-received`]: {
      post: actionOperation({
        action: 'receiveReturnParcel',
        summary: 'The parcel of a return is in',
        description:
          'The warehouse took the parcel in (by = your API key name): the point of no return; the saga restocks ' +
          'and refunds. Refused (PARCEL_REFUSED) unless the return is waiting for its parcel.',
        body: 'ParcelReceived',
        role: 'operator',
        refused: 'PARCEL_REFUSED',
        onReturn: true,
      }),
    },
  };
  for (const [path, action, summary, body, role, refused] of ACTIONS) {
    paths[`${base}/${path}`] = {
      post: actionOperation({ action, summary, description: descriptions[path]!, body, role, refused, onReturn: true }),
    };
  }
  return paths;
}
