import type { ActivityOptions } from '@temporalio/common';
import { ApplicationFailure, condition, isCancellation, patched } from '@temporalio/workflow';
import type { ReturnActivities, ReturnClosing } from '../../activities/return-types';
import { BUSINESS_ERROR_CODES } from '../../lib/business-errors';
import { RETURN_ACTIVITY_LANES } from '../../lib/task-queues';
import { activityCall, PATCHES } from '@sagaflow/saga';
import type { SagaDefinition, SagaState } from '@sagaflow/saga';
import { awaitApproval } from '../shared/approval';
import { STEP_EXECUTION } from '../shared/step-execution';
import type { ReturnContext } from './types';

// Every service call is a short idempotent HTTP request: the textbook local activity (docs/SAGAS.md, per step).
const call = activityCall<ReturnActivities, ReturnContext>(RETURN_ACTIVITY_LANES, STEP_EXECUTION);
const nonRetryableErrorTypes = [...BUSINESS_ERROR_CODES];
const base = { startToCloseTimeout: '10 seconds', heartbeatTimeout: '5 seconds' } as const;

/** A forward step: a few quick retries for transient faults, business errors fail at once. */
const forward: ActivityOptions = {
  ...base,
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes },
};
/** After the parcel is in: transient faults retry until the service is back; a business answer parks the step. */
const untilAnswered: ActivityOptions = {
  ...base,
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes },
};
/** Compensations try harder than forward steps before parking the saga for an operator. */
const compensation: ActivityOptions = {
  ...base,
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes },
};

const ids = (ctx: ReturnContext, idempotencyKey: string) => ({ returnId: ctx.input.returnId, idempotencyKey });

/** How a return closes when its saga compensates: what the customer and the warehouse are told. */
function closing(state: SagaState): { status: ReturnClosing; reason: string } {
  if (state.cancellation) return { status: 'CANCELLED', reason: state.cancellation.reason };
  const type = state.failure?.type;
  if (type === 'PARCEL_NOT_RECEIVED' || type === 'APPROVAL_TIMEOUT')
    return { status: 'EXPIRED', reason: state.failure!.message };
  if (type === 'APPROVAL_REJECTED') return { status: 'REJECTED', reason: state.failure!.message };
  return { status: 'CANCELLED', reason: type ?? 'compensated' };
}

/**
 * Returns and refunds: request the return (priced by the order service) → an operator's approval for a high refund
 * → issue the carrier label → wait for the parcel (days; the pivot) → mark it received → restock and refund at once (partial:
 * the returned units) → mark refunded. Until the parcel is in, a failure or a cancel compensates: the label is
 * voided and the return closes CANCELLED, EXPIRED or REJECTED. Once it is in the customer is owed the money: the
 * steps retry until answered, a business refusal parks the saga for an operator, and cancel is refused.
 */
export const returnSaga: SagaDefinition<ReturnContext> = {
  name: 'order-return',
  noRestartAfterCompensation:
    'a compensated return is closed for good at the order service (CANCELLED, REJECTED or EXPIRED, its label ' +
    'voided); request a new return',
  compensationOrder: { kind: 'reverse' },
  // The services refuse a key reused with another request: the first request under it was applied.
  keepKeyOn: ['IDEMPOTENCY_KEY_REUSED'],
  steps: [
    {
      name: 'requestReturn',
      action: call(
        'requestReturn',
        { ...forward, summary: 'request return' },
        (ctx, key) => ({
          ...ids(ctx, key),
          orderId: ctx.input.orderId,
          items: ctx.input.items,
          ...(ctx.input.reason ? { reason: ctx.input.reason } : {}),
        }),
        (ctx, requested) => {
          ctx.requested = requested;
        },
      ),
      compensation: call('closeReturn', { ...compensation, summary: 'close return' }, (ctx, key, state) => ({
        ...ids(ctx, key),
        ...closing(state),
      })),
      // The return is another saga's (the same id, with the same or with other content): closing it would undo that
      // saga's work.
      noEffectOn: ['RETURN_ID_REUSED', { type: 'RETURN_EXISTS', patch: PATCHES.returnExistsNoEffect }],
    },
    {
      name: 'awaitApproval',
      when: (ctx) => (ctx.requested?.refundMinor ?? 0) >= ctx.input.approvalThresholdMinor,
      action: { local: (ctx, saga) => awaitApproval(ctx, ctx.input.approvalTimeout, saga) },
    },
    {
      name: 'createLabel',
      action: call('createReturnLabel', { ...forward, summary: 'issue label' }, ids, (ctx, label) => {
        ctx.trackingNumber = label.trackingNumber;
      }),
      compensation: call('voidReturnLabel', { ...compensation, summary: 'void label' }, ids),
    },
    {
      name: 'awaitParcel',
      action: {
        local: async (ctx) => {
          try {
            await condition(() => ctx.parcel !== undefined, ctx.input.parcelTimeout);
          } catch (err) {
            // The parcel Update was taken in the workflow task that cancelled the workflow: the goods are in.
            if (!(isCancellation(err) && ctx.parcel && patched(PATCHES.updateOutcomeNotCancellable))) throw err;
          }
          if (!ctx.parcel) {
            throw ApplicationFailure.nonRetryable(
              `no parcel within ${String(ctx.input.parcelTimeout)} of the label`,
              'PARCEL_NOT_RECEIVED',
            );
          }
        },
      },
      // The goods are back: from here the customer is owed the refund, so the saga only moves forward.
      pivot: true,
    },
    {
      name: 'markReceived',
      action: call('setReturnStatus', { ...untilAnswered, summary: 'return RECEIVED' }, (ctx, key) => ({
        ...ids(ctx, key),
        status: 'RECEIVED',
      })),
    },
    // Restocking and refunding touch different services and need nothing of each other: they run at once.
    {
      name: 'restock',
      action: call('restockReturn', { ...untilAnswered, summary: 'restock units' }, (ctx, key) => ({
        ...ids(ctx, key),
        orderId: ctx.input.orderId,
        items: ctx.input.items,
      })),
      group: 'settle',
    },
    {
      name: 'refund',
      action: call('refundReturn', { ...untilAnswered, summary: 'refund payment' }, (ctx, key) => ({
        ...ids(ctx, key),
        orderId: ctx.input.orderId,
        amountMinor: ctx.requested!.refundMinor,
      })),
      group: 'settle',
    },
    {
      name: 'markRefunded',
      action: call('setReturnStatus', { ...untilAnswered, summary: 'return REFUNDED' }, (ctx, key) => ({
        ...ids(ctx, key),
        status: 'REFUNDED',
      })),
    },
  ],
};
