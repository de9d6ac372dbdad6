import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { SagaState } from '../saga/state';

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
/** Approves or rejects an order that waits for manual approval; returns the state right after. */
export const approveUpdate = defineUpdate<SagaState, [ApprovalDecision]>('approve');

export interface OperatorRequest {
  /** The parked compensation's step; all parked compensations when omitted. */
  step?: string;
  by: string;
}
/** Retries parked compensations; completes when they succeed again or park again. */
export const retryCompensationUpdate = defineUpdate<SagaState, [OperatorRequest]>('retryCompensation');
/** Skips parked compensations, recording why (the operator fixed it by hand); completes with the state after. */
export const skipCompensationUpdate = defineUpdate<SagaState, [OperatorRequest & { reason: string }]>(
  'skipCompensation',
);
