import type { Client } from '@temporalio/client';
import express from 'express';
import type { Express, RequestHandler } from 'express';
import type { z } from 'zod';
import type { Logger } from '../lib/logger';
import { authenticate, requireRole } from './auth';
import type { ApiConfig } from './config';
import { ApiError, errorHandler, notFound, RETRY_AFTER_SECONDS } from './errors';
import { methodNotAllowed } from './method-not-allowed';
import { docsRouter } from './openapi/docs-router';
import { ACTIONS, sagaAction } from './orders/actions';
import type { ActionSpec } from './orders/actions';
import { createOrder } from './orders/create';
import { controlOperation, OPERATION_CONTROLS } from './operations/control';
import { createOperation } from './operations/create';
import { operationEvents } from './operations/events';
import { getOperation } from './operations/view';
import { orderEvents } from './orders/events';
import { WaitSlots } from './wait-slots';
import { getOrder } from './orders/get';
import { listOrders } from './orders/list';
import { ORDER_TARGET } from './orders/target';
import { rateLimit } from './rate-limit';
import { parcelReceived } from './returns/actions';
import { createReturn } from './returns/create';
import { RETURN_TARGET } from './returns/target';
import { getReturn } from './returns/view';
import { requestContext } from './request-id';
import { withDeadline } from './temporal';
import { createHttpMetrics } from '../lib/telemetry/http-metrics';
import type { HttpMetrics } from '../lib/telemetry/http-metrics';

export interface AppOptions {
  /** A Temporal client; its connection may be lazy (the API then answers 503 until Temporal is reachable). */
  client: Client;
  config: ApiConfig;
  logger: Logger;
  /** Where the request metrics go (api/main.ts serves them on API_METRICS_PORT); a registry of its own if omitted. */
  metrics?: HttpMetrics;
  /** With API_SAGA_WORKER=on: the client on this process's saga worker, to start sagas eagerly once it runs. */
  starter?: () => Client | undefined;
}

export const BODY_LIMIT = '64kb';

/** Bodies must be JSON; anything else with a body is 415 (body-parser would silently skip it). */
const requireJson: RequestHandler = (req, _res, next) => {
  const empty = req.get('Content-Length') === '0' && req.get('Transfer-Encoding') === undefined;
  if (!empty && req.is('application/json') === false) {
    return next(new ApiError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'));
  }
  next();
};

/** TRUST_PROXY as Express reads it: true/false, a hop count, or addresses/subnets (e.g. loopback, 10.0.0.0/8). */
function trustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** The public API as an Express app (no listen: api/main.ts does that, tests listen on port 0). */
export function createApp({
  client,
  config,
  logger,
  metrics = createHttpMetrics('api'),
  starter,
}: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', trustProxy(config.TRUST_PROXY));
  app.use(metrics.middleware);
  app.use(requestContext(logger));

  app
    .route('/health')
    .get((_req, res) => {
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed('GET'));
  app
    .route('/ready')
    .get(async (req, res) => {
      const temporal = { namespace: config.TEMPORAL_NAMESPACE };
      // With its own saga worker, the API is ready once that runs: the sagas it starts then start eagerly there.
      const sagaWorker = starter ? { sagaWorker: starter() ? ('running' as const) : ('starting' as const) } : {};
      const unavailable = () => {
        res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
        res.status(503).json({ status: 'unavailable', temporal, ...sagaWorker });
      };
      try {
        await withDeadline(client, Math.min(config.TEMPORAL_RPC_TIMEOUT_MS, 2_000), () =>
          client.workflowService.getSystemInfo({}),
        );
      } catch (err) {
        req.log.warn({ err }, 'not ready: Temporal does not answer');
        return unavailable();
      }
      if (sagaWorker.sagaWorker === 'starting') return unavailable();
      res.json({ status: 'ready', temporal, ...sagaWorker });
    })
    .all(methodNotAllowed('GET'));
  app.use(docsRouter());

  const ctx = {
    client,
    config,
    waits: new WaitSlots(config.API_MAX_WAITS, config.API_MAX_WAITS_PER_TENANT),
    ...(starter ? { starter } : {}),
  };
  const authenticated = [
    authenticate(config.API_KEYS, { failuresPerMinute: config.AUTH_FAILURES_PER_MINUTE }),
    rateLimit(config.RATE_LIMIT_PER_MINUTE),
  ];
  const json = [requireJson, express.json({ limit: BODY_LIMIT })];
  const client_ = requireRole('client');
  const operator = requireRole('operator');

  app
    .route('/orders')
    .post(authenticated, client_, json, createOrder(ctx))
    .get(authenticated, client_, listOrders(ctx))
    .all(methodNotAllowed('GET', 'POST'));
  app.route('/orders/:id').get(authenticated, client_, getOrder(ctx)).all(methodNotAllowed('GET'));
  app.route('/orders/:id/events').get(authenticated, client_, orderEvents(ctx)).all(methodNotAllowed('GET'));
  app.route('/orders/:id/returns').post(authenticated, client_, json, createReturn(ctx)).all(methodNotAllowed('POST'));
  app.route('/orders/:id/returns/:returnId').get(authenticated, client_, getReturn(ctx)).all(methodNotAllowed('GET'));

  const route = (path: string, role: RequestHandler, handler: RequestHandler) =>
    app.route(path).post(authenticated, role, json, handler).all(methodNotAllowed('POST'));
  // The actions both sagas take, on an order and on one of its returns.
  const both = <S extends z.ZodType, A>(path: string, role: RequestHandler, spec: ActionSpec<S, A>) => {
    route(`/orders/:id/${path}`, role, sagaAction(ctx, ORDER_TARGET, spec));
    route(`/orders/:id/returns/:returnId/${path}`, role, sagaAction(ctx, RETURN_TARGET, spec));
  };
  both('cancel', client_, ACTIONS.cancel);
  both('approve', operator, ACTIONS.approve);
  both('retry-compensation', operator, ACTIONS.retryCompensation);
  both('skip-compensation', operator, ACTIONS.skipCompensation);
  both('retry-step', operator, ACTIONS.retryStep);
  both('resolve-step', operator, ACTIONS.resolveStep);
  both('restart', operator, ACTIONS.restart);
  route('/orders/:id/returns/:returnId/parcel-received', operator, sagaAction(ctx, RETURN_TARGET, parcelReceived));

  // Bulk operations on sagas (operators): a dry run, or a durable operation of its own.
  app.route('/operations').post(authenticated, operator, json, createOperation(ctx)).all(methodNotAllowed('POST'));
  app.route('/operations/:id').get(authenticated, operator, getOperation(ctx)).all(methodNotAllowed('GET'));
  app.route('/operations/:id/events').get(authenticated, operator, operationEvents(ctx)).all(methodNotAllowed('GET'));
  for (const control of Object.keys(OPERATION_CONTROLS) as (keyof typeof OPERATION_CONTROLS)[]) {
    route(`/operations/:id/${control}`, operator, controlOperation(ctx, control));
  }

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
