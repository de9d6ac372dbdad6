import type { RequestHandler } from 'express';
import type { Logger } from '../logger';

/** One log line per request, with the saga's correlation id (X-Workflow-Id) and the idempotency key. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const fields = {
        method: req.method,
        path: req.originalUrl,
        status: res.statusCode,
        ms: Math.round(ms * 10) / 10,
        workflowId: req.get('x-workflow-id'),
        idempotencyKey: req.get('idempotency-key'),
      };
      if (res.statusCode >= 500) logger.warn(fields, 'request failed');
      else logger.debug(fields, 'request');
    });
    next();
  };
}
