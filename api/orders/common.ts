import { createHash } from 'node:crypto';
import type { Client, WorkflowExecutionDescription, WorkflowExecutionStatusName } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import type { SagaStatus } from '../../workflows/saga/state';
import type { ApiConfig } from '../config';
import { ApiError } from '../errors';
import type { OrderStatus } from '../schemas';
import { OrderIdSchema, SAGA_STATUSES } from '../schemas';
import { withDeadline } from '../temporal';

/** What the order routes need: the Temporal client and the API configuration. */
export interface OrdersContext {
  client: Client;
  config: ApiConfig;
}

/** The workflow type every order runs as (workflows/order/workflow.ts). */
export const ORDER_WORKFLOW_TYPE = 'orderFulfillment';

/** The memo the API attaches when it starts an order saga. */
export interface OrderMemo {
  /** sha256 of the canonical request body: a replayed Idempotency-Key must come with the same body. */
  requestHash: string;
  /** Name of the API key that created the order (the idempotency scope). */
  apiKey: string;
  /** The request that started the saga, to correlate API logs with the workflow. */
  requestId: string;
  customerId: string;
  currency: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Order id = workflow id: derived from the caller's key name and Idempotency-Key, so a retry finds its order. */
export function orderIdFor(apiKeyName: string, idempotencyKey: string): string {
  return `ord_${sha256(`${apiKeyName}:${idempotencyKey}`).slice(0, 24)}`;
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

/** describe() of the order's workflow; 404 ORDER_NOT_FOUND when there is none (or it is no order saga). */
export async function describeOrder(ctx: OrdersContext, orderId: string): Promise<WorkflowExecutionDescription> {
  try {
    const description = await withDeadline(ctx.client, ctx.config.TEMPORAL_RPC_TIMEOUT_MS, () =>
      ctx.client.workflow.getHandle(orderId).describe(),
    );
    if (description.type !== ORDER_WORKFLOW_TYPE) throw orderNotFound(orderId);
    return description;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw orderNotFound(orderId);
    throw err;
  }
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
