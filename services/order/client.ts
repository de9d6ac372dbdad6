import { HttpServiceClient, type CallOptions, type ServiceClientOptions } from '../../lib/http/client';
import type { OrderLine } from '../shared/schemas';
import type { ReturnStatusInput, ReturnView, VoidLabelResult } from './return-schemas';
import type { OrderView } from './schemas';
import type { OrderStatus } from './state-machine';

export type { CallOptions, ServiceClientOptions } from '../../lib/http/client';
export { ServiceError } from '../../lib/http/client';

type Keyed = CallOptions & { idempotencyKey: string };
const path = encodeURIComponent;

/** Typed client of the order service (throws ServiceError with the service's error code). */
export class OrderClient {
  private readonly http: HttpServiceClient;
  constructor(options: ServiceClientOptions) {
    this.http = new HttpServiceClient(options);
  }

  /**
   * Totals are computed by the service. UNKNOWN_PRODUCT, CURRENCY_MISMATCH, ORDER_EXISTS. `created` is false when
   * the order was already there, made under another idempotency key (the same content answers 200, not 201).
   */
  async create(
    input: { orderId: string; customerId: string; currency: string; items: OrderLine[] },
    call: Keyed,
  ): Promise<OrderView & { created: boolean }> {
    const { status, body } = await this.http.exchange<OrderView>('POST', '/orders', input, call);
    return { ...body, created: status === 201 };
  }

  /** NOT_FOUND for an unknown order; ILLEGAL_TRANSITION (details { from, to }) off the state machine. */
  setStatus(orderId: string, input: { status: OrderStatus; reason?: string }, call: Keyed): Promise<OrderView> {
    return this.http.request('POST', `/orders/${path(orderId)}/status`, input, call);
  }

  /**
   * Requests a return of a fulfilled order's units, priced by the service. RETURN_NOT_ALLOWED, RETURN_EXCEEDS_ORDER,
   * RETURN_EXISTS, RETURN_CLOSED; `created` is false when the return was already there under another key.
   */
  async requestReturn(
    input: { returnId: string; orderId: string; items: OrderLine[]; reason?: string },
    call: Keyed,
  ): Promise<ReturnView & { created: boolean }> {
    const { status, body } = await this.http.exchange<ReturnView>('POST', '/returns', input, call);
    return { ...body, created: status === 201 };
  }

  /** Issues the return's carrier label; RETURN_CLOSED once it closed. */
  createLabel(returnId: string, call: Keyed): Promise<ReturnView> {
    return this.http.request('POST', `/returns/${path(returnId)}/label`, {}, call);
  }

  /** Compensation of createLabel: safe when no label was issued (NONE) and once the parcel came (USED). */
  voidLabel(returnId: string, call: Keyed): Promise<VoidLabelResult> {
    return this.http.request('POST', `/returns/${path(returnId)}/label/void`, {}, call);
  }

  /** NOT_FOUND for an unknown return (closing one leaves a tombstone); ILLEGAL_TRANSITION off its state machine. */
  setReturnStatus(returnId: string, input: ReturnStatusInput, call: Keyed): Promise<ReturnView> {
    return this.http.request('POST', `/returns/${path(returnId)}/status`, input, call);
  }

  getReturn(returnId: string, call?: CallOptions): Promise<ReturnView> {
    return this.http.request('GET', `/returns/${path(returnId)}`, undefined, call);
  }

  get(orderId: string, call?: CallOptions): Promise<OrderView> {
    return this.http.request('GET', `/orders/${path(orderId)}`, undefined, call);
  }

  async list(
    filter: { customerId?: string; status?: OrderStatus; limit?: number } = {},
    call?: CallOptions,
  ): Promise<OrderView[]> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) if (value !== undefined) query.set(key, String(value));
    const suffix = query.size > 0 ? `?${query}` : '';
    return (await this.http.request<{ orders: OrderView[] }>('GET', `/orders${suffix}`, undefined, call)).orders;
  }
}
