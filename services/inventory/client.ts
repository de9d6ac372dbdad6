import { HttpServiceClient, type CallOptions, type ServiceClientOptions } from '../../lib/http/client';
import type { OrderLine } from '../shared/schemas';
import type {
  CommitResult,
  ProductView,
  ReleaseResult,
  ReservationView,
  RestockView,
  ReverseRestockResult,
  StockStats,
} from './schemas';

export type { CallOptions, ServiceClientOptions } from '../../lib/http/client';
export { ServiceError } from '../../lib/http/client';

type Keyed = CallOptions & { idempotencyKey: string };
const path = encodeURIComponent;

/** Typed client of the inventory service (throws ServiceError with the service's error code). */
export class InventoryClient {
  private readonly http: HttpServiceClient;
  constructor(options: ServiceClientOptions) {
    this.http = new HttpServiceClient(options);
  }

  /** 201 new / 200 same reservation again; INSUFFICIENT_STOCK, UNKNOWN_PRODUCT, RESERVATION_RELEASED, RESERVATION_EXISTS. */
  reserve(input: { orderId: string; items: OrderLine[] }, call: Keyed): Promise<ReservationView> {
    return this.http.request('POST', '/reservations', input, call);
  }

  /** Compensation: safe when nothing was reserved (released: false). */
  release(orderId: string, call: Keyed): Promise<ReleaseResult> {
    return this.http.request('POST', `/reservations/${path(orderId)}/release`, {}, call);
  }

  /** NOT_FOUND without a reservation, RESERVATION_RELEASED after a release. */
  commit(orderId: string, call: Keyed): Promise<CommitResult> {
    return this.http.request('POST', `/reservations/${path(orderId)}/commit`, {}, call);
  }

  /**
   * Puts a return's units back on sale; 201 new / 200 the same again. RESTOCK_EXCEEDS_COMMITTED, RESTOCK_REVERSED,
   * RESTOCK_EXISTS.
   */
  restock(input: { returnId: string; orderId: string; items: OrderLine[] }, call: Keyed): Promise<RestockView> {
    return this.http.request('POST', '/restocks', input, call);
  }

  /** Compensation of restock: safe when nothing was restocked (NONE); RESTOCK_UNAVAILABLE when units were sold again. */
  reverseRestock(returnId: string, call: Keyed): Promise<ReverseRestockResult> {
    return this.http.request('POST', `/restocks/${path(returnId)}/reverse`, {}, call);
  }

  getRestock(returnId: string, call?: CallOptions): Promise<RestockView> {
    return this.http.request('GET', `/restocks/${path(returnId)}`, undefined, call);
  }

  getReservation(orderId: string, call?: CallOptions): Promise<ReservationView> {
    return this.http.request('GET', `/reservations/${path(orderId)}`, undefined, call);
  }

  async listProducts(call?: CallOptions): Promise<ProductView[]> {
    return (await this.http.request<{ products: ProductView[] }>('GET', '/products', undefined, call)).products;
  }

  getProduct(sku: string, call?: CallOptions): Promise<ProductView> {
    return this.http.request('GET', `/products/${path(sku)}`, undefined, call);
  }

  stats(call?: CallOptions): Promise<StockStats> {
    return this.http.request('GET', '/stats', undefined, call);
  }
}
