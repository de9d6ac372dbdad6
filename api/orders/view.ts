import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { Request } from 'express';
import type { OrderResult } from '../../workflows/order/types';
import { sagaStateQuery } from '../../workflows/order/messages';
import type { OrderView } from '../schemas';
import { isTemporalUnavailable, withDeadline } from '../temporal';
import type { OrdersContext } from './common';
import { describeOrder, isOpen, memoOf, orderStatusOf, published } from './common';

/** What describe() alone tells: the fields every view has, with the last published saga status. */
function fromDescription(description: WorkflowExecutionDescription): OrderView {
  const attributes = published(description.typedSearchAttributes);
  const memo = memoOf(description.memo);
  const view: OrderView = {
    orderId: description.workflowId,
    status: orderStatusOf(description.status.name, attributes.status),
    workflowStatus: description.status.name,
    statusSource: 'last-published',
    customerId: attributes.customerId ?? memo.customerId,
    currency: memo.currency,
    totalMinor: attributes.totalMinor,
    currentStep: attributes.step,
    startedAt: description.startTime.toISOString(),
    closedAt: description.closeTime?.toISOString(),
  };
  return view;
}

/**
 * The order as it is now, never failing because the workflow closed: a running saga answers its Query; a
 * completed one its result; anything else (closed outside the saga, or a Query no worker answers in time)
 * falls back to what the saga last published in its search attributes (statusSource: last-published).
 */
export async function orderView(ctx: OrdersContext, req: Request, orderId: string): Promise<OrderView> {
  const { client, config } = ctx;
  let description = await describeOrder(ctx, orderId);
  for (let attempt = 0; attempt < 2; attempt++) {
    const base = fromDescription(description);
    const handle = client.workflow.getHandle(orderId, description.runId);
    if (isOpen(description.status.name)) {
      try {
        const state = await withDeadline(client, config.QUERY_TIMEOUT_MS, () => handle.query(sagaStateQuery));
        return {
          ...base,
          status: state.status,
          statusSource: 'workflow-query',
          currentStep: state.currentStep,
          state,
        };
      } catch (err) {
        req.log.warn({ err }, 'status query failed; answering from the last published search attributes');
        if (attempt === 0) {
          // It may have closed meanwhile: then its result is the better answer.
          description = await describeOrder(ctx, orderId);
          if (!isOpen(description.status.name)) continue;
        }
        return fromDescription(description);
      }
    }
    if (description.status.name === 'COMPLETED') {
      try {
        const result = (await withDeadline(client, config.TEMPORAL_RPC_TIMEOUT_MS, () =>
          handle.result(),
        )) as OrderResult;
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
      } catch (err) {
        if (isTemporalUnavailable(err)) throw err;
        req.log.warn(
          { err },
          'reading the workflow result failed; answering from the last published search attributes',
        );
      }
    }
    return base;
  }
  return fromDescription(description);
}
