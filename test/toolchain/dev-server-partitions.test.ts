import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createHelloActivities } from '../../activities/hello';
import { createLogger } from '../../lib/logger';
import { pollUntil } from '../helpers/poll-until';
import { createLocalEnv } from '../helpers/temporal';
import { createTestWorker } from '../helpers/worker';

// The dev server's task queue partitions (lib/dev-server.ts, docs/BENCHMARKS.md "One partition for new tasks"): new
// tasks go to one partition, and the workflows whose tasks an earlier run of a kept database wrote to the others still
// run. (After a restart the server may also dispatch such a task again from its own queue, which the short run here
// leaves unacknowledged; either way the outcome checked is the user's: nothing started before the upgrade is stuck.)

const PARTITIONS = 4;
const WORKFLOWS = 12;
const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;
const logger = createLogger({ test: 'dev-server-partitions' });
logger.level = 'warn';

/** Starts WORKFLOWS hello workflows on `taskQueue`, where nothing polls yet: each first workflow task waits. */
async function startWaiting(env: TestWorkflowEnvironment, taskQueue: string): Promise<string[]> {
  const ids = Array.from({ length: WORKFLOWS }, (_, i) => `${taskQueue}-${i}`);
  for (const workflowId of ids) {
    await env.client.workflow.start('helloWorkflow', { taskQueue, workflowId, args: [{ name: workflowId }] });
  }
  return ids;
}

/**
 * The workflow tasks waiting in each partition of `taskQueue` (partition n > 0 is named `/_sys/<name>/<n>`), once all
 * WORKFLOWS have reached them: the server hands a started workflow's first task to its task queue after answering
 * the start.
 */
function backlogByPartition(env: TestWorkflowEnvironment, taskQueue: string): Promise<number[]> {
  return pollUntil(
    () => partitionBacklogs(env, taskQueue),
    (counts) => counts.reduce((a, b) => a + b, 0) >= WORKFLOWS,
    `${WORKFLOWS} waiting tasks on ${taskQueue}`,
  );
}

async function partitionBacklogs(env: TestWorkflowEnvironment, taskQueue: string): Promise<number[]> {
  const counts: number[] = [];
  for (let partition = 0; partition < PARTITIONS; partition++) {
    const { taskQueueStatus } = await env.client.workflowService.describeTaskQueue({
      namespace: env.namespace ?? 'default',
      taskQueue: {
        name: partition === 0 ? taskQueue : `/_sys/${taskQueue}/${partition}`,
        kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
      },
      taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      includeTaskQueueStatus: true,
    });
    counts.push(Number(taskQueueStatus?.backlogCountHint ?? 0));
  }
  return counts;
}

describe('dev server task queue partitions', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sagaflow-partitions-'));
  const dbFilename = path.join(dir, 'temporal.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'writes new tasks to one partition, and still hands out what a four-partition run left in the others',
    { timeout: 120_000 },
    async () => {
      const taskQueue = 'partitions';
      // An earlier run with the server's default of four write partitions leaves its waiting tasks spread over them.
      const before = await createLocalEnv({
        dbFilename,
        extraArgs: ['--dynamic-config-value', 'matching.numTaskqueueWritePartitions=4'],
      });
      let left: string[];
      try {
        left = await startWaiting(before, taskQueue);
        const spread = await backlogByPartition(before, taskQueue);
        assert.ok(spread[0]! < WORKFLOWS, `four write partitions: tasks outside partition 0 (${spread.join(', ')})`);
      } finally {
        await before.teardown();
      }

      // The same database under the project's tuning.
      const env = await createLocalEnv({ dbFilename });
      try {
        const fresh = 'partitions-fresh';
        const started = await startWaiting(env, fresh);
        assert.deepEqual(await backlogByPartition(env, fresh), [WORKFLOWS, 0, 0, 0]);

        const worker = await createTestWorker(env, { taskQueue, activities: createHelloActivities({ logger }) });
        const freshWorker = await createTestWorker(env, {
          taskQueue: fresh,
          activities: createHelloActivities({ logger }),
        });
        const results = (
          await Promise.all([
            worker.runUntil(Promise.all(left.map((id) => env.client.workflow.getHandle(id).result()))),
            freshWorker.runUntil(Promise.all(started.map((id) => env.client.workflow.getHandle(id).result()))),
          ])
        ).flat() as { greeting: string }[];
        assert.deepEqual(
          results.map((result) => result.greeting),
          [...left, ...started].map((id) => `Hello, ${id}!`),
        );
      } finally {
        await env.teardown();
      }
    },
  );
});
