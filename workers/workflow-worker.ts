import { Worker } from '@temporalio/worker';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { laneLimitedLocalActivities } from '@sagaflow/saga/worker';
import type { createActivities } from '../activities';
import { createOperationActivities } from '../activities/operations';
import { workflowInterceptorModules } from '../lib/codec/data-converter';
import { workflowBundlerOptions } from '../lib/workflow-bundle';
import { ACTIVITY_LANES, LANES } from '../lib/task-queues';
import type { Lane } from '../lib/task-queues';
import { runsLocalSteps, workflowWorkerTuning } from './config';
import type { WorkerConfig } from './config';

/** The activities that belong to the given lanes (all of them by default): the sagas' service calls. */
export function sagaActivities(all: ReturnType<typeof createActivities>, lanes: readonly Lane[] = LANES) {
  const names = Object.entries(ACTIVITY_LANES)
    .filter(([, owner]) => lanes.includes(owner))
    .map(([name]) => name);
  return Object.fromEntries(names.map((name) => [name, all[name as keyof typeof all]]));
}

/**
 * The worker of the `workflows` role: the sagas' and the bulk operations' workflows on the saga task queue, with
 * the activities that run there (the sagas' local steps, each service's calls limited to its lane's concurrency,
 * the operations' Updates through `operationsClient`). The worker process runs it, and so does the API with
 * API_SAGA_WORKER=on (api/saga-worker.ts).
 */
export function createWorkflowWorker(options: {
  connection: NativeConnection;
  config: WorkerConfig;
  activities: ReturnType<typeof createActivities>;
  /** Bulk operations send sagas Updates through it, its payloads encrypted as the API's. */
  operationsClient: Client;
  dataConverter: WorkerOptions['dataConverter'];
  plugins?: WorkerOptions['plugins'];
}): Promise<Worker> {
  const { config, activities } = options;
  const workflowsPath = require.resolve('../workflows');
  return Worker.create({
    connection: options.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: options.dataConverter,
    ...(options.plugins ? { plugins: options.plugins } : {}),
    taskQueue: config.TASK_QUEUE,
    workflowsPath,
    bundlerOptions: workflowBundlerOptions(workflowsPath),
    interceptors: { workflowModules: workflowInterceptorModules },
    // The hello workflow's activity runs on the saga queue itself; the sagas' local steps run here, each
    // service's calls limited to its lane's concurrency.
    activities: {
      greet: activities.greet,
      ...createOperationActivities({ client: options.operationsClient }),
      ...(runsLocalSteps(config)
        ? laneLimitedLocalActivities(sagaActivities(activities), ACTIVITY_LANES, config.laneConcurrency)
        : {}),
    },
    ...workflowWorkerTuning(config),
  });
}
