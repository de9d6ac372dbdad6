import type { WorkflowHandle, WorkflowResultType, WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { BundleOptions, WorkerOptions, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { History } from '@temporalio/common/lib/proto-utils';
import type { SagaDefinition } from '../index';
import { laneTaskQueue } from '../src/lanes';
import { engineBundlerOptions } from '../src/node/engine-alias';
import { withFaults } from './faults';
import type { CallRecord, FaultPlan } from './faults';

/** Where the workers find the workflows: a module path (bundled once per path) or a bundle built by the caller. */
export type WorkflowSource = { workflowsPath: string } | { workflowBundle: WorkflowBundleWithSourceMap };

/** What `runSaga` runs: the environment, the workflows, the workflow and its arguments, the activities and faults. */
export interface RunSagaOptions<W extends Workflow> extends Partial<Pick<WorkerOptions, 'dataConverter'>> {
  env: TestWorkflowEnvironment;
  workflows: WorkflowSource;
  /** The workflow to start (the function, for typed args and result, or its type name). */
  workflow: W | string;
  args: Parameters<W>;
  /** The activities as the worker registers them; the kit wraps them with the faults. */
  activities: object;
  faults?: FaultPlan;
  /** The saga's definition: the kit serves the lanes its calls use (`${taskQueue}-${lane}`) too. */
  definition?: SagaDefinition<never>;
  /** Lanes to serve beyond the definition's. */
  lanes?: string[];
  taskQueue?: string;
  workflowId?: string;
  /** Runs while the saga runs (send Updates, skip time with `env.sleep`, query it); the kit then awaits the result. */
  during?: (handle: WorkflowHandle<W>, calls: CallRecord[]) => Promise<void>;
  /** Options for every worker the kit starts (e.g. `interceptors`). */
  workerOptions?: Partial<WorkerOptions>;
}

/** How a saga run by `runSaga` ended, with every activity call and its history. */
export interface SagaRunResult<W extends Workflow> {
  /** The workflow's result, when it completed. */
  result?: WorkflowResultType<W>;
  /** Its failure, when it failed. */
  error?: unknown;
  /** Every activity call, in order, with the fault that struck it. */
  calls: CallRecord[];
  /** The history, to replay (`replaySaga`) or save as a fixture. */
  history: History;
  workflowId: string;
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
let sequence = 0;

/**
 * The workflow bundle of a module path, built once per process and options (webpack is the slow part of a worker
 * start). The bundle's `@sagaflow/saga` is the copy of the engine this kit belongs to, preloaded with
 * `@temporalio/workflow` and the `preloadModules` given (`engineBundlerOptions`), as a worker runs them.
 */
export function bundleOnce(
  workflowsPath: string,
  options: Omit<BundleOptions, 'workflowsPath' | 'webpackConfigHook'> = {},
): Promise<WorkflowBundleWithSourceMap> {
  const key = JSON.stringify([workflowsPath, options]);
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      logger: quiet,
      ...options,
      workflowsPath,
      ...engineBundlerOptions,
      preloadModules: [...engineBundlerOptions.preloadModules, ...(options.preloadModules ?? [])],
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

/**
 * Runs one saga workflow to its end on the test environment: a worker on a fresh task queue (and one per lane)
 * with the activities wrapped in the fault plan, the workflow started, `during` run beside it, then its outcome,
 * every activity call and its history. Workers are shut down before it returns.
 */
export async function runSaga<W extends Workflow>(options: RunSagaOptions<W>): Promise<SagaRunResult<W>> {
  const { env, definition } = options;
  const taskQueue = options.taskQueue ?? `saga-test-${process.pid}-${++sequence}`;
  const workflowId = options.workflowId ?? `${taskQueue}-wf`;
  const faulty = withFaults(options.activities, options.faults);
  const lanes = new Set([...(options.lanes ?? []), ...lanesOf(definition)]);
  const source = 'workflowsPath' in options.workflows ? await bundleOnce(options.workflows.workflowsPath) : undefined;
  const common = {
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    activities: faulty.activities,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...options.workerOptions,
  };
  const workers = [
    await Worker.create({
      ...common,
      taskQueue,
      workflowBundle: source ?? (options.workflows as { workflowBundle: WorkflowBundleWithSourceMap }).workflowBundle,
    }),
    ...(await Promise.all(
      [...lanes].map((lane) => Worker.create({ ...common, taskQueue: laneTaskQueue(taskQueue, lane) })),
    )),
  ];
  const running = workers.map((worker) => worker.run());
  try {
    const start = { taskQueue, workflowId, args: options.args } as unknown as WorkflowStartOptions<W>;
    const handle = await env.client.workflow.start(options.workflow as W, start);
    await options.during?.(handle, faulty.calls);
    const outcome = await handle.result().then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    return { ...outcome, calls: faulty.calls, history: await handle.fetchHistory(), workflowId };
  } finally {
    for (const worker of workers) worker.shutdown();
    await Promise.all(running);
  }
}

/** Replays a history against the workflows as they are now: a change that breaks running sagas throws. */
export async function replaySaga(
  history: History,
  workflows: WorkflowSource,
  options: Partial<Pick<WorkerOptions, 'dataConverter'>> = {},
): Promise<void> {
  const workflowBundle =
    'workflowsPath' in workflows ? await bundleOnce(workflows.workflowsPath) : workflows.workflowBundle;
  await Worker.runReplayHistory({ workflowBundle, ...options }, history);
}

function lanesOf(definition: SagaDefinition<never> | undefined): string[] {
  const calls = (definition?.steps ?? []).flatMap((step) => [
    'local' in step.action ? undefined : step.action,
    step.compensation,
  ]);
  return calls.flatMap((call) => (call?.lane ? [call.lane] : []));
}

const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
