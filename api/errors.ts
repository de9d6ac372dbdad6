import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { isTemporalUnavailable } from './temporal';

/** Every error code the API answers with, and its HTTP status. Codes are stable: clients may switch on them. */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  INVALID_JSON: 400,
  INVALID_IDEMPOTENCY_KEY: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  RETURN_NOT_FOUND: 404,
  OPERATION_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ORDER_CLOSED: 409,
  CANCEL_REFUSED: 409,
  NOT_AWAITING_APPROVAL: 409,
  NO_PARKED_COMPENSATION: 409,
  NO_PARKED_STEP: 409,
  RETURN_CLOSED: 409,
  ORDER_NOT_RETURNABLE: 409,
  PARCEL_REFUSED: 409,
  RESTART_REFUSED: 409,
  OPERATION_REFUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  TOO_MANY_TARGETS: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  TEMPORAL_UNAVAILABLE: 503,
  ORDER_NOT_RESPONDING: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** Seconds a client should wait before retrying when Temporal or the order's workflow is not answering. */
export const RETRY_AFTER_SECONDS = 5;

/** An error the API answers deliberately, in the one JSON error shape. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
  requestId: string;
}

/** zod issues as error details: where, what, and zod's code, without echoing the rejected input. */
export function zodDetails(error: z.ZodError): { issues: { path: string; message: string; code: string }[] } {
  return {
    issues: error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
      code: issue.code,
    })),
  };
}

/** Body-parser failures carry a `type`; they are the client's fault, so they become 4xx codes. */
function fromBodyParser(err: unknown): ApiError | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  switch ((err as { type: unknown }).type) {
    case 'entity.too.large':
      return new ApiError('PAYLOAD_TOO_LARGE', 'request body exceeds the 64kb limit');
    case 'entity.parse.failed':
      return new ApiError('INVALID_JSON', 'request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'request body must be UTF-8 JSON');
    case 'request.aborted':
    case 'request.size.invalid':
      return new ApiError('VALIDATION_ERROR', 'request body was incomplete');
    default:
      return undefined;
  }
}

export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  // The router could not percent-decode a path parameter (e.g. /orders/%E0%A4%A): the only parameters are order
  // ids, and no order id looks like that.
  if (err instanceof URIError) return new ApiError('ORDER_NOT_FOUND', 'no such order');
  if (err instanceof z.ZodError) return new ApiError('VALIDATION_ERROR', 'request is invalid', zodDetails(err));
  const parsed = fromBodyParser(err);
  if (parsed) return parsed;
  if (isTemporalUnavailable(err)) {
    return new ApiError('TEMPORAL_UNAVAILABLE', 'the workflow service is unreachable; retry later', undefined, {
      'Retry-After': String(RETRY_AFTER_SECONDS),
    });
  }
  return undefined;
}

/** The last handler for unmatched routes. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new ApiError('NOT_FOUND', `no route ${req.method} ${req.path}`));
};

/** The one error middleware: every failure leaves as `{ error: { code, message, details }, requestId }`. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) return next(err);
  let apiError = toApiError(err);
  if (!apiError) {
    req.log.error({ err }, 'unexpected error');
    apiError = new ApiError('INTERNAL', 'internal error; quote the request id when reporting it');
  } else if (apiError.status >= 500) {
    // Expected outages: one line with the cause, not a stack.
    const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    req.log.warn({ code: apiError.code, cause }, apiError.message);
  }
  for (const [name, value] of Object.entries(apiError.headers)) res.setHeader(name, value);
  const body: ErrorBody = {
    error: {
      code: apiError.code,
      message: apiError.message,
      ...(apiError.details === undefined ? {} : { details: apiError.details }),
    },
    requestId: req.id,
  };
  res.status(apiError.status).json(body);
};
