import { HttpServiceClient, type CallOptions, type ServiceClientOptions } from '../../lib/http/client';
import type { AuthorizeInput, CancelResult, LedgerSummary, PaymentView } from './schemas';

export type { CallOptions, ServiceClientOptions } from '../../lib/http/client';
export { ServiceError } from '../../lib/http/client';

type Keyed = CallOptions & { idempotencyKey: string };
const path = encodeURIComponent;

/** Typed client of the payment service (throws ServiceError with the service's error code). */
export class PaymentClient {
  private readonly http: HttpServiceClient;
  constructor(options: ServiceClientOptions) {
    this.http = new HttpServiceClient(options);
  }

  /** paymentMethod: a test token (see PAYMENT_METHODS). PAYMENT_DECLINED, INSUFFICIENT_FUNDS, PAYMENT_CANCELLED, PAYMENT_EXISTS; tok_flaky/faults are retryable 503s. */
  authorize(
    input: Omit<AuthorizeInput, 'paymentMethod'> & { paymentMethod: string },
    call: Keyed,
  ): Promise<PaymentView> {
    return this.http.request('POST', '/payments/authorize', input, call);
  }

  /** NOT_FOUND without an authorization; PAYMENT_CANCELLED after a cancel. */
  capture(orderId: string, call: Keyed): Promise<PaymentView> {
    return this.http.request('POST', `/payments/${path(orderId)}/capture`, {}, call);
  }

  /** Compensation: VOIDED, REFUNDED or NONE (safe when there is no payment). */
  cancel(orderId: string, call: Keyed): Promise<CancelResult> {
    return this.http.request('POST', `/payments/${path(orderId)}/cancel`, {}, call);
  }

  /**
   * REFUND_EXCEEDS_CAPTURE when the refunds would add up to more than was captured. With a `reference` (what the
   * refund is for), a second refund of it under any key answers the payment as it is; another amount is REFUND_EXISTS.
   */
  refund(orderId: string, amountMinor: number, call: Keyed, reference?: string): Promise<PaymentView> {
    const body = reference === undefined ? { amountMinor } : { amountMinor, reference };
    return this.http.request('POST', `/payments/${path(orderId)}/refund`, body, call);
  }

  getPayment(orderId: string, call?: CallOptions): Promise<PaymentView> {
    return this.http.request('GET', `/payments/${path(orderId)}`, undefined, call);
  }

  ledgerSummary(call?: CallOptions): Promise<LedgerSummary> {
    return this.http.request('GET', '/ledger/summary', undefined, call);
  }
}
