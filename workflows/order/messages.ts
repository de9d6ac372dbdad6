import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { OperatorRequest, RestartRequest, SkipRequest, SagaState } from '@sagaflow/saga';

// The order saga's message contract, shared by the workflow, the API and tests.

export const sagaStateQuery = defineQuery<SagaState>('sagaState');

export interface CancelRequest {
  reason: string;
}
/** Cancels the order; completes once every compensation has run, with the final state. */
export const cancelUpdate = defineUpdate<SagaState, [CancelRequest]>('cancel');

export interface ApprovalDecision {
  approved: boolean;
  by: string;
  reason?: string;
}
/**
 * Approves or rejects an order that waits for manual approval; completes with the state after the decision:
 * approved, once the saga has moved on (RUNNING); rejected, once its compensations have run (COMPENSATED, or
 * COMPENSATION_FAILED when one parks), as cancel does.
 */
export const approveUpdate = defineUpdate<SagaState, [ApprovalDecision]>('approve');

export type { OperatorRequest, SkipRequest } from '@sagaflow/saga';
/** Retries parked compensations; completes when they succeed again or park again. */
export const retryCompensationUpdate = defineUpdate<SagaState, [OperatorRequest]>('retryCompensation');
/** Skips parked compensations, recording why (the operator fixed it by hand); completes with the state after. */
export const skipCompensationUpdate = defineUpdate<SagaState, [SkipRequest]>('skipCompensation');
/** Retries a step after the pivot that failed for good (FORWARD_FAILED); completes when it succeeds or parks again. */
export const retryStepUpdate = defineUpdate<SagaState, [OperatorRequest]>('retryStep');
/** Marks a parked step after the pivot as done by hand, recording why; the saga moves on to the next step. */
export const resolveStepUpdate = defineUpdate<SagaState, [SkipRequest]>('resolveStep');

export type { RestartRequest } from '@sagaflow/saga';
/**
 * Restarts a saga parked after its pivot (FORWARD_FAILED) from a step after the pivot, up to the parked one: the
 * workflow continues as new, skipping the steps before it (their results carried), running the rest with the code
 * deployed now. Answers the state the new run starts from.
 */
export const restartUpdate = defineUpdate<SagaState, [RestartRequest]>('restart');
