import { BalancedPool, RetryAgent } from 'undici';
import { requestFetch } from './request-fetch';

// Client-side balancing over a service's replicas (a list of base URLs, e.g. INVENTORY_URL=http://a:7101,http://b:7101)
// with undici's BalancedPool: weighted round robin in which an upstream that fails to connect loses weight and one
// that answers regains it, so a dead replica stops receiving calls. A call that fails at the connection (refused,
// or a kept-alive socket the dying replica closed) goes to another replica at once. Sending it again is safe for the
// service clients, the only users: reads are safe, and every mutating call carries its Idempotency-Key, whose
// stored answer a replica that did apply it gives back. HTTP answers (4xx, 5xx) are the caller's, as with one URL.

export interface BalancedFetch {
  fetch: typeof fetch;
  close(): Promise<void>;
}

export function balancedFetch(baseUrls: readonly string[]): BalancedFetch {
  const pool = new BalancedPool(baseUrls.map((url) => new URL(url).origin));
  const dispatcher = new RetryAgent(pool, {
    maxRetries: baseUrls.length,
    minTimeout: 20,
    maxTimeout: 200,
    methods: ['GET', 'POST'],
    errorCodes: ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'],
    statusCodes: [],
  });
  return { fetch: requestFetch(dispatcher), close: () => dispatcher.close() };
}
