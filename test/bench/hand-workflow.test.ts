import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { benchOrder } from '../../bench/lib/load';
import { SEARCH_ATTRIBUTES, orderStartSearchAttributes } from '../../lib/search-attributes';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { bundleOnce, testWorkerDataConverter } from '../helpers/worker';
import { noopOrderActivities } from '../../bench/lib/noop-activities';
import type { Keyed, OrderActivities } from '../../activities/types';
import { orderSaga } from '../../workflows/order/saga';

/** The order saga's steps on its happy path (the approval only runs for totals the bench never reaches). */
const STEPS = orderSaga.steps.filter((step) => step.name !== 'awaitApproval').map((step) => step.name);

const EventType = temporal.api.enums.v1.EventType;

// The bench's hand-written order workflow (engine-local's `vsHandWritten` baseline) must have what it claims: the
// order saga's calls with their inputs and keys, the capture raced against a durable deadline timer, compensations
// in reverse, and the final status where operators look.
describe('bench: handOrderLocal, the order workflow written by hand', () => {
  let env: TestWorkflowEnvironment;
  let captureMs = 0;
  /** Each call the workflow made: the activity and its input. */
  let calls: { activity: string; input: Keyed & Record<string, unknown> }[] = [];
  const recorded = (): OrderActivities => {
    const activities = noopOrderActivities();
    const record = Object.entries(activities).map(([activity, fn]) => [
      activity,
      async (input: Keyed & Record<string, unknown>) => {
        calls.push({ activity, input });
        if (activity === 'capturePayment' && captureMs > 0) await new Promise((r) => setTimeout(r, captureMs));
        return (fn as (input: unknown) => Promise<unknown>)(input);
      },
    ]);
    return Object.fromEntries(record) as unknown as OrderActivities;
  };
  const run = async (taskQueue: string, fn: () => Promise<unknown>) => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleOnce(require.resolve('../../bench/workflows')),
      dataConverter: testWorkerDataConverter(),
      activities: recorded(),
    });
    return worker.runUntil(fn());
  };
  const start = (orderId: string, taskQueue: string, paymentDeadline?: string) =>
    env.client.workflow.start('handOrderLocal', {
      workflowId: orderId,
      taskQueue,
      args: [{ orderId, ...benchOrder(0, 'cust-hand'), ...(paymentDeadline ? { paymentDeadline } : {}) }],
      typedSearchAttributes: orderStartSearchAttributes('cust-hand'),
    });

  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  it("makes the saga's calls with its inputs and keys, cancels the deadline timer after the capture, publishes the final status and state", async () => {
    captureMs = 0;
    calls = [];
    await run('hand-ok', async () => {
      const handle = await start('hand-ok', 'hand-ok');
      const { state } = await handle.result();
      assert.equal(state.status, 'COMPLETED');
      assert.deepEqual(state.completedSteps, STEPS);
      assert.deepEqual(
        calls.map((c) => c.activity).sort(),
        [
          'authorizePayment',
          'capturePayment',
          'commitInventory',
          'createOrder',
          'reserveInventory',
          'setOrderStatus',
          'setOrderStatus',
          'setOrderStatus',
        ],
        "the order saga's eight calls, no compensation",
      );
      const { runId } = await handle.describe();
      for (const { input } of calls) {
        assert.equal(input.orderId, 'hand-ok');
        assert.match(input.idempotencyKey, new RegExp(`^hand-ok:${runId}:`), "the engine's key for the step");
      }
      assert.equal(new Set(calls.map((c) => c.input.idempotencyKey)).size, 8, 'one key per step');
      const authorize = calls.find((c) => c.activity === 'authorizePayment')!.input;
      assert.equal(authorize.amountMinor, 2_450, "the created order's total");
      const { events } = await handle.fetchHistory();
      const types = events!.map((event) => event.eventType);
      assert.ok(types.indexOf(EventType.EVENT_TYPE_TIMER_STARTED) >= 0, 'the deadline timer started');
      assert.ok(
        types.indexOf(EventType.EVENT_TYPE_TIMER_CANCELED) >
          types.indexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
        'and cancelled after the capture completed',
      );
      assert.equal(types.filter((type) => type === EventType.EVENT_TYPE_MARKER_RECORDED).length, 7, '7 local calls');
      const description = await handle.describe();
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OrderStatus), 'COMPLETED');
      assert.deepEqual(description.memo?.orderState, { state });
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OrderTotal), 2_450);
    });
  });

  it('fails at the deadline when the capture outlasts it, after compensating in reverse', async () => {
    captureMs = 4_000;
    calls = [];
    await run('hand-late', async () => {
      const handle = await start('hand-late', 'hand-late', '1 second');
      const err = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.match(String(err.cause?.message), /payment deadline/);
      assert.deepEqual(
        calls.slice(-3).map((c) => c.activity),
        ['cancelPayment', 'releaseInventory', 'closeOrder'],
      );
    });
  });
});
