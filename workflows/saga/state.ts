/** Lifecycle of a saga, as seen by callers, operators and the OrderStatus search attribute. */
export type SagaStatus =
  'RUNNING' | 'AWAITING_APPROVAL' | 'COMPENSATING' | 'COMPENSATION_FAILED' | 'COMPLETED' | 'COMPENSATED' | 'CANCELLED';

export const TERMINAL_STATUSES: readonly SagaStatus[] = ['COMPLETED', 'COMPENSATED', 'CANCELLED'];

export interface SagaFailure {
  step: string;
  /** The failure type: a service business code (e.g. INSUFFICIENT_STOCK) or a Temporal failure kind. */
  type: string;
  message: string;
}

export interface CompensationRecord {
  step: string;
  activity: string;
  outcome: 'COMPENSATED' | 'SKIPPED' | 'FAILED';
  attempts: number;
  error?: string;
  reason?: string;
  at: number;
}

export interface SagaState {
  saga: string;
  status: SagaStatus;
  currentStep?: string;
  completedSteps: string[];
  compensations: CompensationRecord[];
  /** Compensations that failed past their retry policy, waiting for an operator to retry or skip them. */
  parked: { step: string; activity: string; error: string; since: number }[];
  failure?: SagaFailure;
  cancellation?: { reason: string; at: number };
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
}

export function isTerminal(status: SagaStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
