import { continueAsNew, setHandler } from '@temporalio/workflow';
import { SagaRun } from '@sagaflow/saga';
import { setSagaHandlers } from '../shared/handlers';
import { outcomeOf } from '../shared/wait';
import { parcelReceivedUpdate } from './messages';
import { createReturnPublisher, returnMemo } from './publish';
import { returnSaga } from './saga';
import type { ReturnContext, ReturnInput, ReturnResult } from './types';

/** The returns-and-refunds saga of one return. Workflow id = return id: one return never runs two sagas. */
export async function orderReturn(input: ReturnInput): Promise<ReturnResult> {
  const { restart, ...fresh } = input;
  const ctx: ReturnContext = restart?.context ?? { input: fresh };
  const saga = new SagaRun(returnSaga, ctx, createReturnPublisher(ctx), { restart });
  // The parcel is in once the Update took it, before the pivot step has seen it: a cancel then would close a
  // return whose goods the warehouse holds.
  setSagaHandlers(saga, ctx, 'return', () => (ctx.parcel ? 'the parcel is in; the refund is owed' : undefined));

  setHandler(
    parcelReceivedUpdate,
    async ({ by, note }) => {
      ctx.parcel = { by, ...(note ? { note } : {}), at: Date.now() };
      await outcomeOf(() => saga.state.currentStep !== 'awaitParcel');
      return saga.state;
    },
    {
      validator: ({ by }) => {
        if (ctx.parcel) throw new Error(`the parcel of return ${input.returnId} was already received`);
        if (saga.state.cancellation) throw new Error(`return ${input.returnId} is being cancelled`);
        if (saga.state.currentStep !== 'awaitParcel') {
          throw new Error(`return ${input.returnId} is not waiting for its parcel (${saga.state.status})`);
        }
        if (!by?.trim()) throw new Error('a parcel receipt needs who took it in (by)');
      },
    },
  );

  const ended = await saga.runOrRestart();
  if (ended.restart) return continueAsNew<typeof orderReturn>({ ...fresh, restart: saga.restartInput(ended.restart) });
  return { returnId: input.returnId, orderId: input.orderId, ...returnMemo(ctx, ended.state) };
}
