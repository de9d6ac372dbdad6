import { createHash } from 'node:crypto';
import type { Client, WorkflowExecutionDescription, WorkflowExecutionStatusName } from '@temporalio/client';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Request } from 'express';
import type { TypedSearchAttributes } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import type { SagaStatus } from '../../packages/saga';
import type { WaitSlots } from '../wait-slots';
import type { ApiConfig, ApiKey } from '../config';
import { ApiError } from '../errors';
import type { OrderStatus } from '../schemas';
import { OrderIdSchema, SAGA_STATUSES } from '../schemas';
import { isDeadlineExceeded, isTemporalUnavailable, withDeadline } from '../temporal';

/** What the order routes need: the Temporal client and the API configuration. */
export interface OrdersContext {
  client: Client;
  config: ApiConfig;
  /** The process's long waits, capped in all and per tenant. */
  waits: WaitSlots;
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

/**
 * describe() of a saga's workflow, answered only when `visible` accepts it; otherwise, and when there is none, the
 * `notFound` error (one answer for both, so a key learns nothing of what it may not see).
 */
export async function describeVisible(
  ctx: OrdersContext,
  workflowId: string,
  visible: (description: WorkflowExecutionDescription) => boolean,
  notFound: () => ApiError,
): Promise<WorkflowExecutionDescription> {
  try {
    const description = await withDeadline(ctx.client, ctx.config.TEMPORAL_RPC_TIMEOUT_MS, () =>
      ctx.client.workflow.getHandle(workflowId).describe(),
    );
    if (!visible(description)) throw notFound();
    return description;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound();
    throw err;
  }
}

/**
 * describe() of the order's workflow, for `key`; 404 ORDER_NOT_FOUND when there is none, it is no order saga, or
 * another tenant owns it (the same answer, so a key learns nothing of other tenants' orders).
 */
export function describeOrder(ctx: OrdersContext, key: ApiKey, orderId: string): Promise<WorkflowExecutionDescription> {
  return describeVisible(
    ctx,
    orderId,
    (d) => d.type === ORDER_WORKFLOW_TYPE && maySee(key, ownerOf(memoOf(d.memo))),
    () => orderNotFound(orderId),
  );
}

/** Execution statuses in which the workflow still runs (and can answer Queries and Updates). */
export function isOpen(status: WorkflowExecutionStatusName): boolean {
  return status === 'RUNNING' || status === 'PAUSED';
}

/** The search attributes the saga last published (workflows/order/publish.ts), as plain values. */
export function published(attributes: TypedSearchAttributes): {
  status?: SagaStatus;
  customerId?: string;
  step?: string;
  totalMinor?: number;
} {
  const status = attributes.get(SEARCH_ATTRIBUTES.OrderStatus);
  const step = attributes.get(SEARCH_ATTRIBUTES.SagaStep);
  return {
    status: (SAGA_STATUSES as readonly string[]).includes(status ?? '') ? (status as SagaStatus) : undefined,
    customerId: attributes.get(SEARCH_ATTRIBUTES.CustomerId),
    step: step && step !== '-' ? step : undefined,
    totalMinor: attributes.get(SEARCH_ATTRIBUTES.OrderTotal),
  };
}

const FINAL: readonly SagaStatus[] = ['COMPLETED', 'COMPENSATED', 'CANCELLED'];

/** Whether the order has its final status (the saga ended, or its workflow was closed outside it). */
export function ended(status: OrderStatus): boolean {
  return status === 'ABORTED' || (FINAL as readonly string[]).includes(status);
}

/**
 * Waits up to `seconds` for the order's workflow to close (the SDK's result long-poll, answered by the Temporal
 * server when the close event is written); true when it closed in time, however it closed.
 */
export async function endsWithin(ctx: OrdersContext, req: Request, orderId: string, seconds: number): Promise<boolean> {
  try {
    await withDeadline(ctx.client, seconds * 1000, () => ctx.client.workflow.getHandle(orderId).result());
    return true;
  } catch (err) {
    if (isDeadlineExceeded(err)) return false;
    if (err instanceof WorkflowFailedError) return true;
    if (isTemporalUnavailable(err)) throw err;
    req.log.warn({ err }, 'waiting for the order outcome failed; answering its current status');
    return false;
  }
}

/**
 * The order status from the execution status and the last published saga status: while the workflow runs
 * (or completed normally) the saga's own status; if it was closed outside the saga before a final status
 * (terminated, failed, timed out), ABORTED.
 */
export function orderStatusOf(workflowStatus: WorkflowExecutionStatusName, sagaStatus?: SagaStatus): OrderStatus {
  const saga = sagaStatus ?? 'RUNNING';
  if (isOpen(workflowStatus) || FINAL.includes(saga)) return saga;
  return 'ABORTED';
}

export function memoOf(memo: Record<string, unknown> | undefined): Partial<OrderMemo> {
  return (memo ?? {}) as Partial<OrderMemo>;
}
