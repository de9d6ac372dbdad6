import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../lib/logger';
import type { ApiKey } from './config';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id: the caller's sane X-Request-Id, or a generated UUID. */
    id: string;
    /** pino child logger bound to requestId (and workflowId once known). */
    log: Logger;
    /** The authenticated API key, set by `authenticate`. */
    apiKey?: ApiKey;
  }
}

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** The project's correlation header (the activities send it to the services too): the order's workflow id. */
export const WORKFLOW_ID_HEADER = 'X-Workflow-Id';

const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives each request an id (the caller's X-Request-Id when it is sane, else a fresh UUID), echoes it in
 * the response header, binds it to a child logger, and writes one access log line when the response ends.
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const offered = req.get(REQUEST_ID_HEADER);
    req.id = offered && saneRequestId.test(offered) ? offered : randomUUID();
    req.log = logger.child({ requestId: req.id });
    res.setHeader(REQUEST_ID_HEADER, req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info(
        {
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          apiKey: req.apiKey?.name,
        },
        'request',
      );
    });
    next();
  };
}

/** Binds the order's workflow id to the request's logs and echoes it as the correlation header. */
export function correlate(req: Request, workflowId: string): void {
  req.log = req.log.child({ workflowId });
  req.res?.setHeader(WORKFLOW_ID_HEADER, workflowId);
}
