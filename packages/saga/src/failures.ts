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

const DEADLINE_EXCEEDED = 'STEP_DEADLINE_EXCEEDED';

/**
 * Whether a step that failed with `err` may still have had its effect at the service. Only a definite refusal says
 * it did not: the activity's own non-retryable ApplicationFailure (flagged, or a type its retry policy lists), unless
 * its type is in `keepKeyOn`. Exhausted retries of a fault, timeouts, the step's deadline and a cancel leave it
 * unknown: the call may have been applied before the answer was lost.
 */
export function effectMayStand(
  err: unknown,
  nonRetryableTypes: readonly string[],
  keepKeyOn: readonly string[] = [],
): boolean {
  if (isCancellation(err)) return true;
  const cause = activityCause(err);
  if (!(cause instanceof ApplicationFailure)) return true;
  const type = cause.type ?? '';
  if (type === DEADLINE_EXCEEDED || keepKeyOn.includes(type)) return true;
  return !(cause.nonRetryable || nonRetryableTypes.includes(type));
}

export function errorMessage(err: unknown): string {
  const cause = activityCause(err);
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

/** Raised inside the workflow when a step overruns its declared deadline. */
export function deadlineExceeded(step: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`step ${step} did not finish within its deadline`, DEADLINE_EXCEEDED);
}
