import { condition, setHandler } from '@temporalio/workflow';
import { SagaRun } from '../saga/engine';
import { isTerminal } from '../saga/state';
import type { SagaState } from '../saga/state';
import {
  approveUpdate,
  cancelUpdate,
  retryCompensationUpdate,
  sagaStateQuery,
  skipCompensationUpdate,
} from './messages';
import type { OperatorRequest } from './messages';
import { createPublisher } from './publish';
import { orderSaga } from './saga';
import type { OrderContext, OrderInput, OrderResult } from './types';

/** The order-fulfillment saga. Workflow id = order id, so one order can never run two sagas at once. */
export async function orderFulfillment(input: OrderInput): Promise<OrderResult> {
  const ctx: OrderContext = { input };
  const saga = new SagaRun(orderSaga, ctx, createPublisher(ctx));
  const settled = () => isTerminal(saga.state.status) || saga.state.status === 'COMPENSATION_FAILED';

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
    (decision) => {
      ctx.approval = { ...decision, at: Date.now() };
      return saga.state;
    },
    {
      validator: ({ by }) => {
        if (saga.state.status !== 'AWAITING_APPROVAL')
          throw new Error(`order is ${saga.state.status}, not AWAITING_APPROVAL`);
        if (!by?.trim()) throw new Error('an approval decision needs the approver (by)');
      },
    },
  );

  const operatorUpdate = async (decide: () => string[]): Promise<SagaState> => {
    const before = saga.state.compensations.length;
    const targets = decide();
    // Each decided compensation records exactly one new outcome: COMPENSATED, FAILED (parked again) or SKIPPED.
    await condition(() => saga.state.compensations.length >= before + targets.length);
    return saga.state;
  };
  const validateOperator = ({ step, by }: OperatorRequest) => {
    if (!by?.trim()) throw new Error('operator actions need the operator (by)');
    const parked = saga.state.parked.filter((p) => step === undefined || p.step === step);
    if (parked.length === 0)
      throw new Error(step ? `no parked compensation for step ${step}` : 'no parked compensation');
  };

  setHandler(retryCompensationUpdate, (request) => operatorUpdate(() => saga.decide({ kind: 'retry' }, request.step)), {
    validator: validateOperator,
  });
  setHandler(
    skipCompensationUpdate,
    (request) =>
      operatorUpdate(() => saga.decide({ kind: 'skip', reason: `${request.reason} (by ${request.by})` }, request.step)),
    {
      validator: (request) => {
        validateOperator(request);
        if (!request.reason?.trim()) throw new Error('skipping a compensation needs a reason');
      },
    },
  );

  const state = await saga.run();
  return { orderId: input.orderId, state, order: ctx.order, approval: ctx.approval };
}
