// Records a bulk operation's history for the replay tests (test/saga/replay.test.ts): three orders parked on the dev
// server (in-memory services: their void refused once), then one `bulkOperation` retrying their compensations, paused
// and resumed on the way; saves test/histories/operation-retry-compensation.json. Then an operation whose listing
// fails for good (more sagas match than it may act on), saved as operation-listing-failed.json (HISTORY_PREFIX
// prepends to the name: a tree before the listing-failure patch records legacy-operation-listing-failed.json).
// Re-record only when a change is meant to be incompatible with running operations (see docs/ARCHITECTURE.md).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { createOperationActivities } from '../activities/operations';
import { orderStartSearchAttributes } from '../lib/search-attributes';
import { saveHistories } from '../test/helpers/histories';
import { FakeOrderServices } from '../test/helpers/fake-order-services';
import { orderInput, runWithSagaWorkers, waitForStatus } from '../test/helpers/order-saga';
import { disableTestPayloadEncryption } from '../test/helpers/payload-keys';
import { createLocalEnv } from '../test/helpers/temporal';
import { orderFulfillment } from '../workflows/order/workflow';
import type { OperationInput } from '../workflows/operations/types';
import {
  bulkOperation,
  operationStateQuery,
  pauseOperationUpdate,
  resumeOperationUpdate,
} from '../workflows/operations/workflow';

async function main(): Promise<void> {
  const outDir = path.resolve(__dirname, '..', 'test', 'histories');
  mkdirSync(outDir, { recursive: true });
  disableTestPayloadEncryption();
  const env = await createLocalEnv();
  const taskQueue = `history-operation-${process.pid}`;
  const fakes = new FakeOrderServices();
  fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
  fakes.faults.set('cancelPayment', { kind: 'business', code: 'PAYMENT_PROVIDER_DOWN', times: 3 });
  try {
    await runWithSagaWorkers(
      env,
      taskQueue,
      { ...fakes.activities(), ...createOperationActivities({ client: env.client }) },
      async () => {
        for (let i = 0; i < 3; i++) {
          const input = orderInput({ orderId: `history-operation-order-${i}`, publishMode: 'on-status-change' });
          const handle = await env.client.workflow.start(orderFulfillment, {
            taskQueue,
            workflowId: input.orderId,
            args: [input],
            typedSearchAttributes: orderStartSearchAttributes(input.customerId),
          });
          await waitForStatus(handle, 'COMPENSATION_FAILED');
        }
        const query = 'OrderStatus = "COMPENSATION_FAILED" AND ParkedReason = "PAYMENT_PROVIDER_DOWN"';
        while ((await env.client.workflow.count(query)).count < 3) await new Promise((r) => setTimeout(r, 100));
        const operationId = 'history-operation-retry-compensation';
        const operation = await startOperation(env, taskQueue, operationId, {
          reason: 'provider back',
          filter: { sagaType: 'order', status: 'COMPENSATION_FAILED', parkedReason: 'PAYMENT_PROVIDER_DOWN' },
          concurrency: 1,
          ratePerSecond: 1,
        });
        while ((await operation.query(operationStateQuery)).results.length < 1) {
          await new Promise((r) => setTimeout(r, 50));
        }
        await operation.executeUpdate(pauseOperationUpdate, { args: [{ by: 'ops', reason: 'watching' }] });
        await operation.executeUpdate(resumeOperationUpdate, { args: [{ by: 'ops' }] });
        const state = await operation.result();
        for (const line of await saveHistories(env, operationId, 'operation-retry-compensation', outDir)) {
          console.log(`${line} (${state.status}: ${state.results.map((r) => r.outcome).join(', ')})`);
        }
      },
    );
    await recordListingFailure(env, `${taskQueue}-listing`, outDir);
  } finally {
    await env.teardown();
  }
}

type Env = Awaited<ReturnType<typeof createLocalEnv>>;

/** A bulk retry of parked compensations by `ops`, started straight on the worker's task queue. */
function startOperation(
  env: Env,
  taskQueue: string,
  operationId: string,
  fields: Pick<OperationInput, 'reason' | 'filter' | 'concurrency' | 'ratePerSecond'>,
) {
  const input: OperationInput = {
    operationId,
    by: 'ops',
    requestedAt: new Date().toISOString(),
    action: { kind: 'retry-compensation' },
    ...fields,
  };
  return env.client.workflow.start(bulkOperation, { taskQueue, workflowId: operationId, args: [input] });
}

/** An operation whose listing fails for good: more sagas match than it may act on, since its dry run. */
async function recordListingFailure(env: Env, taskQueue: string, dir: string) {
  const tooMany = async (): Promise<string[]> => {
    throw ApplicationFailure.nonRetryable('more than 2000 sagas match: narrow the filter', 'TOO_MANY_TARGETS');
  };
  const activities = { ...createOperationActivities({ client: env.client }), listOperationTargets: tooMany };
  await runWithSagaWorkers(env, taskQueue, activities, async () => {
    const operationId = 'history-operation-listing-failed';
    const operation = await startOperation(env, taskQueue, operationId, {
      reason: 'void every parked payment',
      filter: { sagaType: 'order', status: 'COMPENSATION_FAILED' },
      concurrency: 5,
      ratePerSecond: 10,
    });
    const outcome = await operation.result().then(
      (state) => `${state.status}: ${state.failure?.type ?? ''}`,
      (err: unknown) => `workflow failed: ${String(err)}`,
    );
    const name = `${process.env.HISTORY_PREFIX ?? ''}operation-listing-failed`;
    for (const line of await saveHistories(env, operationId, name, dir)) console.log(`${line} (${outcome})`);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
