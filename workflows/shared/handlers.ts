import { setHandler } from '@temporalio/workflow';
import { isParked, isTerminal, setOperatorHandlers, setRestartHandler } from '@sagaflow/saga';
import type { SagaRun } from '@sagaflow/saga';
import {
  cancelUpdate,
  resolveStepUpdate,
  restartUpdate,
  retryCompensationUpdate,
  retryStepUpdate,
  sagaStateQuery,
  skipCompensationUpdate,
} from '../order/messages';
import { setApprovalHandler, type Approvable } from './approval';
import { outcomeOf } from './wait';

/**
 * The messages every saga of this application answers: the state Query, cancel, approve, the operators'
 * Updates on parked steps and restart. `subject` names the saga in refusals ("order is RUNNING, not AWAITING_APPROVAL").
 */
export function setSagaHandlers<C extends Approvable>(
  saga: SagaRun<C>,
  ctx: C,
  subject: string,
  /** A reason of the application's own to refuse a cancel the engine would allow (undefined: allowed). */
  refuseCancel: () => string | undefined = () => undefined,
): void {
  setHandler(sagaStateQuery, () => saga.state);

  setHandler(
    cancelUpdate,
    async ({ reason }) => {
      saga.cancel(reason);
      await outcomeOf(() => isTerminal(saga.state.status) || isParked(saga.state.status));
      return saga.state;
    },
    {
      validator: ({ reason }) => {
        if (!reason?.trim()) throw new Error('a cancellation needs a reason');
        const refusal = saga.cancelRefusal() ?? refuseCancel();
        if (refusal) throw new Error(`cannot cancel: ${refusal}`);
      },
    },
  );

  setApprovalHandler(saga, ctx, subject);

  setOperatorHandlers(saga, {
    retryCompensation: retryCompensationUpdate,
    skipCompensation: skipCompensationUpdate,
    retryStep: retryStepUpdate,
    resolveStep: resolveStepUpdate,
  });
  setRestartHandler(saga, restartUpdate);
}
