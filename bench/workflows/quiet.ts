import { orderSaga } from '../../workflows/order/saga';
import { resolveOrderInput } from '../../workflows/order/types';
import type { OrderContext, OrderInput, OrderResult } from '../../workflows/order/types';
import { SagaRun } from '@sagaflow/saga';

/**
 * Bench-only: the order saga run by the same engine, without publishing anything (no search attribute upserts,
 * no current details) and without the Query/Update handlers (which cost nothing until used). The difference
 * between this and orderFulfillment with the same no-op activities is the cost of what the saga publishes.
 */
export async function orderFulfillmentQuiet(input: OrderInput): Promise<OrderResult> {
  const ctx: OrderContext = { input: resolveOrderInput(input) };
  const state = await new SagaRun(orderSaga, ctx).run();
  return { orderId: input.orderId, state, order: ctx.order };
}
