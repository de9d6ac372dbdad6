import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { createActivities } from '../activities';
import { parseEnv } from '../lib/env';
import { createLogger } from '../lib/logger';
import { temporalLoggerFor } from '../lib/temporal-logger';
import { TASK_QUEUES } from '../lib/task-queues';

const config = parseEnv(
  z.object({
    TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TASK_QUEUE: z.string().min(1).default(TASK_QUEUES.orders),
  }),
);

const logger = createLogger({ component: 'worker', taskQueue: config.TASK_QUEUE });

async function main(): Promise<void> {
  Runtime.install({ logger: temporalLoggerFor(logger) });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({ logger }),
  });
  logger.info({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE }, 'worker started');
  // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks have drained (graceful shutdown).
  try {
    await worker.run();
  } finally {
    await connection.close();
    logger.info('worker stopped');
  }
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'worker failed');
  process.exit(1);
});
