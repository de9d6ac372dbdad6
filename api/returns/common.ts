import { createHash } from 'node:crypto';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { ApiKey } from '../config';
import { ApiError } from '../errors';
import { ReturnIdSchema } from '../schemas';
import type { OrdersContext } from '../orders/common';
import { maySee, parseOrderId } from '../orders/common';
import { describeVisible } from '../orders/read-model';
import type { SagaIds } from '../orders/target';

/** The workflow type every return runs as (workflows/returns/workflow.ts). */
export const RETURN_WORKFLOW_TYPE = 'orderReturn';

/** The memo the API attaches when it starts a return saga. */
export interface ReturnApiMemo {
  /** sha256 of the canonical request body: a replayed Idempotency-Key must come with the same body. */
  requestHash: string;
  /** The tenant owning the order, and so the return. */
  tenant: string;
  orderId: string;
  apiKey: string;
  requestId: string;
}

/**
 * Return id = workflow id: derived from the tenant, the order and the Idempotency-Key, so a retry (also with a
 * rotated key of the tenant) finds its return and never starts a second one.
 */
export function returnIdFor(tenant: string, orderId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`return:${tenant}:${orderId}:${idempotencyKey}`).digest('hex');
  return `ret_${digest.slice(0, 24)}`;
}

export const returnUrl = (orderId: string, returnId: string) => `/orders/${orderId}/returns/${returnId}`;

export const returnNotFound = (returnId: string) => new ApiError('RETURN_NOT_FOUND', `no return ${returnId}`);

/** The order and return ids of a return route; a return id that cannot exist is 404 without asking Temporal. */
export function parseReturnIds(params: Record<string, unknown>): Required<SagaIds> {
  const orderId = parseOrderId(params.id);
  const parsed = ReturnIdSchema.safeParse(params.returnId);
  if (!parsed.success) throw returnNotFound(String(params.returnId));
  return { orderId, returnId: parsed.data };
}

/**
 * describe() of the return's workflow for `key`: 404 RETURN_NOT_FOUND when there is none, it is no return saga, it
 * is a return of another order, or another tenant owns it (one answer, so a key learns nothing of others' returns).
 */
export function describeReturn(
  ctx: OrdersContext,
  key: ApiKey,
  { orderId, returnId }: Required<SagaIds>,
): Promise<WorkflowExecutionDescription> {
  return describeVisible(
    ctx,
    returnId,
    (d) => {
      const memo = (d.memo ?? {}) as Partial<ReturnApiMemo>;
      return d.type === RETURN_WORKFLOW_TYPE && memo.orderId === orderId && maySee(key, memo.tenant);
    },
    () => returnNotFound(returnId),
  );
}
