import {
  ApplicationFailure,
  CancellationScope,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import type { OrderInput } from '../../workflows/order/types';
import type { BareActivities } from './bare';

/** The deadline the order saga gives the capture when its input names none (FROZEN_INPUT_DEFAULTS). */
const PAYMENT_DEADLINE: Duration = '30 minutes';

/**
 * The order workflow as a team would write it by hand on Temporal, with what the order saga declares beyond its
 * calls and nothing of the engine: the same eight no-op calls placed as `bareOrderPivot` places them, the capture
 * raced against its payment deadline (a timer, cancelled once the capture is done), and the final status published
 * where operators look (the search attributes the saga upserts, its state in the memo). Started with the search
 * attributes the API starts a saga with. What `engine-local` adds to this is the engine's own bookkeeping.
 */
export async function handOrderLocal(input: OrderInput): Promise<{ orderId: string; state: { status: string } }> {
  const { noop } = proxyLocalActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });
  const { noop: capture } = proxyActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });
  const { orderId } = input;
  for (const step of [0, 1, 2, 3]) await noop({ orderId, step });
  await captureBefore(input.paymentDeadline ?? PAYMENT_DEADLINE, () => capture({ orderId, step: 4 }));
  await Promise.all([5, 6].map((step) => noop({ orderId, step })));
  await noop({ orderId, step: 7 });
  const state = { status: 'COMPLETED', completedSteps: 8 };
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.OrderStatus, value: state.status },
    { key: SEARCH_ATTRIBUTES.SagaStep, value: '-' },
    { key: SEARCH_ATTRIBUTES.OrderTotal, value: input.items.reduce((sum, item) => sum + item.quantity, 0) },
  ]);
  upsertMemo({ orderState: { state } });
  return { orderId, state };
}

/** Runs the capture while its deadline's timer runs; the timer is cancelled once the capture is done. */
async function captureBefore(deadline: Duration, work: () => Promise<void>): Promise<void> {
  const timer = new CancellationScope();
  const expired = timer
    .run(() => sleep(deadline))
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
