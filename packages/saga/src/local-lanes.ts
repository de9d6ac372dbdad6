import { Context } from '@temporalio/activity';
import { bulkhead } from 'cockatiel';
import type { BulkheadPolicy } from 'cockatiel';

/** Activities as a worker registers them: named functions taking one input. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Activities = Record<string, (input: any) => Promise<unknown>>;

/**
 * The saga's activities for its workflow worker to run as local activities, each behind its lane's bulkhead: at
 * most `limits[lane]` calls of one lane at once in this worker. Local activities share the worker's one pool of
 * slots (`maxConcurrentLocalActivityExecutions`), so without this a slow service would hold every slot and stall
 * the others' steps, which the lanes' task queues prevent for regular activities. A call past its lane's limit
 * waits for a slot; the wait counts against its attempt's `startToCloseTimeout`, after which the attempt fails and
 * retries under the step's policy. Activities of no lane run unlimited.
 */
export function laneLimitedLocalActivities<A extends Activities>(
  activities: A,
  lanes: Readonly<Record<string, string>>,
  limits: Readonly<Record<string, number>>,
): A {
  const bulkheads = new Map<string, BulkheadPolicy>();
  const wrapped: Activities = {};
  for (const [name, fn] of Object.entries(activities)) {
    const lane = lanes[name];
    const limit = lane === undefined ? undefined : limits[lane];
    if (lane === undefined || limit === undefined) {
      wrapped[name] = fn;
      continue;
    }
    let lanePolicy = bulkheads.get(lane);
    if (!lanePolicy) bulkheads.set(lane, (lanePolicy = bulkhead(limit, Number.POSITIVE_INFINITY)));
    const policy = lanePolicy;
    wrapped[name] = (input: unknown) => withSlot(policy, () => fn(input));
  }
  return wrapped as A;
}

/**
 * Runs `work` once the bulkhead has a slot for it. The bulkhead only counts: `work` runs here, in the activity's own
 * async context (a call the bulkhead queued would otherwise run in the context of the call that freed its slot, and
 * so read another activity's Context).
 */
async function withSlot<T>(policy: BulkheadPolicy, work: () => Promise<T>): Promise<T> {
  const signal = Context.current().cancellationSignal;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let acquired!: () => void;
  const slot = new Promise<void>((resolve) => (acquired = resolve));
  const holding = policy.execute(() => {
    acquired();
    return released;
  }, signal);
  const cancelled = new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  cancelled.catch(() => undefined);
  try {
    // `holding` settles first only when the bulkhead refused the call (cancelled while it waited).
    await Promise.race([slot, holding, cancelled]);
    if (signal.aborted) throw signal.reason;
    return await work();
  } finally {
    // A call cancelled while queued leaves the queue when its turn comes (the bulkhead sees the aborted signal).
    release();
    holding.catch(() => undefined);
  }
}
