import {
  ApplicationFailure,
  CancellationScope,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActivityOptions, Duration, LocalActivityOptions } from '@temporalio/common';
import type { OrderActivities } from '../../activities/types';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import { ORDER_CALL_OPTIONS } from '../../workflows/order/saga';
import { FROZEN_INPUT_DEFAULTS } from '../../workflows/order/types';
import type { OrderInput } from '../../workflows/order/types';

/** What the hand-written workflow publishes and returns: the fields of the saga's state it has. */
export interface HandState {
  saga: 'order-fulfillment';
  status: 'RUNNING' | 'COMPLETED' | 'COMPENSATED';
  completedSteps: string[];
  compensations: never[];
  parked: never[];
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
}

/** A local call with the saga's options for it: its timeout, retry policy and summary. */
function local(options: ActivityOptions, summary: string): LocalActivityOptions {
  return { startToCloseTimeout: options.startToCloseTimeout!, retry: options.retry!, summary };
}

/**
 * The order workflow as a team would write it by hand on Temporal, with what the product asks of it and nothing of
 * the engine: the order saga's calls with the same inputs (idempotency keys included), options (timeouts, retry
 * policies, summaries) and results, placed as the engine places them with local steps (the capture a regular
 * activity, raced against its payment deadline; markPaid with commitInventory at once); each compensation kept in a
 * list and run in reverse when a step before the capture fails; the current step in the current details; the final
 * status and state published where operators and the API look. Orders that need an approval are out of its scope
 * (the bench's never do). What `engine-local` adds to this is the engine's own bookkeeping.
 */
export async function handOrderLocal(input: OrderInput): Promise<{ orderId: string; state: HandState }> {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  const { forward, forwardOnly, compensation, capture } = ORDER_CALL_OPTIONS;
  const calls = proxyLocalActivities<OrderActivities>({ startToCloseTimeout: forward.startToCloseTimeout! });
  const remote = proxyActivities<OrderActivities>(capture);
  const { orderId, customerId, currency, items, paymentMethod } = input;
  const ids = (step: string) => ({ orderId, idempotencyKey: `${workflowId}:${firstExecutionRunId}:${step}` });
  const now = Date.now();
  const state: HandState = {
    saga: 'order-fulfillment',
    status: 'RUNNING',
    completedSteps: [],
    compensations: [],
    parked: [],
    startedAt: now,
    updatedAt: now,
  };
  const begin = (step: string) => setCurrentDetails(`**Order ${orderId}**: ${step}`);
  const done = (step: string) => {
    state.completedSteps.push(step);
    state.updatedAt = Date.now();
  };
  const undo: (() => Promise<unknown>)[] = [];

  let totalMinor: number;
  try {
    begin('createOrder');
    undo.push(() =>
      calls.closeOrder.executeWithOptions(local(compensation, 'close order'), [
        { ...ids('createOrder'), status: 'COMPENSATED', reason: 'compensated' },
      ]),
    );
    const order = await calls.createOrder.executeWithOptions(local(forward, 'create order'), [
      { ...ids('createOrder'), customerId, currency, items },
    ]);
    totalMinor = order.totalMinor;
    done('createOrder');

    begin('reserveInventory');
    undo.push(() =>
      calls.releaseInventory.executeWithOptions(local(compensation, 'release stock'), [ids('reserveInventory')]),
    );
    await calls.reserveInventory.executeWithOptions(local(forward, 'reserve stock'), [
      { ...ids('reserveInventory'), items },
    ]);
    done('reserveInventory');

    begin('markReserved');
    await calls.setOrderStatus.executeWithOptions(local(forward, 'order RESERVED'), [
      { ...ids('markReserved'), status: 'RESERVED' },
    ]);
    done('markReserved');

    begin('authorizePayment');
    undo.push(() =>
      calls.cancelPayment.executeWithOptions(local(compensation, 'void or refund payment'), [ids('authorizePayment')]),
    );
    await calls.authorizePayment.executeWithOptions(local(forward, 'authorize payment'), [
      {
        ...ids('authorizePayment'),
        customerId,
        amountMinor: order.totalMinor,
        currency: order.currency,
        paymentMethod,
      },
    ]);
    done('authorizePayment');

    begin('capturePayment');
    await captureBefore(input.paymentDeadline ?? FROZEN_INPUT_DEFAULTS.paymentDeadline, () =>
      remote.capturePayment.executeWithOptions({ ...capture, summary: 'capture payment' }, [ids('capturePayment')]),
    );
    done('capturePayment');
  } catch (err) {
    await CancellationScope.nonCancellable(async () => {
      for (const compensate of undo.reverse()) await compensate();
    });
    throw err;
  }

  begin('markPaid, commitInventory');
  await Promise.all([
    calls.setOrderStatus.executeWithOptions(local(forwardOnly, 'order PAID'), [{ ...ids('markPaid'), status: 'PAID' }]),
    calls.commitInventory.executeWithOptions(local(forwardOnly, 'commit stock'), [ids('commitInventory')]),
  ]);
  done('markPaid');
  done('commitInventory');

  begin('confirmOrder');
  await calls.setOrderStatus.executeWithOptions(local(forwardOnly, 'order CONFIRMED'), [
    { ...ids('confirmOrder'), status: 'CONFIRMED' },
  ]);
  done('confirmOrder');

  state.status = 'COMPLETED';
  state.finishedAt = state.updatedAt;
  setCurrentDetails(`**Order ${orderId}**: COMPLETED`);
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.OrderStatus, value: state.status },
    { key: SEARCH_ATTRIBUTES.SagaStep, value: '-' },
    { key: SEARCH_ATTRIBUTES.OrderTotal, value: totalMinor },
  ]);
  upsertMemo({ orderState: { state } });
  return { orderId, state };
}

/** Runs the capture while its deadline's timer runs; the timer is cancelled once the capture is done. */
async function captureBefore(deadline: Duration, work: () => Promise<void>): Promise<void> {
  const timer = new CancellationScope();
  const expired = timer
    .run(() => sleep(deadline, { summary: 'capturePayment deadline' }))
    .then(
      () => true,
      () => false,
    );
  try {
    await Promise.race([
      work(),
      expired.then((hit) => {
        if (hit) throw ApplicationFailure.nonRetryable('payment deadline exceeded', 'STEP_DEADLINE_EXCEEDED');
      }),
    ]);
  } finally {
    timer.cancel();
  }
}
