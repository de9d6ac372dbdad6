import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import type { OrderActivities } from '../../activities/types';
import { ORDER_ACTIVITY_LANES } from '../../lib/task-queues';
import { laneLimitedLocalActivities } from '@sagaflow/saga/worker';
import { FakeOrderServices } from '../helpers/fake-order-services';
import { orderInput, runWithSagaWorkers, sagaTaskQueue, startOrderSaga } from '../helpers/order-saga';
import { createLocalEnv, createTimeSkippingEnv } from '../helpers/temporal';

// What local steps change in a saga's history, and what they keep (the suites of order-saga, circuit-wait and both
// failure matrices run every other guarantee under both executions): each service call but the pivot is a marker in
// the workflow's history instead of an activity task; its idempotency key is the same on every attempt, including
// one after a backoff long enough to wait on a timer; and each lane's bulkhead bounds its calls in the worker.
const { EventType } = temporal.api.enums.v1;

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTimeSkippingEnv();
});
after(() => env?.teardown());

async function events(workflowId: string) {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events ?? [];
}

const count = (list: { eventType?: unknown }[], type: number) => list.filter((e) => e.eventType === type).length;

/** The fakes' activities, recording each call's idempotency key. */
function recordingKeys(activities: OrderActivities, keys: string[]): OrderActivities {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      (input: { idempotencyKey: string }) => {
        keys.push(`${name} ${input.idempotencyKey.split(':').slice(2).join(':')}`);
        return (fn as (input: unknown) => Promise<unknown>)(input);
      },
    ]),
  ) as unknown as OrderActivities;
}

describe('local steps (time-skipping server)', () => {
  it('runs every service call as a local activity: markers in the history, no activity task', async () => {
    const fakes = new FakeOrderServices();
    const input = orderInput({ stepExecution: 'local' });
    const result = await runWithSagaWorkers(env, sagaTaskQueue(input), fakes.activities(), async () =>
      (await startOrderSaga(env, input)).result(),
    );
    assert.equal(result.state.status, 'COMPLETED');
    const history = await events(input.orderId);
    // The capture, the pivot, is a regular activity: passing the point of no return is on record before its effect.
    const scheduled = history.filter((e) => e.activityTaskScheduledEventAttributes);
    assert.deepEqual(
      scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name),
      ['capturePayment'],
    );
    // On the saga's own task queue, whose workers run its calls: the server may hand it back eagerly.
    assert.equal(scheduled[0]?.activityTaskScheduledEventAttributes?.taskQueue?.name, sagaTaskQueue(input));
    const markers = history.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    assert.equal(markers.length, 7, 'one marker per other service call');
    // A remote saga's history for the same happy path, for scale: each call is 3 events there, 1 here.
    const remote = orderInput({ stepExecution: 'remote' });
    await runWithSagaWorkers(env, sagaTaskQueue(remote), new FakeOrderServices().activities(), async () =>
      (await startOrderSaga(env, remote)).result(),
    );
    const remoteHistory = await events(remote.orderId);
    assert.equal(count(remoteHistory, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 8);
    assert.ok(history.length < remoteHistory.length - 14, `${history.length} events against ${remoteHistory.length}`);
  });

  it('keeps one idempotency key for every attempt, also after a backoff that waits on a timer', async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('authorizePayment', { kind: 'after', times: 3 }); // the effect happens, the answer is lost
    const keys: string[] = [];
    const input = orderInput({ stepExecution: 'local' });
    const activities = recordingKeys(fakes.activities(), keys);
    const result = await runWithSagaWorkers(env, sagaTaskQueue(input), activities, async () =>
      (await startOrderSaga(env, input)).result(),
    );
    assert.equal(result.state.status, 'COMPLETED');
    assert.deepEqual(
      keys.filter((k) => k.startsWith('authorizePayment')),
      Array(4).fill('authorizePayment authorizePayment'),
    );
    assert.equal(fakes.payments.get(input.orderId)?.status, 'CAPTURED');
    // Backoffs of 1 s, 2 s and 4 s: the first stays in the worker, the others (over LOCAL_STEP_OPTIONS'
    // localRetryThreshold of 1 s) wait on timers, so the workflow task is free meanwhile.
    const timers = (await events(input.orderId)).flatMap((e) => {
      const fire = e.timerStartedEventAttributes?.startToFireTimeout;
      return fire ? [Number(fire.seconds)] : [];
    });
    // The two backoffs, then the capture's 30-minute deadline.
    assert.deepEqual(timers, [2, 4, 1800]);
  });
});

// The bulkhead on the dev server (real time): the time-skipping server may skip time while local activities wait
// in the worker for their lane, and time out the workflow task that runs them.
describe('local steps: lane bulkheads (dev server)', () => {
  let dev: TestWorkflowEnvironment;
  before(async () => {
    dev = await createLocalEnv();
  });
  after(() => dev?.teardown());

  it("bounds each lane's calls in the worker: at most its limit at once, the other lanes unaffected", async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('authorizePayment', { kind: 'slow', ms: 150 });
    fakes.faults.set('createOrder', { kind: 'slow', ms: 150 });
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    const all = fakes.activities();
    const measured = Object.fromEntries(
      Object.entries(all).map(([name, fn]) => {
        const lane = ORDER_ACTIVITY_LANES[name as keyof OrderActivities];
        return [
          name,
          async (input: unknown) => {
            inFlight.set(lane, (inFlight.get(lane) ?? 0) + 1);
            peak.set(lane, Math.max(peak.get(lane) ?? 0, inFlight.get(lane)!));
            try {
              return await (fn as (input: unknown) => Promise<unknown>)(input);
            } finally {
              inFlight.set(lane, inFlight.get(lane)! - 1);
            }
          },
        ];
      }),
    );
    const limited = laneLimitedLocalActivities(measured, ORDER_ACTIVITY_LANES, { payment: 1, inventory: 5, order: 5 });
    const inputs = Array.from({ length: 4 }, () => orderInput({ stepExecution: 'local' }));
    // One task queue for the four sagas, so they share one worker and its bulkheads.
    const taskQueue = sagaTaskQueue(inputs[0]!);
    const results = await runWithSagaWorkers(dev, taskQueue, limited, () =>
      Promise.all(
        inputs.map(async (input) =>
          (
            await dev.client.workflow.start('orderFulfillment', { taskQueue, workflowId: input.orderId, args: [input] })
          ).result(),
        ),
      ),
    );
    assert.deepEqual(
      results.map((r) => (r as { state: { status: string } }).state.status),
      Array(4).fill('COMPLETED'),
    );
    assert.equal(peak.get('payment'), 1, 'the payment lane never ran two calls at once');
    assert.ok((peak.get('order') ?? 0) > 1, `the order lane ran calls side by side (peak ${peak.get('order')})`);
  });
});
