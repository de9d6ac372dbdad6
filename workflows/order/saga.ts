import type { ActivityOptions } from '@temporalio/common';
import type { OrderActivities } from '../../activities/types';
import { BUSINESS_ERROR_CODES } from '../../lib/business-errors';
import { ORDER_ACTIVITY_LANES } from '../../lib/task-queues';
import { activityCall, PATCHES } from '@sagaflow/saga';
import type { SagaDefinition } from '@sagaflow/saga';
import { awaitApproval } from '../shared/approval';
import { STEP_EXECUTION } from '../shared/step-execution';
import type { OrderContext } from './types';

// Every service call is a short idempotent HTTP request: the textbook local activity (docs/SAGAS.md, per step).
const call = activityCall<OrderActivities, OrderContext>(ORDER_ACTIVITY_LANES, STEP_EXECUTION);
const nonRetryableErrorTypes = [...BUSINESS_ERROR_CODES];

/** A forward step calling a service: a few quick retries for transient faults, business errors fail at once. */
const forward: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  heartbeatTimeout: '5 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes,
  },
};

/** After the pivot: retried until it succeeds (only a bug can make it fail for good). */
const forwardOnly: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes },
};

/** Compensations try harder than forward steps before parking the saga for an operator. */
const compensation: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  heartbeatTimeout: '5 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes,
  },
};

/** Capture keeps retrying transient faults until the payment deadline timer decides. */
const capture: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes },
};

/** The options of the order saga's calls (the bench's hand-written order workflow declares the same). */
export const ORDER_CALL_OPTIONS = { forward, forwardOnly, compensation, capture } as const;

const ids = (ctx: OrderContext, idempotencyKey: string) => ({ orderId: ctx.input.orderId, idempotencyKey });
const closeReason = (state: { cancellation?: { reason: string }; failure?: { type: string } }) =>
  state.cancellation?.reason ?? state.failure?.type ?? 'compensated';

/** Order fulfillment: create order → reserve stock → (approval) → authorize → capture → paid and commit → confirm. */
export const orderSaga: SagaDefinition<OrderContext> = {
  name: 'order-fulfillment',
  // The order service never reopens a closed order, nor the payment service a voided payment: undone is final.
  noRestartAfterCompensation:
    'a compensated order is closed for good at the services (order closed, stock released, payment voided or ' +
    'refunded); place a new order',
  compensationOrder: { kind: 'reverse' },
  // The services refuse a key reused with another request: the first request under it was applied.
  keepKeyOn: ['IDEMPOTENCY_KEY_REUSED'],
  steps: [
    {
      name: 'createOrder',
      action: call(
        'createOrder',
        { ...forward, summary: 'create order' },
        (ctx, key) => ({
          ...ids(ctx, key),
          customerId: ctx.input.customerId,
          currency: ctx.input.currency,
          items: ctx.input.items,
        }),
        (ctx, order) => {
          ctx.order = order;
        },
      ),
      compensation: call('closeOrder', { ...compensation, summary: 'close order' }, (ctx, key, state) => ({
        ...ids(ctx, key),
        status: state.cancellation ? 'CANCELLED' : 'COMPENSATED',
        reason: closeReason(state),
      })),
      // ORDER_ID_REUSED, ORDER_EXISTS (the same id with other content): the order is another saga's, and closing it
      // would undo that saga's work. ORDER_CLOSED: the order was closed before it existed (a tombstone, e.g. left by
      // this saga's own close in a workflow task that was lost): there is no order, and closing again under the
      // step's key with another reason would be refused.
      noEffectOn: [
        'ORDER_ID_REUSED',
        { type: 'ORDER_CLOSED', patch: PATCHES.orderClosedNoEffect },
        { type: 'ORDER_EXISTS', patch: PATCHES.orderExistsNoEffect },
      ],
    },
    {
      name: 'reserveInventory',
      action: call('reserveInventory', { ...forward, summary: 'reserve stock' }, (ctx, key) => ({
        ...ids(ctx, key),
        items: ctx.input.items,
      })),
      compensation: call('releaseInventory', { ...compensation, summary: 'release stock' }, ids),
    },
    {
      name: 'markReserved',
      action: call('setOrderStatus', { ...forward, summary: 'order RESERVED' }, (ctx, key) => ({
        ...ids(ctx, key),
        status: 'RESERVED',
      })),
    },
    {
      name: 'awaitApproval',
      when: (ctx) => (ctx.order?.totalMinor ?? 0) >= ctx.input.approvalThresholdMinor,
      action: { local: (ctx, saga) => awaitApproval(ctx, ctx.input.approvalTimeout, saga) },
    },
    {
      name: 'authorizePayment',
      action: call('authorizePayment', { ...forward, summary: 'authorize payment' }, (ctx, key) => ({
        ...ids(ctx, key),
        customerId: ctx.input.customerId,
        amountMinor: ctx.order!.totalMinor,
        currency: ctx.order!.currency,
        paymentMethod: ctx.input.paymentMethod,
      })),
      compensation: call('cancelPayment', { ...compensation, summary: 'void or refund payment' }, ids),
    },
    {
      name: 'capturePayment',
      action: call('capturePayment', { ...capture, summary: 'capture payment' }, ids),
      deadline: (ctx: OrderContext) => ctx.input.paymentDeadline,
      pivot: true,
    },
    // Marking the order paid and committing its stock need nothing of each other: they run at once.
    {
      name: 'markPaid',
      action: call('setOrderStatus', { ...forwardOnly, summary: 'order PAID' }, (ctx, key) => ({
        ...ids(ctx, key),
        status: 'PAID',
      })),
      group: 'paid',
    },
    {
      name: 'commitInventory',
      action: call('commitInventory', { ...forwardOnly, summary: 'commit stock' }, ids),
      group: 'paid',
    },
    {
      name: 'confirmOrder',
      action: call('setOrderStatus', { ...forwardOnly, summary: 'order CONFIRMED' }, (ctx, key) => ({
        ...ids(ctx, key),
        status: 'CONFIRMED',
      })),
    },
  ],
};
