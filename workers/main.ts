import { tracing } from './tracing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { Client, Connection } from '@temporalio/client';
import { createActivities } from '../activities';
import { createLogger } from '../lib/logger';
import { LANES, laneTaskQueue } from '../lib/task-queues';
import { laneWorkerTuning, loadWorkerConfig, runsLocalSteps } from './config';
import { createWorkflowWorker, sagaActivities } from './workflow-worker';
import { dataConverterFor } from '../lib/codec/data-converter';
import { loadPayloadKeys } from '../lib/codec/payload-keys';
import { temporalTls } from '../lib/temporal-tls';
import { installWorkerRuntime } from './runtime';

const config = loadWorkerConfig();
const payloadKeys = loadPayloadKeys();
const logger = createLogger({ component: 'worker', taskQueue: config.TASK_QUEUE });

async function main(): Promise<void> {
  const { runtime, metricsUrl } = installWorkerRuntime(config, logger);
  const tls = temporalTls();
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS, ...(tls ? { tls } : {}) });
  const activities = createActivities({ config: config.services, logger, meter: runtime.metricMeter });
  const common = {
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterFor(payloadKeys, config.PAYLOAD_PLAINTEXT),
    // Workflow and activity spans, children of the API's start span; workflow spans leave the sandbox by a sink.
    ...(tracing ? { plugins: [new OpenTelemetryPlugin(tracing)] } : {}),
  };
  const workers: Worker[] = [];
  // Bulk operations (workflows/operations) send sagas Updates through a client, its payloads encrypted as the API's.
  let operationsConnection: Connection | undefined;
  if (config.WORKER_ROLES.includes('workflows')) {
    operationsConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, ...(tls ? { tls } : {}) });
    const client = new Client({
      connection: operationsConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter: dataConverterFor(payloadKeys),
    });
    workers.push(await createWorkflowWorker({ ...common, config, activities, operationsClient: client }));
  }
  for (const lane of LANES.filter((role) => config.WORKER_ROLES.includes(role))) {
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: laneTaskQueue(config.TASK_QUEUE, lane),
        activities: sagaActivities(activities, [lane]),
        ...laneWorkerTuning(config, lane),
      }),
    );
  }
  logger.info(
    {
      address: config.TEMPORAL_ADDRESS,
      temporalTls: tls ? 'mutual' : 'off',
      namespace: config.TEMPORAL_NAMESPACE,
      roles: config.WORKER_ROLES,
      localSteps: runsLocalSteps(config),
      payloadEncryption: payloadKeys
        ? `on (key ${payloadKeys.current.id}, plaintext ${config.PAYLOAD_PLAINTEXT})`
        : 'off',
      metrics: metricsUrl ?? 'off',
    },
    'worker started',
  );
  // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks have drained (graceful shutdown).
  try {
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    await connection.close();
    await operationsConnection?.close();
    await tracing?.shutdown();
    logger.info('worker stopped');
  }
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'worker failed');
  process.exit(1);
});
