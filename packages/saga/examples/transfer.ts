// A complete saga built on the public surface only: compiled with the rest of the repo (npm run typecheck), and
// quoted by packages/saga/README.md (test/saga/saga-package.test.ts checks the quotes match).

// #region activities
/** The activities the saga calls, as the worker registers them (the workflow imports this type only). */
export interface TransferActivities {
  debit(input: { account: string; amountMinor: number; idempotencyKey: string }): Promise<{ debitId: string }>;
  refundDebit(input: { account: string; idempotencyKey: string }): Promise<void>;
  credit(input: { account: string; amountMinor: number; idempotencyKey: string }): Promise<void>;
  sendReceipt(input: { account: string; idempotencyKey: string }): Promise<void>;
}
// #endregion activities

// #region definition
import { activityCall } from '@sagaflow/saga';
import type { SagaDefinition } from '@sagaflow/saga';
import type { ActivityOptions } from '@temporalio/common';

export interface TransferContext {
  from: string;
  to: string;
  amountMinor: number;
  debitId?: string;
}

const call = activityCall<TransferActivities, TransferContext>({ debit: 'bank', refundDebit: 'bank', credit: 'bank' });
const mail = activityCall<TransferActivities, TransferContext>(); // on the saga's own task queue
const options: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 5, nonRetryableErrorTypes: ['INSUFFICIENT_FUNDS'] },
};

export const transferSaga: SagaDefinition<TransferContext> = {
  name: 'transfer',
  steps: [
    {
      name: 'debit',
      action: call(
        'debit',
        options,
        (ctx, idempotencyKey) => ({ account: ctx.from, amountMinor: ctx.amountMinor, idempotencyKey }),
        (ctx, result) => (ctx.debitId = result.debitId),
      ),
      // Registered before the debit is sent, so it must be harmless when no debit happened.
      compensation: call('refundDebit', options, (ctx, idempotencyKey) => ({ account: ctx.from, idempotencyKey })),
      deadline: '5 minutes',
    },
    {
      name: 'credit',
      action: call('credit', options, (ctx, idempotencyKey) => ({
        account: ctx.to,
        amountMinor: ctx.amountMinor,
        idempotencyKey,
      })),
      // Once the money has arrived the saga only moves forward: a later failure parks it for an operator.
      pivot: true,
    },
    {
      name: 'receipt',
      action: mail('sendReceipt', options, (ctx, idempotencyKey) => ({ account: ctx.from, idempotencyKey })),
    },
  ],
};
// #endregion definition

// #region workflow
import { continueAsNew, defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import { SagaRun, setOperatorHandlers, setRestartHandler } from '@sagaflow/saga';
import type {
  OperatorRequest,
  RestartRequest,
  SagaCheckpoint,
  SagaRestartInput,
  SagaState,
  SkipRequest,
} from '@sagaflow/saga';

export const transferState = defineQuery<SagaState>('transferState');
export const cancelTransfer = defineUpdate<SagaState, [{ reason: string }]>('cancelTransfer');
export const restartTransfer = defineUpdate<SagaState, [RestartRequest]>('restartTransfer');
const operatorUpdates = {
  retryCompensation: defineUpdate<SagaState, [OperatorRequest]>('retryCompensation'),
  skipCompensation: defineUpdate<SagaState, [SkipRequest]>('skipCompensation'),
  retryStep: defineUpdate<SagaState, [OperatorRequest]>('retryStep'),
  resolveStep: defineUpdate<SagaState, [SkipRequest]>('resolveStep'),
};

export interface TransferInput {
  from: string;
  to: string;
  amountMinor: number;
  /** Set when this run restarts an earlier one (see "Restarting from a step"). */
  restart?: SagaRestartInput<TransferContext>;
}
/** What a later restart of this transfer needs: its checkpoint and its context (the steps' results). */
export interface TransferResult {
  state: SagaState;
  checkpoint: SagaCheckpoint;
  context: TransferContext;
}

/** The workflow: run the saga, answer its state, let callers cancel before the pivot and operators decide. */
export async function transfer(input: TransferInput): Promise<TransferResult> {
  const { restart, ...fresh } = input;
  const ctx: TransferContext = restart?.context ?? { ...fresh };
  const saga = new SagaRun(transferSaga, ctx, undefined, { restart });
  setHandler(transferState, () => saga.state);
  setHandler(
    cancelTransfer,
    async ({ reason }) => {
      saga.cancel(reason);
      return saga.state;
    },
    {
      validator: (_request: { reason: string }) => {
        const refusal = saga.cancelRefusal();
        if (refusal) throw new Error(refusal);
      },
    },
  );
  setOperatorHandlers(saga, operatorUpdates);
  // An operator may restart a run parked after the pivot: it continues as new from the chosen step.
  setRestartHandler(saga, restartTransfer);
  const ended = await saga.runOrRestart();
  if (ended.restart) return continueAsNew<typeof transfer>({ ...fresh, restart: saga.restartInput(ended.restart) });
  return { state: ended.state, checkpoint: saga.checkpoint(), context: ctx };
}
// #endregion workflow
