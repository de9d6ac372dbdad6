import { condition, patched, setHandler } from '@temporalio/workflow';
import { PATCHES, SagaRun, setOperatorHandlers, isParked, isTerminal } from '../../packages/saga';
import type { SagaDefinition } from '../../packages/saga';
import {
  approveUpdate,
  cancelUpdate,
  resolveStepUpdate,
  retryCompensationUpdate,
  retryStepUpdate,
  sagaStateQuery,
  skipCompensationUpdate,
} from './messages';
import { createPublisher } from './publish';
import { orderSaga } from './saga';
import { resolveOrderInput } from './types';
import type { OrderContext, OrderInput, OrderResult } from './types';

/** The order-fulfillment saga. Workflow id = order id, so one order can never run two sagas at once. */
export function orderFulfillment(input: OrderInput): Promise<OrderResult> {
  return runOrderFulfillment(orderSaga, input);
}

/** The order workflow's body over a saga definition (tests run variants of the order saga with it). */
export async function runOrderFulfillment(
  definition: SagaDefinition<OrderContext>,
  input: OrderInput,
): Promise<OrderResult> {
  // Defaults are resolved once, here: a default changed later never changes this saga.
  const ctx: OrderContext = { input: resolveOrderInput(input) };
  const saga = new SagaRun(definition, ctx, createPublisher(ctx));
  const settled = () => isTerminal(saga.state.status) || isParked(saga.state.status);

  setHandler(sagaStateQuery, () => saga.state);

  setHandler(
    cancelUpdate,
    async ({ reason }) => {
      saga.cancel(reason);
      await condition(settled);
      return saga.state;
    },
    {
      validator: ({ reason }) => {
        if (!reason?.trim()) throw new Error('a cancellation needs a reason');
        const refusal = saga.cancelRefusal();
        if (refusal) throw new Error(`cannot cancel: ${refusal}`);
      },
    },
  );

  setHandler(
    approveUpdate,
    async (decision) => {
      ctx.approval = { ...decision, at: Date.now() };
      // Sagas that took a decision before the patch answered at once, with the state still AWAITING_APPROVAL.
      if (!patched(PATCHES.approveAnswersAfterDecision)) return saga.state;
      // Approved: the saga moves on in this same workflow task (RUNNING, or later if something else happened).
      // Rejected: the saga compensates; like cancel, the answer waits until it has settled (COMPENSATED, or
      // COMPENSATION_FAILED when a compensation parks), so the approver learns the outcome of the rejection.
      await condition(decision.approved ? () => saga.state.status !== 'AWAITING_APPROVAL' : settled);
      return saga.state;
    },
    {
      validator: ({ by }) => {
        if (saga.state.status !== 'AWAITING_APPROVAL')
          throw new Error(`order is ${saga.state.status}, not AWAITING_APPROVAL`);
        // The first decision wins, also when two land in the same workflow task (the status has not moved yet).
        if (ctx.approval) throw new Error(`order was already ${ctx.approval.approved ? 'approved' : 'rejected'}`);
        if (!by?.trim()) throw new Error('an approval decision needs the approver (by)');
      },
    },
  );

  setOperatorHandlers(saga, {
    retryCompensation: retryCompensationUpdate,
    skipCompensation: skipCompensationUpdate,
    retryStep: retryStepUpdate,
    resolveStep: resolveStepUpdate,
  });

  const state = await saga.run();
  return { orderId: input.orderId, state, order: ctx.order, approval: ctx.approval };
}
