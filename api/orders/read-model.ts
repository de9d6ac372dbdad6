// The order read model, in one place: what the API reads of an order saga and how it turns it into the answer.
// describe() (visible to this key or 404) → the memo and the published search attributes → the order status →
// the view (the last published state, or the running saga's own answer to a Query).
import type { WorkflowExecutionDescription, WorkflowExecutionStatusName } from '@temporalio/client';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import type { Request } from 'express';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import type { SagaStatus } from '@sagaflow/saga';
import { STATE_MEMO_KEY } from '../../workflows/order/publish';
import type { OrderResult, OrderStateMemo } from '../../workflows/order/types';
import { sagaStateQuery } from '../../workflows/order/messages';
import type { ApiKey } from '../config';
import type { ApiError } from '../errors';
import type { OrderStatus, OrderView } from '../schemas';
import { SAGA_STATUSES } from '../schemas';
import { isDeadlineExceeded, isTemporalUnavailable, withDeadline } from '../temporal';
import type { OrderMemo, OrdersContext } from './common';
import { maySee, ORDER_WORKFLOW_TYPE, orderNotFound, ownerOf } from './common';
import { decisionFor, stateFor } from './redact';

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
  parkedSteps?: string[];
  parkedReasons?: string[];
} {
  const status = attributes.get(SEARCH_ATTRIBUTES.OrderStatus);
  const step = attributes.get(SEARCH_ATTRIBUTES.SagaStep);
  return {
    status: (SAGA_STATUSES as readonly string[]).includes(status ?? '') ? (status as SagaStatus) : undefined,
    customerId: attributes.get(SEARCH_ATTRIBUTES.CustomerId),
    step: step && step !== '-' ? step : undefined,
    totalMinor: attributes.get(SEARCH_ATTRIBUTES.OrderTotal),
    parkedSteps: copy(attributes.get(SEARCH_ATTRIBUTES.ParkedStep)),
    parkedReasons: copy(attributes.get(SEARCH_ATTRIBUTES.ParkedReason)),
  };
}

const copy = (values: readonly string[] | undefined) => (values && values.length > 0 ? [...values] : undefined);

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

export type Consistency = 'published' | 'strong';

/** The state the saga last mirrored into its memo (workflows/order/publish.ts), if it did. */
function stateMemo(description: WorkflowExecutionDescription): OrderStateMemo | undefined {
  const memo = description.memo?.[STATE_MEMO_KEY] as OrderStateMemo | undefined;
  return memo && typeof memo === 'object' && memo.state ? memo : undefined;
}

/** What describe() alone tells: the last published status, and the last published state where there is one. */
function fromDescription(description: WorkflowExecutionDescription): OrderView {
  const attributes = published(description.typedSearchAttributes);
  const memo = memoOf(description.memo);
  const saga = stateMemo(description);
  return {
    orderId: description.workflowId,
    status: orderStatusOf(description.status.name, attributes.status),
    workflowStatus: description.status.name,
    statusSource: 'last-published',
    customerId: memo.customerId ?? attributes.customerId,
    currency: memo.currency,
    totalMinor: attributes.totalMinor,
    currentStep: attributes.step ?? saga?.state.currentStep,
    startedAt: description.startTime.toISOString(),
    closedAt: description.closeTime?.toISOString(),
    ...(saga ? { state: saga.state } : {}),
    ...(saga?.approval ? { approval: saga.approval } : {}),
  };
}

/** The running saga's own answer (a workflow Query), or undefined when no worker answers in time. */
export async function queried(ctx: OrdersContext, req: Request, description: WorkflowExecutionDescription) {
  const handle = ctx.client.workflow.getHandle(description.workflowId, description.runId);
  try {
    return await withDeadline(ctx.client, ctx.config.QUERY_TIMEOUT_MS, () => handle.query(sagaStateQuery));
  } catch (err) {
    req.log.warn({ err }, 'status query failed; answering from the last published state');
    return undefined;
  }
}

/** The result of a saga that completed without publishing its state (started before it did). */
async function completedResult(ctx: OrdersContext, req: Request, description: WorkflowExecutionDescription) {
  const handle = ctx.client.workflow.getHandle(description.workflowId, description.runId);
  try {
    return (await withDeadline(ctx.client, ctx.config.TEMPORAL_RPC_TIMEOUT_MS, () => handle.result())) as OrderResult;
  } catch (err) {
    if (isTemporalUnavailable(err)) throw err;
    req.log.warn({ err }, 'reading the workflow result failed; answering from the last published state');
    return undefined;
  }
}

async function unredactedView(
  ctx: OrdersContext,
  req: Request,
  orderId: string,
  consistency: Consistency,
  known?: WorkflowExecutionDescription,
): Promise<OrderView> {
  const description = known ?? (await describeOrder(ctx, req.apiKey!, orderId));
  const base = fromDescription(description);
  if (consistency === 'strong' && isOpen(description.status.name)) {
    const state = await queried(ctx, req, description);
    if (state)
      return { ...base, status: state.status, statusSource: 'workflow-query', currentStep: state.currentStep, state };
    // It may have closed meanwhile: then what it published last is final.
    const again = await describeOrder(ctx, req.apiKey!, orderId);
    return isOpen(again.status.name) ? fromDescription(again) : unredactedView(ctx, req, orderId, 'published', again);
  }
  if (base.state || description.status.name !== 'COMPLETED') return base;
  const result = await completedResult(ctx, req, description);
  if (!result) return base;
  return {
    ...base,
    status: result.state.status,
    statusSource: 'workflow-result',
    currentStep: result.state.currentStep,
    totalMinor: result.order?.totalMinor ?? base.totalMinor,
    currency: result.order?.currency ?? base.currency,
    state: result.state,
    approval: result.approval,
  };
}

/**
 * The order for the requesting key (404 for another tenant's). By default what Temporal holds for it, without
 * asking its worker: the status and state the saga last published (describe: search attributes and memo), or the
 * result of a saga that completed before it published its state. `strong` asks the running saga (a Query, so a
 * worker must answer; it falls back to the published state when none does in QUERY_TIMEOUT_MS).
 */
export async function orderView(
  ctx: OrdersContext,
  req: Request,
  orderId: string,
  consistency: Consistency = 'published',
  known?: WorkflowExecutionDescription,
): Promise<OrderView> {
  const view = await unredactedView(ctx, req, orderId, consistency, known);
  const key = req.apiKey!;
  return {
    ...view,
    ...(view.state ? { state: stateFor(key, view.state) } : {}),
    ...(view.approval ? { approval: decisionFor(key, view.approval) } : {}),
  };
}
