import { GetOrderQuerySchema, ListOrdersQuerySchema, OrderEventsQuerySchema } from '../schemas';
import {
  actionOperation,
  bodyErrors,
  common,
  errorResponse,
  eventStream,
  headers,
  idempotencyKeyParam,
  jsonBody,
  notFound,
  orderIdParam,
  queryParams,
  ref,
  requestIdParam,
} from './parts';
import type { Json } from './parts';

/** The paths of orders: create, list, read, follow, and the actions on one order. */
export function orderPaths(): Json {
  const queryParameters = queryParams(ListOrdersQuerySchema);
  return {
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
          idempotencyKeyParam('order you mean to place'),
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
              ...eventStream(['status', 'end'], 'OrderEvent', '^\\d+$'),
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
    '/orders/{orderId}/restart': {
      post: actionOperation({
        action: 'restartOrder',
        summary: 'Restart a parked order from a step',
        description:
          'For an order parked after the point of no return (FORWARD_FAILED), once the cause is fixed (new code, a ' +
          'service repaired): the saga continues as a new run of the same workflow from `fromStep`, a step after ' +
          'the pivot up to the parked one. Steps before it are not run again (their results are carried); steps ' +
          'from it whose effect stands run under their own idempotency keys (the services answer what they did), ' +
          'the parked one under a fresh key. Answers the state the new run starts from. A compensated order is not ' +
          'restarted (ORDER_CLOSED): it is closed for good at the services.',
        body: 'Restart',
        role: 'operator',
        refused: 'RESTART_REFUSED',
      }),
    },
  };
}
