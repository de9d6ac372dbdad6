import { ApiError } from '../errors';
import type { SagaIds, SagaTarget } from '../orders/target';
import { describeReturn, parseReturnIds, returnUrl } from './common';
import { returnView } from './view';

/** What the action routes act on under /orders/{orderId}/returns/{returnId}. */
export const RETURN_TARGET: SagaTarget<Required<SagaIds>> = {
  ids: (req) => parseReturnIds(req.params),
  workflowId: ({ returnId }) => returnId,
  describe: describeReturn,
  statusUrl: ({ orderId, returnId }) => returnUrl(orderId, returnId),
  currentStatus: async (ctx, req, ids) => (await returnView(ctx, req, ids)).status,
  closed: (ids, status) =>
    new ApiError('RETURN_CLOSED', `return ${ids.returnId} has ended (${status}); it takes no more actions`, {
      status,
    }),
};
