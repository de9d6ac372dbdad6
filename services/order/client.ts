import { HttpServiceClient, type CallOptions, type ServiceClientOptions } from '../../lib/http/client';
import type { OrderLine } from '../shared/schemas';
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
