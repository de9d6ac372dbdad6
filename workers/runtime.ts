import { Runtime } from '@temporalio/worker';
import type { Logger } from '../lib/logger';
import { temporalLoggerFor } from '../lib/temporal-logger';
import { workerTelemetry } from '../lib/telemetry/worker-metrics';
import type { WorkerConfig } from './config';

/**
 * Installs the process's Temporal runtime for its workers: the SDK's logs into `logger`, and its metrics (the
 * saga metrics among them) on WORKER_METRICS_HOST:WORKER_METRICS_PORT when a port is set. Once per process.
 */
export function installWorkerRuntime(config: WorkerConfig, logger: Logger): { runtime: Runtime; metricsUrl?: string } {
  const metricsAddress =
    config.WORKER_METRICS_PORT === undefined
      ? undefined
      : `${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}`;
  const runtime = Runtime.install({
    logger: temporalLoggerFor(logger),
    ...(metricsAddress ? { telemetryOptions: workerTelemetry(metricsAddress) } : {}),
  });
  return { runtime, ...(metricsAddress ? { metricsUrl: `http://${metricsAddress}/metrics` } : {}) };
}
