import { tracing } from './tracing';
import type { Server } from 'node:http';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { ClientOptions } from '@temporalio/client';
import { OpenTelemetryPlugin, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { createLogger } from '../lib/logger';
import { createApp } from './app';
import { listen } from '../lib/http/listen';
import { loadConfig } from './config';
import { temporalTls } from '../lib/temporal-tls';
import { dataConverterFor } from '../lib/codec/data-converter';
import { loadPayloadKeys } from '../lib/codec/payload-keys';
import { createHttpMetrics } from '../lib/telemetry/http-metrics';
import { serveMetrics } from '../lib/telemetry/metrics-server';
import { startApiSagaWorker } from './saga-worker';

// The API process: the Temporal connection is lazy, so the API starts (and answers 503 TEMPORAL_UNAVAILABLE
// with Retry-After) while Temporal is down, and serves normally as soon as it is reachable.
const logger = createLogger({ component: 'api' });

async function waitForTemporal(client: Client, stopped: () => boolean): Promise<void> {
  for (let attempt = 0, delay = 500; !stopped(); attempt++, delay = Math.min(delay * 2, 15_000)) {
    try {
      await client.connection.withDeadline(Date.now() + 3_000, () => client.workflowService.getSystemInfo({}));
      logger.info('Temporal is reachable');
      return;
    } catch (err) {
      if (attempt === 0 || attempt % 10 === 0)
        logger.warn({ err }, 'Temporal not reachable yet; answering 503 meanwhile');
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const payloadKeys = loadPayloadKeys();
  const tls = temporalTls();
  const connection = Connection.lazy({
    address: config.TEMPORAL_ADDRESS,
    ...(tls ? { tls } : {}),
    // Fewer gRPC retries than the SDK's default (10): a request should fail over to 503 within its deadline.
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
  });
  const clientOptions: Omit<ClientOptions, 'connection'> = {
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterFor(payloadKeys),
    // The saga's trace continues from the request's span: the interceptor puts its context in the start's headers.
    ...(tracing ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}),
  };
  const client = new Client({ ...clientOptions, connection });
  const sagaWorker =
    config.API_SAGA_WORKER === 'on'
      ? startApiSagaWorker({
          logger,
          payloadKeys,
          clientOptions,
          operationsClient: client,
          ...(tracing ? { plugins: [new OpenTelemetryPlugin(tracing)] } : {}),
          onFatal: (err) => {
            logger.fatal({ err }, 'the saga worker failed');
            process.exit(1);
          },
        })
      : undefined;
  const metrics = createHttpMetrics('api');
  const app = createApp({ client, config, logger, metrics, ...(sagaWorker ? { starter: sagaWorker.starter } : {}) });
  const server = await listen(app, config.API_PORT, config.API_HOST);
  const metricsServer =
    config.API_METRICS_PORT === undefined
      ? undefined
      : await serveMetrics(metrics, config.API_METRICS_PORT, config.API_METRICS_HOST);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.API_PORT;
  logger.info(
    {
      url: `http://${config.API_HOST}:${port}`,
      docs: `http://${config.API_HOST}:${port}/docs`,
      temporal: config.TEMPORAL_ADDRESS,
      temporalTls: tls ? 'mutual' : 'off',
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TASK_QUEUE,
      keys: config.API_KEYS.map((key) => `${key.name} (${key.role})`),
      payloadEncryption: payloadKeys ? `on (key ${payloadKeys.current.id})` : 'off',
      sagaWorker: config.API_SAGA_WORKER,
      metrics: metricsServer ? `http://${config.API_METRICS_HOST}:${config.API_METRICS_PORT}/metrics` : 'off',
    },
    'api listening',
  );

  let stopping = false;
  void waitForTemporal(client, () => stopping);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api stopping: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.warn('in-flight requests did not finish in 10 s; closing their connections');
      server.closeAllConnections();
    }, 10_000).unref();
    await close(server);
    clearTimeout(force);
    // Its sagas' tasks in flight finish within the worker's grace time; the rest go to the other workers.
    await sagaWorker?.stop();
    if (metricsServer) await close(metricsServer);
    await connection.close();
    await tracing?.shutdown();
    logger.info('api stopped');
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'api failed to start');
  process.exit(1);
});
