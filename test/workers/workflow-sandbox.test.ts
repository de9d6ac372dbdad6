import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { decodeOptionalFailureToOptionalError, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { loadWorkerConfig, workflowWorkerTuning } from '../../workers/config';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { pollUntil } from '../helpers/poll-until';
import { createTestWorker, testDataConverter, testWorkflowBundle } from '../helpers/worker';
import { releaseSignal } from '../workflows/sandbox';

// The worker's workflow sandbox settings (docs/DEPLOYMENT.md, "The workflow sandbox"): the SDK's per-promise stack
// recording and per-call activation deadline (options of patches/@temporalio+worker+1.24.0.patch), both off by
// default, and the thread workflows run on (the main one by default).

const env = { SERVICE_TOKEN: 'dev-token-for-tests' };

describe('worker config: the workflow sandbox options and workflow task polls', () => {
  it('stacks and deadline off, workflows in the main thread, 10 workflow task polls by default; each can be set', () => {
    assert.deepEqual(pick(workflowWorkerTuning(loadWorkerConfig(env))), {
      workflowStackTraces: false,
      isolateExecutionTimeout: 0,
      debugMode: true,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 10 },
    });
    const on = loadWorkerConfig({
      ...env,
      WORKFLOW_STACK_TRACES: 'on',
      WORKFLOW_ACTIVATION_TIMEOUT: '5 seconds',
      WORKFLOW_THREAD: 'separate',
      WORKFLOW_TASK_POLLERS: '20',
    });
    assert.deepEqual(pick(workflowWorkerTuning(on)), {
      workflowStackTraces: true,
      isolateExecutionTimeout: 5_000,
      debugMode: false,
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 20 },
    });
  });

  it('refuses what it cannot read, naming the variable', () => {
    assert.throws(
      () => loadWorkerConfig({ ...env, WORKFLOW_ACTIVATION_TIMEOUT: 'soon' }),
      /WORKFLOW_ACTIVATION_TIMEOUT/,
    );
    assert.throws(() => loadWorkerConfig({ ...env, WORKFLOW_STACK_TRACES: 'yes' }), /WORKFLOW_STACK_TRACES/);
    assert.throws(() => loadWorkerConfig({ ...env, WORKFLOW_THREAD: 'other' }), /WORKFLOW_THREAD/);
    // One poll could not serve both the new workflows' queue and the sticky one.
    assert.throws(() => loadWorkerConfig({ ...env, WORKFLOW_TASK_POLLERS: '1' }), /WORKFLOW_TASK_POLLERS/);
    assert.throws(() => loadWorkerConfig({ ...env, WORKFLOW_TASK_POLLERS: 'many' }), /WORKFLOW_TASK_POLLERS/);
  });
});

function pick(options: ReturnType<typeof workflowWorkerTuning>) {
  const { workflowStackTraces, isolateExecutionTimeout, debugMode, workflowTaskPollerBehavior } = options;
  return { workflowStackTraces, isolateExecutionTimeout, debugMode, workflowTaskPollerBehavior };
}

describe('a worker with the sandbox options (the patched SDK)', () => {
  let testEnv: TestWorkflowEnvironment;
  before(async () => {
    testEnv = await createTimeSkippingEnv();
  });
  after(async () => {
    await testEnv?.teardown();
  });

  async function withWorker<T>(
    taskQueue: string,
    options: { workflowStackTraces: boolean; isolateExecutionTimeout: number; debugMode?: boolean },
    body: () => Promise<T>,
  ): Promise<T> {
    const worker = await createTestWorker(testEnv, {
      taskQueue,
      workflowBundle: await testWorkflowBundle(),
      ...options,
    });
    return worker.runUntil(body);
  }

  it('without a deadline and without stack traces, workflows run; the stack trace query is refused', async () => {
    const taskQueue = 'sandbox-off';
    // As the worker's defaults run it: in this thread, without a deadline, without stacks.
    await withWorker(
      taskQueue,
      { workflowStackTraces: false, isolateExecutionTimeout: 0, debugMode: true },
      async () => {
        const handle = await testEnv.client.workflow.start('waitForRelease', { taskQueue, workflowId: 'sandbox-off' });
        // The worker refuses the query (its reason travels encrypted); the next test, stack traces on, answers it.
        await assert.rejects(handle.query('__stack_trace'), /Failed to query Workflow/);
        await handle.signal(releaseSignal);
        assert.equal(await handle.result(), 'released');
      },
    );
  });

  it('with stack traces on, the query shows where the workflow waits', async () => {
    const taskQueue = 'sandbox-traces';
    await withWorker(taskQueue, { workflowStackTraces: true, isolateExecutionTimeout: 0 }, async () => {
      const handle = await testEnv.client.workflow.start('waitForRelease', { taskQueue, workflowId: 'sandbox-traces' });
      const trace = await handle.query<string>('__stack_trace');
      assert.match(trace, /waitForRelease/);
      await handle.signal(releaseSignal);
      await handle.result();
    });
  });

  it('the engine, the workflows and their interceptors are preloaded: one frozen copy shared by every workflow', async () => {
    const taskQueue = 'sandbox-preload';
    await withWorker(taskQueue, { workflowStackTraces: false, isolateExecutionTimeout: 0 }, async () => {
      for (const run of [1, 2]) {
        const shared = await testEnv.client.workflow.execute('preloadedModules', {
          taskQueue,
          workflowId: `sandbox-preload-${run}`,
        });
        assert.deepEqual(shared, { engine: true, workflows: true, interceptors: true }, `workflow ${run}`);
      }
    });
  });

  it('with a deadline, a workflow stuck in synchronous code fails its workflow task instead of holding the thread', async () => {
    const taskQueue = 'sandbox-deadline';
    await withWorker(taskQueue, { workflowStackTraces: false, isolateExecutionTimeout: 200 }, async () => {
      const handle = await testEnv.client.workflow.start('spinForever', { taskQueue, workflowId: 'sandbox-deadline' });
      const converter = loadDataConverter(testDataConverter());
      const failure = await pollUntil(
        async () => {
          const { events } = await handle.fetchHistory();
          const failed = events?.find(
            (e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
          );
          return decodeOptionalFailureToOptionalError(converter, failed?.workflowTaskFailedEventAttributes?.failure);
        },
        (failed) => failed !== undefined,
        'a failed workflow task',
        () => new Promise((resolve) => setTimeout(resolve, 100)),
        100,
      );
      assert.match(failure?.message ?? 'no workflow task failed', /timed out/i);
      await handle.terminate('test done');
    });
  });
});

describe('the workflow bundle', () => {
  it("compiles the workflows' and the engine's TypeScript for ES2022, as tsconfig.json and the engine's build do", async () => {
    const { code } = await testWorkflowBundle();
    assert.match(code, /runOrderFulfillment/, 'the order workflow is in the bundle');
    // What an ES2017 build adds in place of object spread and class fields.
    assert.doesNotMatch(code, /function _object_spread\(/);
    assert.doesNotMatch(code, /function _define_property\(/);
  });
});
