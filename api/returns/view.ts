import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { Request, RequestHandler } from 'express';
import { RETURN_MEMO_KEY } from '../../workflows/returns/publish';
import type { ReturnStateMemo } from '../../workflows/returns/types';
import { correlate } from '../request-id';
import type { ReturnView } from '../schemas';
import { GetOrderQuerySchema } from '../schemas';
import type { OrdersContext } from '../orders/common';
import { isOpen, orderStatusOf, published } from '../orders/read-model';
import { decisionFor, stateFor } from '../orders/redact';
import type { Consistency } from '../orders/read-model';
import { queried } from '../orders/read-model';
import type { SagaIds } from '../orders/target';
import { describeReturn, parseReturnIds } from './common';

function fromDescription(description: WorkflowExecutionDescription, orderId: string): ReturnView {
  const memo = description.memo?.[RETURN_MEMO_KEY] as ReturnStateMemo | undefined;
  const saga = memo && typeof memo === 'object' && memo.state ? memo : undefined;
  const attributes = published(description.typedSearchAttributes);
  return {
    returnId: description.workflowId,
    orderId,
    status: orderStatusOf(description.status.name, attributes.status),
    workflowStatus: description.status.name,
    statusSource: 'last-published',
    currentStep: attributes.step ?? saga?.state.currentStep,
    startedAt: description.startTime.toISOString(),
    closedAt: description.closeTime?.toISOString(),
    ...(saga
      ? {
          state: saga.state,
          refundMinor: saga.refundMinor,
          currency: saga.currency,
          trackingNumber: saga.trackingNumber,
          parcel: saga.parcel,
          approval: saga.approval,
        }
      : {}),
  };
}

/**
 * The return for the requesting key (404 for another tenant's, or another order's): the state its saga last
 * published (memo and search attributes, no worker needed), or with `strong` the running saga's own state.
 */
export async function returnView(
  ctx: OrdersContext,
  req: Request,
  ids: Required<SagaIds>,
  consistency: Consistency = 'published',
): Promise<ReturnView> {
  const description = await describeReturn(ctx, req.apiKey!, ids);
  let view = fromDescription(description, ids.orderId);
  if (consistency === 'strong' && isOpen(description.status.name)) {
    const state = await queried(ctx, req, description);
    if (state)
      view = { ...view, status: state.status, statusSource: 'workflow-query', currentStep: state.currentStep, state };
  }
  const key = req.apiKey!;
  return {
    ...view,
    ...(view.state ? { state: stateFor(key, view.state) } : {}),
    ...(view.parcel ? { parcel: decisionFor(key, view.parcel, 'warehouse') } : {}),
    ...(view.approval ? { approval: decisionFor(key, view.approval) } : {}),
  };
}

/** GET /orders/:id/returns/:returnId[?consistency=strong]. */
export function getReturn(ctx: OrdersContext): RequestHandler {
  return async (req, res) => {
    const ids = parseReturnIds(req.params);
    const { consistency } = GetOrderQuerySchema.parse(req.query);
    correlate(req, ids.returnId);
    res.json(await returnView(ctx, req, ids, consistency));
  };
}
