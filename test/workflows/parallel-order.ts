import { orderSaga } from '../../workflows/order/saga';
import type { OrderInput, OrderResult } from '../../workflows/order/types';
import { runOrderFulfillment } from '../../workflows/order/workflow';

/** The order saga with every compensation at once (`parallel`), to exercise operator decisions under it. */
export function orderFulfillmentParallel(input: OrderInput): Promise<OrderResult> {
  return runOrderFulfillment({ ...orderSaga, compensationOrder: { kind: 'parallel' } }, input);
}
