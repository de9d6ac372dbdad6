/**
 * Business failure codes the services answer with (HTTP 409/422/400). Activities raise them as
 * non-retryable ApplicationFailures typed with the code; retry policies also list them as non-retryable.
 */
export const BUSINESS_ERROR_CODES = [
  'VALIDATION_ERROR',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'IDEMPOTENCY_KEY_REUSED',
  'INSUFFICIENT_STOCK',
  'UNKNOWN_PRODUCT',
  'RESERVATION_RELEASED',
  'ORDER_EXISTS',
  'ILLEGAL_TRANSITION',
  'PAYMENT_DECLINED',
  'INSUFFICIENT_FUNDS',
  'REFUND_EXCEEDS_CAPTURE',
  'REFUND_EXISTS',
  'PAYLOAD_TOO_LARGE',
  'RESERVATION_EXISTS',
  'PAYMENT_EXISTS',
  'PAYMENT_CANCELLED',
  'CURRENCY_MISMATCH',
  'ORDER_CLOSED',
  /** Raised by the createOrder activity: the order id is taken by an earlier saga (see docs/SAGAS.md). */
  'ORDER_ID_REUSED',
  'RETURN_EXISTS',
  'RETURN_CLOSED',
  'RETURN_NOT_ALLOWED',
  'RETURN_EXCEEDS_ORDER',
  'RESTOCK_EXISTS',
  'RESTOCK_REVERSED',
  'RESTOCK_EXCEEDS_COMMITTED',
  'RESTOCK_UNAVAILABLE',
  /** Raised by the requestReturn activity: the return id is taken by an earlier saga. */
  'RETURN_ID_REUSED',
] as const;

export type BusinessErrorCode = (typeof BUSINESS_ERROR_CODES)[number];
