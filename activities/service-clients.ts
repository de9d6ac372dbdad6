import { balancedFetch } from '../lib/http/balanced-fetch';
import { ServiceBreaker } from '../lib/http/circuit-breaker';
import { requestFetch } from '../lib/http/request-fetch';
import type { BreakerOptions, BreakerState } from '../lib/http/circuit-breaker';
import { InventoryClient } from '../services/inventory/client';
import { OrderClient } from '../services/order/client';
import { PaymentClient } from '../services/payment/client';

export interface ServiceClients {
  inventory: InventoryClient;
  payment: PaymentClient;
  order: OrderClient;
}

export interface ServicesConfig {
  /** Each service's base URL, or its replicas' (calls are then balanced over them, lib/http/balanced-fetch.ts). */
  inventoryUrl: string | readonly string[];
  paymentUrl: string | readonly string[];
  orderUrl: string | readonly string[];
  /**
   * Each service's own bearer token. A worker holds only the tokens of the lanes it runs (workers/config.ts), so a
   * leaked payment-lane worker cannot call inventory or order.
   */
  tokens: Record<keyof ServiceClients, string>;
  /** Per-request timeout; keep it below the activities' start-to-close timeout. */
  timeoutMs: number;
  /** One circuit breaker per service (omit for none). */
  breaker?: BreakerOptions;
}

/**
 * How the clients reach the services: by default undici's `request` behind fetch's signature (one URL,
 * lib/http/request-fetch.ts) or a balancing transport over a service's replicas; `fetch` replaces that transport
 * (tests), `decorate` wraps whichever one a service gets (timing).
 */
type Fetch = typeof globalThis.fetch;

export interface ServiceTransport {
  fetch?: Fetch;
  decorate?: (transport: Fetch) => Fetch;
}

/** Reported on every change of a service's circuit (the worker logs it). */
export type BreakerListener = (service: keyof ServiceClients, state: BreakerState) => void;

/** One typed client per service; `fetch` is the transport (tests may pass their own). */
export function createServiceClients(
  config: ServicesConfig,
  http: ServiceTransport = {},
  onBreakerChange: BreakerListener = () => undefined,
): ServiceClients {
  // Several replicas: a balancing transport over them, unless the caller brought its own.
  const transport = (urls: string | readonly string[]) => {
    const list = typeof urls === 'string' ? [urls] : urls;
    const base = http.fetch ?? (list.length > 1 ? balancedFetch(list).fetch : requestFetch());
    return { baseUrl: list[0]!, fetch: http.decorate?.(base) ?? base };
  };
  const common = (service: keyof ServiceClients) => ({
    timeoutMs: config.timeoutMs,
    token: config.tokens[service],
    ...(config.breaker
      ? { breaker: new ServiceBreaker(service, config.breaker, (state) => onBreakerChange(service, state)) }
      : {}),
  });
  return {
    inventory: new InventoryClient({ ...common('inventory'), ...transport(config.inventoryUrl) }),
    payment: new PaymentClient({ ...common('payment'), ...transport(config.paymentUrl) }),
    order: new OrderClient({ ...common('order'), ...transport(config.orderUrl) }),
  };
}
