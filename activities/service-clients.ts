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
  /** The shared bearer token the services check. */
  token: string;
  /** Per-request timeout; keep it below the activities' start-to-close timeout. */
  timeoutMs: number;
}

/** One typed client per service; `fetch` is the transport (tests may pass their own). */
export function createServiceClients(config: ServicesConfig, http: { fetch?: typeof fetch } = {}): ServiceClients {
  const common = { token: config.token, timeoutMs: config.timeoutMs, fetch: http.fetch };
  return {
    inventory: new InventoryClient({ ...common, baseUrl: config.inventoryUrl }),
    payment: new PaymentClient({ ...common, baseUrl: config.paymentUrl }),
    order: new OrderClient({ ...common, baseUrl: config.orderUrl }),
  };
}
