import type { Duration } from '@temporalio/common';
import { ApplicationFailure, condition, patched, setHandler } from '@temporalio/workflow';
import { PATCHES, isParked, isTerminal } from '@sagaflow/saga';
import type { SagaControl, SagaRun } from '@sagaflow/saga';
import { approveUpdate } from '../order/messages';
import { outcomeOf } from './wait';

export interface ApprovalRecord {
  approved: boolean;
  by: string;
  reason?: string;
  at: number;
}

/** Where a saga keeps the decision the approve Update took. */
export interface Approvable {
  approval?: ApprovalRecord;
}

/**
 * The local step of a saga waiting for a human decision (status AWAITING_APPROVAL): it fails APPROVAL_TIMEOUT
 * after `timeout` without one, APPROVAL_REJECTED on a rejection, and moves on when approved.
 */
export async function awaitApproval(ctx: Approvable, timeout: Duration, saga: SagaControl): Promise<void> {
  saga.setStatus('AWAITING_APPROVAL');
  await condition(() => ctx.approval !== undefined, timeout);
  // A decision the approve Update accepted wins, even one taken in the same workflow task as the timeout.
  if (!ctx.approval) throw ApplicationFailure.nonRetryable('no approval decision in time', 'APPROVAL_TIMEOUT');
  if (!ctx.approval.approved) {
    throw ApplicationFailure.nonRetryable(ctx.approval.reason ?? 'rejected', 'APPROVAL_REJECTED');
  }
  saga.setStatus('RUNNING');
}

/** The approve Update: records the first decision and answers with the state after it (see approveUpdate). */
export function setApprovalHandler<C extends Approvable>(saga: SagaRun<C>, ctx: C, subject: string): void {
  const settled = () => isTerminal(saga.state.status) || isParked(saga.state.status);
  setHandler(
    approveUpdate,
    async (decision) => {
      ctx.approval = { ...decision, at: Date.now() };
      // Sagas that took a decision before the patch answered at once, with the state still AWAITING_APPROVAL.
      if (!patched(PATCHES.approveAnswersAfterDecision)) return saga.state;
      // Approved: the saga moves on in this same workflow task (RUNNING, or later if something else happened).
      // Rejected: the saga compensates; like cancel, the answer waits until it has settled (COMPENSATED, or
      // COMPENSATION_FAILED when a compensation parks), so the approver learns the outcome of the rejection.
      await outcomeOf(decision.approved ? () => saga.state.status !== 'AWAITING_APPROVAL' : settled);
      return saga.state;
    },
    {
      validator: ({ by }) => {
        if (saga.state.status !== 'AWAITING_APPROVAL')
          throw new Error(`${subject} is ${saga.state.status}, not AWAITING_APPROVAL`);
        // The first decision wins, also when two land in the same workflow task (the status has not moved yet).
        if (ctx.approval) throw new Error(`${subject} was already ${ctx.approval.approved ? 'approved' : 'rejected'}`);
        if (!by?.trim()) throw new Error('an approval decision needs the approver (by)');
      },
    },
  );
}
