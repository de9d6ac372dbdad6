import type { BusinessErrorCode } from '../business-errors';

/** Codes of faults (5xx): the caller may retry. */
export type FaultCode = 'INTERNAL' | 'SERVICE_UNAVAILABLE' | 'NOT_READY';
export type ErrorCode = BusinessErrorCode | FaultCode;

/** The one error body every service answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

/** An error with its HTTP answer; thrown by routes and plumbing, rendered by errorHandler. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** 409: a business conflict with a stable code; the saga maps it to a non-retryable failure. */
export const conflict = (code: BusinessErrorCode, message: string, details: unknown = null) =>
  new HttpError(409, code, message, details);

export const notFound = (message: string, details: unknown = null) => new HttpError(404, 'NOT_FOUND', message, details);

export const validationError = (message: string, details: unknown = null) =>
  new HttpError(400, 'VALIDATION_ERROR', message, details);

export const serviceUnavailable = (message: string, details: unknown = null) =>
  new HttpError(503, 'SERVICE_UNAVAILABLE', message, details);
