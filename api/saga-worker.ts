import { Client } from '@temporalio/client';
import type { ClientOptions } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import type { Logger } from '../lib/logger';
import { createActivities } from '../activities';
import { dataConverterFor } from '../lib/codec/data-converter';
import type { PayloadKeyring } from '../lib/codec/payload-keys';
import { temporalTls } from '../lib/temporal-tls';
import { loadWorkerConfig } from '../workers/config';
import { createWorkflowWorker } from '../workers/workflow-worker';
import { installWorkerRuntime } from '../workers/runtime';

/** The saga worker an API process runs with API_SAGA_WORKER=on. */
export interface ApiSagaWorker {
  /** The client to start sagas with, eagerly, once the worker runs (undefined before: start as usual). */
  starter(): Client | undefined;
  /** Stops polling, lets the tasks in flight finish (the worker's own grace time) and closes the connection. */
  stop(): Promise<void>;
}

/**
 * Runs the worker's `workflows` role in the API process (configured by the worker's own variables, parsed now so a
 * missing one fails the API's start), on a connection of its own. Eager workflow start needs the start request on the
 * connection of a worker polling the saga's task queue, in the same process: the server then answers the start
 * with the saga's first workflow task, and this worker runs it at once. The connection is made in the background
 * and retried, as the API's own is lazy: until it is up, sagas start through the API's connection and a worker
 * picks them up from the task queue. A worker that fails for good ends the process (`onFatal`).
 */
export function startApiSagaWorker(options: {
  logger: Logger;
  payloadKeys: PayloadKeyring | undefined;
  /** The API's client options (data converter, interceptors), for the starting client. */
  clientOptions: Omit<ClientOptions, 'connection'>;
  /** Bulk operations run here too and send sagas Updates through it. */
  operationsClient: Client;
  plugins?: WorkerOptions['plugins'];
  onFatal(err: unknown): void;
}): ApiSagaWorker {
  const config = loadWorkerConfig();
  const logger = options.logger.child({ component: 'api-saga-worker', taskQueue: config.TASK_QUEUE });
  const { runtime, metricsUrl } = installWorkerRuntime(config, logger);
  const tls = temporalTls();
  let stopping = false;
  let connection: NativeConnection | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let starter: Client | undefined;
  /** Ends the wait between two connection attempts (when stopping). */
  let wake = () => undefined as void;

  const start = async () => {
    for (let attempt = 0, delay = 500; !stopping; attempt++, delay = Math.min(delay * 2, 15_000)) {
      try {
        connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS, ...(tls ? { tls } : {}) });
        break;
      } catch (err) {
        if (attempt % 10 === 0) logger.warn({ err }, 'saga worker: Temporal not reachable yet');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, delay).unref();
        });
      }
    }
    if (!connection || stopping) return;
    worker = await createWorkflowWorker({
      connection,
      config,
      activities: createActivities({ config: config.services, logger, meter: runtime.metricMeter }),
      operationsClient: options.operationsClient,
      dataConverter: dataConverterFor(options.payloadKeys, config.PAYLOAD_PLAINTEXT),
      ...(options.plugins ? { plugins: options.plugins } : {}),
    });
    running = worker.run();
    running.catch(options.onFatal);
    starter = new Client({ ...options.clientOptions, connection });
    logger.info({ metrics: metricsUrl ?? 'off' }, 'saga worker running: sagas start eagerly on it');
  };
  const started = start().catch((err: unknown) => options.onFatal(err));

  return {
    starter: () => starter,
    stop: async () => {
      stopping = true;
      wake();
      await started;
      starter = undefined;
      worker?.shutdown();
      await running?.catch(() => undefined);
      await connection?.close();
    },
  };
}
