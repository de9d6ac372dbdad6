import {
  ActivityCancellationType,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { MAX_CIRCUIT_WAIT_MS, circuitOpen } from './circuit';
import type { ActivityCall } from './definition';
import { laneTaskQueue } from './lanes';
import { toLocalActivityOptions } from './local';
import type { SagaState } from './state';

/** What dispatching a step reads of its saga, and how it reports a wait. */
export interface DispatchTarget<C> {
  ctx: C;
  state: SagaState;
  changed(): void;
}

/**
 * Schedules the activity; when it fails because its service's circuit is open (it was not called), waits
 * until the breaker lets a probe through and schedules it again: a fresh activity with its full retry policy,
 * so an outage costs the saga no attempts. The wait shows in the state and the current details; a deadline or
 * a cancel still ends it.
 */
export function dispatch<C>(
  call: ActivityCall<C>,
  key: string,
  step: string,
  saga: DispatchTarget<C>,
  local: boolean,
  waits = 0,
): Promise<unknown> {
  return schedule(call, key, saga, local).catch((err: unknown) =>
    waitForCircuit(err, call, key, step, saga, local, waits),
  );
}

/**
 * Each wait in a row is twice as long as the last, from the breaker's probe time up to MAX_CIRCUIT_WAIT_MS: a long
 * outage adds a few events a minute to the saga's history, not a few a second (a history holds about 50,000).
 */
export function circuitWaitMs(retryAfterMs: number, waits: number): number {
  return Math.min(retryAfterMs * 2 ** Math.min(waits, 16), MAX_CIRCUIT_WAIT_MS);
}

async function waitForCircuit<C>(
  err: unknown,
  call: ActivityCall<C>,
  key: string,
  step: string,
  saga: DispatchTarget<C>,
  local: boolean,
  waits: number,
): Promise<unknown> {
  const open = circuitOpen(err);
  if (!open) throw err;
  const reason = `${open.service} circuit open`;
  const waitMs = circuitWaitMs(open.retryAfterMs, waits);
  saga.state.waiting = { step, reason, until: Date.now() + waitMs };
  saga.changed();
  try {
    await sleep(waitMs, { summary: `${step}: ${reason}` });
  } finally {
    delete saga.state.waiting;
  }
  return dispatch(call, key, step, saga, local, waits + 1);
}

/**
 * Schedules the activity, or runs it as a local activity (`local`, as the engine decided for the step); the returned
 * promise is the SDK's own, so awaiting it adds no promise of ours.
 */
function schedule<C>(call: ActivityCall<C>, key: string, saga: DispatchTarget<C>, local: boolean): Promise<unknown> {
  // Waiting for the activity to acknowledge cancellation means its outcome is known before any compensation.
  const cancellationType = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;
  const activities = local
    ? proxyLocalActivities({ cancellationType, ...toLocalActivityOptions(call) })
    : proxyActivities({
        cancellationType,
        ...call.options,
        ...(call.lane ? { taskQueue: laneTaskQueue(workflowInfo().taskQueue, call.lane) } : {}),
      });
  const fn = activities[call.activity];
  if (!fn) throw new Error(`unknown activity ${call.activity}`);
  return fn(call.input(saga.ctx, key, saga.state));
}
