import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger';
import { HttpError, notFound } from './errors';

/** body-parser's errors carry `type` and `status`. */
interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  const { type, limit } = (error ?? {}) as BodyParserError;
  if (type === 'entity.too.large') {
    return new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${limit} bytes`, { limitBytes: limit });
  }
  if (type === 'entity.parse.failed') return new HttpError(400, 'VALIDATION_ERROR', 'Request body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new HttpError(400, 'VALIDATION_ERROR', 'Unsupported request body encoding');
  }
  if (type === 'request.aborted' || type === 'request.size.invalid') {
    return new HttpError(400, 'VALIDATION_ERROR', 'Request body was incomplete');
  }
  // The router could not percent-decode a path parameter (e.g. /orders/%E0%A4%A): the caller's mistake.
  if (error instanceof URIError) return new HttpError(400, 'VALIDATION_ERROR', 'Path is not valid percent-encoding');
  return undefined;
}

/** Renders every error as { error: { code, message, details } }; unexpected ones as 500 INTERNAL (logged). */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = toHttpError(error);
    if (known) {
      if (known.status >= 500) logger.warn({ code: known.code, path: req.path }, known.message);
      res.status(known.status).json(known.toBody());
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal error', details: null } });
  };
}

export const notFoundHandler: RequestHandler = (req) => {
  throw notFound(`No route ${req.method} ${req.path}`);
};
