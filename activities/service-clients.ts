import { InventoryClient } from '../services/inventory/client';
import { OrderClient } from '../services/order/client';
import { PaymentClient } from '../services/payment/client';

export interface ServiceClients {
  inventory: InventoryClient;
  payment: PaymentClient;
  order: OrderClient;
}

export interface ServicesConfig {
  inventoryUrl: string;
  paymentUrl: string;
  orderUrl: string;
  /**
   * Each service's own bearer token. A worker holds only the tokens of the lanes it runs (workers/config.ts), so a
   * leaked payment-lane worker cannot call inventory or order.
   */
  tokens: Record<keyof ServiceClients, string>;
  /** Per-request timeout; keep it below the activities' start-to-close timeout. */
  timeoutMs: number;
}

/** One typed client per service; `fetch` is the transport (tests may pass their own). */
export function createServiceClients(config: ServicesConfig, http: { fetch?: typeof fetch } = {}): ServiceClients {
  const common = { timeoutMs: config.timeoutMs, fetch: http.fetch };
  return {
    inventory: new InventoryClient({ ...common, token: config.tokens.inventory, baseUrl: config.inventoryUrl }),
    payment: new PaymentClient({ ...common, token: config.tokens.payment, baseUrl: config.paymentUrl }),
    order: new OrderClient({ ...common, token: config.tokens.order, baseUrl: config.orderUrl }),
  };
}
