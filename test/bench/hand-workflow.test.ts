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

const EventType = temporal.api.enums.v1.EventType;

// The bench's hand-written order workflow (engine-local's `vsHandWritten` baseline) must have what it claims: the
// capture raced against a durable deadline timer, and the final status where operators look.
describe('bench: handOrderLocal, the order workflow written by hand', () => {
  let env: TestWorkflowEnvironment;
  let captureMs = 0;
  const run = async (taskQueue: string, fn: () => Promise<unknown>) => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleOnce(require.resolve('../../bench/workflows')),
      dataConverter: testWorkerDataConverter(),
      activities: {
        noop: async ({ step }: { step: number }) => {
          if (step === 4 && captureMs > 0) await new Promise((resolve) => setTimeout(resolve, captureMs));
        },
      },
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

  it('cancels the deadline timer once the capture is done, and publishes the final status and memo', async () => {
    captureMs = 0;
    await run('hand-ok', async () => {
      const handle = await start('hand-ok', 'hand-ok');
      assert.deepEqual(await handle.result(), {
        orderId: 'hand-ok',
        state: { status: 'COMPLETED', completedSteps: 8 },
      });
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
      assert.deepEqual(description.memo?.orderState, { state: { status: 'COMPLETED', completedSteps: 8 } });
    });
  });

  it('fails at the deadline when the capture outlasts it', async () => {
    captureMs = 4_000;
    await run('hand-late', async () => {
      const handle = await start('hand-late', 'hand-late', '1 second');
      const err = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError, String(err));
      assert.match(String(err.cause?.message), /payment deadline/);
    });
  });
});
