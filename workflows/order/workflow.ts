import { SagaRun } from '../../packages/saga';
import type { SagaDefinition } from '../../packages/saga';
import { setSagaHandlers } from '../shared/handlers';
import { createPublisher } from './publish';
import { orderSaga } from './saga';
import { resolveOrderInput } from './types';
import type { OrderContext, OrderInput, OrderResult } from './types';

/** The order-fulfillment saga. Workflow id = order id, so one order can never run two sagas at once. */
export function orderFulfillment(input: OrderInput): Promise<OrderResult> {
  return runOrderFulfillment(orderSaga, input);
}

/** The order workflow's body over a saga definition (tests run variants of the order saga with it). */
export async function runOrderFulfillment(
  definition: SagaDefinition<OrderContext>,
  input: OrderInput,
): Promise<OrderResult> {
  // Defaults are resolved once, here: a default changed later never changes this saga.
  const ctx: OrderContext = { input: resolveOrderInput(input) };
  const saga = new SagaRun(definition, ctx, createPublisher(ctx));

  setSagaHandlers(saga, ctx, 'order');

  const state = await saga.run();
  return { orderId: input.orderId, state, order: ctx.order, approval: ctx.approval };
}
