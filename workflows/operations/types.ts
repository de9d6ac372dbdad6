import type { SagaStatus } from '@sagaflow/saga';

/** What a bulk operation does to each saga it targets: one of the operators' Updates. */
export const OPERATION_ACTIONS = [
  'retry-step',
  'resolve-step',
  'retry-compensation',
  'skip-compensation',
  'restart',
  'cancel',
] as const;
export type OperationActionKind = (typeof OPERATION_ACTIONS)[number];

export interface OperationAction {
  kind: OperationActionKind;
  /** The parked step to act on (retry-step, resolve-step, retry-compensation, skip-compensation); all parked if absent. */
  step?: string;
  /** restart: the step to restart from. */
  fromStep?: string;
}

/** Which sagas an operation targets: running ones of one type, narrowed by status, parked step and reason, time. */
export interface OperationFilter {
  sagaType: 'order' | 'return';
  status: SagaStatus;
  parkedStep?: string;
  parkedReason?: string;
  /** The tenant whose sagas only (a tenant-scoped operator key's own); all tenants if absent. */
  tenant?: string;
  /** ISO 8601 bounds on the saga's start time. */
  startedAfter?: string;
  startedBefore?: string;
}

export interface OperationInput {
  operationId: string;
  /** The operator (API key name) who asked, and why: the audit trail. */
  by: string;
  reason: string;
  requestedAt: string;
  filter: OperationFilter;
  action: OperationAction;
  /** Updates in flight at once. */
  concurrency: number;
  /** Updates started per second at most, so a service that just recovered is not flooded. */
  ratePerSecond: number;
}

/**
 * What became of one saga: `done` (the Update was accepted and completed), `refused` (its validator refused, with
 * the saga's reason), `skipped` (it had moved on: ended, or no longer matched the filter), `failed` (Temporal did
 * not answer within the retries), `not-run` (the operation was cancelled first).
 */
export type TargetOutcome = 'done' | 'refused' | 'skipped' | 'failed' | 'not-run';

export interface TargetResult {
  workflowId: string;
  outcome: TargetOutcome;
  /** The saga's status after the Update (done), or why not. */
  detail?: string;
  at: string;
}

export type OperationStatus = 'LISTING' | 'RUNNING' | 'PAUSED' | 'CANCELLED' | 'COMPLETED' | 'FAILED';

export interface OperationState {
  input: OperationInput;
  status: OperationStatus;
  /** The sagas it targets, listed once at its start. */
  targets: string[];
  results: TargetResult[];
  /** Pause, resume and cancel, by whom and when. */
  events: { action: 'pause' | 'resume' | 'cancel'; by: string; reason?: string; at: string }[];
  finishedAt?: string;
  /** Why a FAILED operation acted on no saga: its targets could not be listed (too many, or Temporal did not answer). */
  failure?: { type?: string; message: string };
}

/** What each action sends: the saga Update's name and argument. */
export function sagaUpdateFor(
  action: OperationAction,
  by: string,
  reason: string,
): { name: string; args: Record<string, unknown> } {
  const step = action.step ? { step: action.step } : {};
  switch (action.kind) {
    case 'retry-step':
      return { name: 'retryStep', args: { by, ...step } };
    case 'resolve-step':
      return { name: 'resolveStep', args: { by, reason, ...step } };
    case 'retry-compensation':
      return { name: 'retryCompensation', args: { by, ...step } };
    case 'skip-compensation':
      return { name: 'skipCompensation', args: { by, reason, ...step } };
    case 'restart':
      return { name: 'restart', args: { from: action.fromStep, by, reason } };
    case 'cancel':
      return { name: 'cancel', args: { reason } };
  }
}
