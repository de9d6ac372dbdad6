import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation } from '@temporalio/workflow';
import type { SagaFailure } from './state';

/**
 * What an activity raised: the cause of the ActivityFailure a regular activity fails with; a local activity that
 * failed for good (not retried) arrives as its own failure, unwrapped.
 */
export function activityCause(err: unknown): unknown {
  return err instanceof ActivityFailure && err.cause ? err.cause : err;
}

/** Names a failure by its business code where there is one, else by its Temporal failure kind. */
export function describeFailure(step: string, err: unknown): SagaFailure {
  const cause = activityCause(err);
  if (isCancellation(err)) return { step, type: 'CANCELLED', message: 'cancelled' };
  if (cause instanceof ApplicationFailure) {
    return { step, type: cause.type ?? 'ApplicationFailure', message: cause.message };
  }
  if (cause instanceof TimeoutFailure) {
    return { step, type: `TIMEOUT_${cause.timeoutType ?? 'UNKNOWN'}`, message: cause.message };
  }
  return { step, type: 'UNKNOWN', message: cause instanceof Error ? cause.message : String(cause) };
}

export function errorMessage(err: unknown): string {
  const cause = activityCause(err);
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

/** Raised inside the workflow when a step overruns its declared deadline. */
export function deadlineExceeded(step: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`step ${step} did not finish within its deadline`, 'STEP_DEADLINE_EXCEEDED');
}
