import { continueAsNew } from '@temporalio/workflow';
import { SagaRun } from '@sagaflow/saga';
import type { SagaDefinition } from '@sagaflow/saga';
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
  const { restart, ...fresh } = input;
  // Defaults are resolved once, here: a default changed later never changes this saga. A restarted run carries the
  // context of the run it restarts (the input as it was resolved then, and the results of the steps it keeps).
  const ctx: OrderContext = restart?.context ?? { input: resolveOrderInput(fresh) };
  const saga = new SagaRun(definition, ctx, createPublisher(ctx), { restart });

  setSagaHandlers(saga, ctx, 'order');

  const ended = await saga.runOrRestart();
  if (ended.restart)
    return continueAsNew<typeof orderFulfillment>({ ...fresh, restart: saga.restartInput(ended.restart) });
  return { orderId: input.orderId, state: ended.state, order: ctx.order, approval: ctx.approval };
}
