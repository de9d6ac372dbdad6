import express from 'express';
import type { Server } from 'node:http';
import { listen } from '../http/listen';
import type { HttpMetrics } from './http-metrics';

/**
 * A listener of its own for /metrics, for a process whose main port is public (the API): Prometheus scrapes it on
 * the internal network, and request rates by route never reach the Internet.
 */
export function serveMetrics(metrics: HttpMetrics, port: number, host: string): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metrics.handler);
  return listen(app, port, host);
}
