import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { Request } from 'express';
import { STATE_MEMO_KEY } from '../../workflows/order/publish';
import type { OrderResult, OrderStateMemo } from '../../workflows/order/types';
import { sagaStateQuery } from '../../workflows/order/messages';
import type { OrderView } from '../schemas';
import { isTemporalUnavailable, withDeadline } from '../temporal';
import type { OrdersContext } from './common';
import { describeOrder, isOpen, memoOf, orderStatusOf, published } from './common';
import { decisionFor, stateFor } from './redact';

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
