import { proxyActivities, sleep } from '@temporalio/workflow';

/** The probe's only activity: does nothing, so a workflow's latency is the server's task dispatch. */
export interface DispatchActivities {
  noop(step: number): Promise<void>;
}

const { noop } = proxyActivities<DispatchActivities>({ startToCloseTimeout: '10 seconds' });

/**
 * bench/dispatch-latency.ts: `activities` no-op activities in sequence on the workflow's own task queue, so one
 * run is 1 + `activities` workflow tasks and `activities` activity tasks, each dispatched by the server; then
 * `timers` durable timers of `timerMs` in sequence (each fired by the server's timer queue, then one more workflow
 * task).
 */
export async function dispatchProbe(input: { activities: number; timers: number; timerMs: number }): Promise<void> {
  for (let step = 0; step < input.activities; step++) await noop(step);
  for (let step = 0; step < input.timers; step++) await sleep(input.timerMs);
}
