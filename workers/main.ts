import { tracing } from './tracing';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { createActivities } from '../activities';
import { createLogger } from '../lib/logger';
import { ACTIVITY_LANES, LANES, laneTaskQueue } from '../lib/task-queues';
import type { Lane } from '../lib/task-queues';
import { temporalLoggerFor } from '../lib/temporal-logger';
import { laneWorkerTuning, loadWorkerConfig, workflowWorkerTuning } from './config';
import { dataConverterFor } from '../lib/codec/data-converter';
import { loadPayloadKeys } from '../lib/codec/payload-keys';
import { workerTelemetry } from '../lib/telemetry/worker-metrics';

const config = loadWorkerConfig();
const payloadKeys = loadPayloadKeys();
const logger = createLogger({ component: 'worker', taskQueue: config.TASK_QUEUE });

/** Only the activities that belong to one lane, so each lane's slots serve its own service. */
function activitiesOf(lane: Lane, all: ReturnType<typeof createActivities>) {
  const names = Object.entries(ACTIVITY_LANES)
    .filter(([, owner]) => owner === lane)
    .map(([name]) => name);
  return Object.fromEntries(names.map((name) => [name, all[name as keyof typeof all]]));
}

async function main(): Promise<void> {
  const metricsAddress =
    config.WORKER_METRICS_PORT === undefined
      ? undefined
      : `${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}`;
  const runtime = Runtime.install({
    logger: temporalLoggerFor(logger),
    ...(metricsAddress ? { telemetryOptions: workerTelemetry(metricsAddress) } : {}),
  });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const activities = createActivities({ config: config.services, logger, meter: runtime.metricMeter });
  const common = {
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterFor(payloadKeys),
    // Workflow and activity spans, children of the API's start span; workflow spans leave the sandbox by a sink.
    ...(tracing ? { plugins: [new OpenTelemetryPlugin(tracing)] } : {}),
  };
  const workers: Worker[] = [];
  if (config.WORKER_ROLES.includes('workflows')) {
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: config.TASK_QUEUE,
        workflowsPath: require.resolve('../workflows'),
        // The hello workflow's activity runs on the saga queue itself.
        activities: { greet: activities.greet },
        ...workflowWorkerTuning(config),
      }),
    );
  }
  for (const lane of LANES.filter((role) => config.WORKER_ROLES.includes(role))) {
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: laneTaskQueue(config.TASK_QUEUE, lane),
        activities: activitiesOf(lane, activities),
        ...laneWorkerTuning(config, lane),
      }),
    );
  }
  logger.info(
    {
      address: config.TEMPORAL_ADDRESS,
      namespace: config.TEMPORAL_NAMESPACE,
      roles: config.WORKER_ROLES,
      payloadEncryption: payloadKeys ? `on (key ${payloadKeys.current.id})` : 'off',
      metrics: metricsAddress ? `http://${metricsAddress}/metrics` : 'off',
    },
    'worker started',
  );
  // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks have drained (graceful shutdown).
  try {
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    await connection.close();
    await tracing?.shutdown();
    logger.info('worker stopped');
  }
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'worker failed');
  process.exit(1);
});
