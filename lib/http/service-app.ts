import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import express, { type Router } from 'express';
import type { Logger } from '../logger';
import { requireBearerToken } from './auth';
import { errorHandler, notFoundHandler } from './error-handler';
import { HttpError } from './errors';
import { faultInjection, type FaultConfig } from './fault-injection';
import { requestLog } from './request-log';
import { createHttpMetrics } from '../telemetry/http-metrics';

export interface ServiceAppOptions {
  name: string;
  /** Shared secret every route but /health and /ready requires as a bearer token. */
  token: string;
  logger: Logger;
  /** Database reachability for /ready. */
  ping: () => Promise<void>;
  /** Share of mutating requests answered 503 before any effect (chaos testing); default 0. */
  faultRate?: number;
  /** Every injected fault (latency, 503 before or after the effect); `faultRate` is its `rate`. */
  faults?: FaultConfig;
  /** Largest accepted JSON body (default 64kb); larger is 413 PAYLOAD_TOO_LARGE. */
  bodyLimit?: string;
  routes: Router;
}

/**
 * The plumbing every service shares: request metrics and log, /metrics (Prometheus), /health (liveness) and /ready (database reachable) without auth,
 * bearer auth, a JSON body limit, fault injection, the service's routes, JSON 404s and the JSON error body.
 */
export function createServiceApp(options: ServiceAppOptions): express.Express {
  const { name, token, logger, ping, faultRate = 0, faults, bodyLimit = '64kb', routes } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const metrics = createHttpMetrics(name);
  app.use(metrics.middleware);
  app.use(requestLog(logger));
  // Like /health, /metrics needs no token: services are reachable only from the worker's network.
  app.get('/metrics', metrics.handler);
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: name });
  });
  app.get('/ready', async (_req, res) => {
    try {
      // Readiness probes come every few seconds: their database ping is no trace worth keeping.
      await context.with(suppressTracing(context.active()), ping);
    } catch (error) {
      logger.warn({ err: error }, 'database unreachable');
      throw new HttpError(503, 'NOT_READY', 'Database unreachable');
    }
    res.json({ status: 'ready', service: name });
  });
  app.use(requireBearerToken(token));
  app.use(express.json({ limit: bodyLimit, strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(faultInjection({ rate: faultRate, ...faults }));
  app.use(routes);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
