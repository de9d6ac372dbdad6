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

/**
 * Where a call runs: `local`, as a local activity; `lane`, as an activity on its lane's task queue (or the saga's
 * own when it has no lane); `own-queue`, as an activity on the saga's own task queue, which the server may hand back
 * with the workflow task's completion (eager dispatch) when its workers run the saga's calls (a pivot of a saga
 * whose other calls run locally).
 */
export type Placement = 'local' | 'lane' | 'own-queue';

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
  placement: Placement,
  waits = 0,
): Promise<unknown> {
  return schedule(call, key, saga, placement).catch((err: unknown) =>
    waitForCircuit(err, call, key, step, saga, placement, waits),
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
  placement: Placement,
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
  return dispatch(call, key, step, saga, placement, waits + 1);
}

/**
 * Schedules the activity where the engine placed it, or runs it as a local activity; the returned promise is the
 * SDK's own, so awaiting it adds no promise of ours.
 */
function schedule<C>(
  call: ActivityCall<C>,
  key: string,
  saga: DispatchTarget<C>,
  placement: Placement,
): Promise<unknown> {
  // Waiting for the activity to acknowledge cancellation means its outcome is known before any compensation.
  const cancellationType = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;
  const activities =
    placement === 'local'
      ? proxyLocalActivities({ cancellationType, ...toLocalActivityOptions(call) })
      : proxyActivities({
          cancellationType,
          ...call.options,
          ...(call.lane && placement === 'lane'
            ? { taskQueue: laneTaskQueue(workflowInfo().taskQueue, call.lane) }
            : {}),
        });
  const fn = activities[call.activity];
  if (!fn) throw new Error(`unknown activity ${call.activity}`);
  return fn(call.input(saga.ctx, key, saga.state));
}
