/** Lifecycle of a saga, as seen by callers, operators and the OrderStatus search attribute. */
export type SagaStatus =
  | 'RUNNING'
  | 'AWAITING_APPROVAL'
  | 'COMPENSATING'
  | 'COMPENSATION_FAILED'
  | 'FORWARD_FAILED'
  | 'COMPLETED'
  | 'COMPENSATED'
  | 'CANCELLED';

/** Statuses a saga ends in: it runs nothing more. */
export const TERMINAL_STATUSES: readonly SagaStatus[] = ['COMPLETED', 'COMPENSATED', 'CANCELLED'];

/** Statuses in which the saga waits for an operator: a parked compensation, or a parked step after the pivot. */
export const PARKED_STATUSES: readonly SagaStatus[] = ['COMPENSATION_FAILED', 'FORWARD_FAILED'];

/** The failure that made the saga compensate. */
export interface SagaFailure {
  step: string;
  /** The failure type: a service business code (e.g. INSUFFICIENT_STOCK) or a Temporal failure kind. */
  type: string;
  message: string;
}

/** One outcome of a step's compensation: done, skipped by an operator, or failed past its retry policy. */
export interface CompensationRecord {
  step: string;
  activity: string;
  outcome: 'COMPENSATED' | 'SKIPPED' | 'FAILED';
  attempts: number;
  error?: string;
  reason?: string;
  at: number;
}

/** What happened to a step after the pivot that failed for good: parked, retried by an operator, or resolved by hand. */
export interface RecoveryRecord {
  step: string;
  activity: string;
  outcome: 'FAILED' | 'RETRIED' | 'RESOLVED';
  attempts: number;
  error?: string;
  reason?: string;
  at: number;
}

/** `compensation`: a compensation that failed past its retry policy; `forward`: a step after the pivot that did. */
export type ParkedPhase = 'compensation' | 'forward';

/** Work waiting for an operator: the step, the activity that failed, its last error, since when. */
export interface ParkedStep {
  step: string;
  activity: string;
  error: string;
  /** The failure type it parked on: a business code, or a Temporal failure kind (absent in older states). */
  type?: string;
  since: number;
  /** Absent in states recorded before forward recovery existed: a compensation. */
  phase?: ParkedPhase;
}

/**
 * A saga's state as its workflow answers Queries and publishes it: status, current step, what was done, undone and
 * recovered, what waits for an operator, and why it failed or was cancelled.
 */
export interface SagaState {
  saga: string;
  status: SagaStatus;
  currentStep?: string;
  /** The steps of a group (`SagaStep.group`) running at once; `currentStep` is the first of them. */
  runningSteps?: string[];
  completedSteps: string[];
  compensations: CompensationRecord[];
  /**
   * Steps after the pivot that failed for good and what the operator did about them (the saga moves forward
   * only). Absent in the results of sagas that ended before forward recovery existed.
   */
  recoveries?: RecoveryRecord[];
  /** Work waiting for an operator: compensations past their retry policy, or a step after the pivot. */
  parked: ParkedStep[];
  failure?: SagaFailure;
  cancellation?: { reason: string; at: number };
  /** The step waits for a service whose circuit breaker is open (no call is made meanwhile), until `until`. */
  waiting?: { step: string; reason: string; until: number };
  /** This run restarts an earlier one from step `from` (the `count`th restart), as `by` asked. */
  restart?: { from: string; by: string; reason?: string; count: number; at: number };
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
}

/** Whether the saga has ended. */
export function isTerminal(status: SagaStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Whether the saga waits for an operator's decision. */
export function isParked(status: SagaStatus): boolean {
  return PARKED_STATUSES.includes(status);
}

/** Whether a parked step is a compensation or a step after the pivot. */
export function parkedPhase(parked: ParkedStep): ParkedPhase {
  return parked.phase ?? 'compensation';
}

/** The state of a saga that has just started. */
export function initialState(saga: string, now: number): SagaState {
  return {
    saga,
    status: 'RUNNING',
    completedSteps: [],
    compensations: [],
    recoveries: [],
    parked: [],
    startedAt: now,
    updatedAt: now,
  };
}
