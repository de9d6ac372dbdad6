import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { WaitSlots } from '../wait-slots';
import type { ApiConfig, ApiKey } from '../config';
import { ApiError } from '../errors';
import { OrderIdSchema } from '../schemas';
import { withDeadline } from '../temporal';

/** What the order routes need: the Temporal client and the API configuration. */
export interface OrdersContext {
  client: Client;
  config: ApiConfig;
  /** The process's long waits, capped in all and per tenant. */
  waits: WaitSlots;
  /** With API_SAGA_WORKER=on: the client on this process's saga worker, once it runs (api/saga-worker.ts). */
  starter?: () => Client | undefined;
}

/**
 * Starts a saga within the API's Temporal deadline: eagerly, on this process's saga worker, when it runs one
 * (`start` gets that client and `eager` true); else through the API's own connection.
 */
export function startSaga<T>(ctx: OrdersContext, start: (client: Client, eager: boolean) => Promise<T>): Promise<T> {
  const starter = ctx.starter?.();
  const client = starter ?? ctx.client;
  return withDeadline(client, ctx.config.TEMPORAL_RPC_TIMEOUT_MS, () => start(client, starter !== undefined));
}

/** Whose wait a request is: its key's tenant, or the operator key's name. */
export const waiterOf = (key: ApiKey): string => key.tenant ?? `operator:${key.name}`;

/** The workflow type every order runs as (workflows/order/workflow.ts). */
export const ORDER_WORKFLOW_TYPE = 'orderFulfillment';

/** The memo the API attaches when it starts an order saga. */
export interface OrderMemo {
  /** sha256 of the canonical request body: a replayed Idempotency-Key must come with the same body. */
  requestHash: string;
  /** The tenant that owns the order (the idempotency scope); absent on orders started before tenants existed. */
  tenant?: string;
  /** Name of the API key that created the order (before tenants: also the owner). */
  apiKey: string;
  /** The request that started the saga, to correlate API logs with the workflow. */
  requestId: string;
  customerId: string;
  currency: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Order id = workflow id: derived from the tenant and the Idempotency-Key, so a retry finds its order, also with
 * another key of the same tenant (rotation). Before tenants the key name stood here: a `name:secret:role` client
 * key is its own tenant, so its order ids did not change.
 */
export function orderIdFor(tenant: string, idempotencyKey: string): string {
  return `ord_${sha256(`${tenant}:${idempotencyKey}`).slice(0, 24)}`;
}

/** The tenant a key creates orders for; a global operator key has none, so it cannot create orders. */
export function creatingTenant(key: ApiKey): string {
  if (key.tenant === undefined) {
    throw new ApiError(
      'FORBIDDEN',
      `key ${key.name} is a global operator key of no tenant; orders are created with a tenant's key`,
    );
  }
  return key.tenant;
}

/** What scopes a key's Idempotency-Keys: its tenant, or a global operator's own name. */
export function idempotencyScope(key: ApiKey): string {
  return key.tenant ?? key.name;
}

/** The tenant owning an order, from its memo (orders started before tenants: the creating key's name). */
export function ownerOf(memo: Partial<OrderMemo>): string | undefined {
  return memo.tenant ?? memo.apiKey;
}

/** Whether the key may see an order of this owner: its own tenant's, or any for a global operator. */
export function maySee(key: ApiKey, owner: string | undefined): boolean {
  return key.tenant === undefined || key.tenant === owner;
}

/** JSON with object keys sorted at every level (array order kept), so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(body: unknown): string {
  return sha256(canonicalJson(body));
}

export const statusUrl = (orderId: string) => `/orders/${orderId}`;

/** Validates an order id from the path; ids that cannot exist are 404 without asking Temporal. */
export function parseOrderId(raw: unknown): string {
  const parsed = OrderIdSchema.safeParse(raw);
  if (!parsed.success) throw orderNotFound();
  return parsed.data;
}

export const orderNotFound = (orderId?: string) =>
  new ApiError('ORDER_NOT_FOUND', orderId ? `no order ${orderId}` : 'no such order');
