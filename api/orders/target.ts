import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { Request } from 'express';
import type { ApiKey } from '../config';
import { ApiError } from '../errors';
import type { OrderStatus } from '../schemas';
import type { OrdersContext } from './common';
import { parseOrderId, statusUrl } from './common';
import { describeOrder } from './read-model';
import { orderView } from './read-model';

/** The ids a saga route names: the order, and for a return's routes the return too. */
export interface SagaIds {
  orderId: string;
  returnId?: string;
}

/**
 * What the action routes need to know of the saga they act on (an order, or one of its returns): where its ids
 * are in the path, how it is found for a key (404 for another tenant's), its status URL and its current status.
 */
export interface SagaTarget<I extends SagaIds = SagaIds> {
  /** The ids from the path; ids that cannot exist are 404 without asking Temporal. */
  ids(req: Request): I;
  workflowId(ids: I): string;
  describe(ctx: OrdersContext, key: ApiKey, ids: I): Promise<WorkflowExecutionDescription>;
  statusUrl(ids: I): string;
  /** The status a 202 reports while an accepted Update still runs. */
  currentStatus(ctx: OrdersContext, req: Request, ids: I): Promise<OrderStatus>;
  /** The 409 for an action on a saga that has ended. */
  closed(ids: I, status: OrderStatus): ApiError;
}

export const ORDER_TARGET: SagaTarget = {
  ids: (req) => ({ orderId: parseOrderId(req.params.id) }),
  workflowId: ({ orderId }) => orderId,
  describe: (ctx, key, { orderId }) => describeOrder(ctx, key, orderId),
  statusUrl: ({ orderId }) => statusUrl(orderId),
  currentStatus: async (ctx, req, { orderId }) => (await orderView(ctx, req, orderId)).status,
  closed: ({ orderId }, status) =>
    new ApiError('ORDER_CLOSED', `order ${orderId} has ended (${status}); it takes no more actions`, { status }),
};
