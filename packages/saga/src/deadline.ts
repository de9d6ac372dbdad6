import { CancellationScope, sleep } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { deadlineExceeded } from './failures';

export interface DeadlineHooks {
  /** Whether the saga is being cancelled (then a failure after the deadline is the cancellation, not the deadline). */
  cancelled(): boolean;
  /** The step succeeded although its deadline had fired. */
  succeededLate(): void;
}

/**
 * Runs a step in a scope of its own, which the deadline cancels when it fires. A step that succeeds anyway (it
 * finished before it learnt of the cancel) has succeeded; one that fails after the deadline fired fails with
 * STEP_DEADLINE_EXCEEDED.
 */
export async function raceDeadline<T>(
  step: string,
  duration: () => Duration,
  work: () => Promise<T>,
  hooks: DeadlineHooks,
): Promise<T> {
  let deadlineHit = false;
  const stepScope = new CancellationScope();
  // The step is dispatched before the timer is started: that is the order of the commands in recorded histories.
  const working = stepScope.run(work);
  const timerScope = new CancellationScope();
  const timeout = duration();
  timerScope
    .run(() => sleep(timeout, { summary: `${step} deadline` }))
    .then(() => {
      deadlineHit = true;
      stepScope.cancel();
    })
    .catch(() => undefined);
  try {
    const result = await working;
    if (deadlineHit) hooks.succeededLate();
    return result;
  } catch (err) {
    throw deadlineHit && !hooks.cancelled() ? deadlineExceeded(step) : err;
  } finally {
    timerScope.cancel();
  }
}
