import type { Request, RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process for its runtime metrics (heap, event loop, GC), however many apps it runs. */
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export interface HttpMetrics {
  /** The app's metrics merged with the process's: what /metrics serves. */
  registry: Registry;
  /** Counts and times every request by method, route template and status. */
  middleware: RequestHandler;
  /** Serves the registry in Prometheus' text format. */
  handler: RequestHandler;
}

/** The route template that matched (`/orders/:id`), never the raw path, so ids do not become label values. */
function routeOf(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : 'unmatched';
}

/** Prometheus metrics of one Express app (prom-client): `http_requests_total` and `http_request_duration_seconds`. */
export function createHttpMetrics(service: string): HttpMetrics {
  const own = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [own],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request to the end of the response, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [own],
  });
  const registry = Registry.merge([own, processMetrics()]);
  registry.setDefaultLabels({ service });
  return {
    registry,
    middleware: (req, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const labels = { method: req.method, route: routeOf(req), status: String(res.statusCode) };
        requests.inc(labels);
        duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    },
    handler: (_req, res, next) => {
      registry.metrics().then((text) => {
        res.setHeader('Content-Type', registry.contentType);
        res.send(text);
      }, next);
    },
  };
}
