import { proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import { laneTaskQueue } from '../../lib/task-queues';
import type { Lane } from '../../lib/task-queues';

/** The no-op activity every lane of the bench worker registers for the bare baseline. */
export interface BareActivities {
  noop(input: { orderId: string; step: number }): Promise<void>;
}

/**
 * The lanes of the order saga's eight activities on its happy path, in order (workflows/order/saga.ts):
 * createOrder, reserveInventory, setOrderStatus RESERVED, authorizePayment, capturePayment,
 * setOrderStatus PAID, commitInventory, setOrderStatus CONFIRMED.
 */
export const SAGA_ACTIVITY_LANES: readonly Lane[] = [
  'order',
  'inventory',
  'order',
  'payment',
  'payment',
  'order',
  'inventory',
  'order',
];

/**
 * The baseline: a bare Temporal workflow running as many no-op activities as the order saga, in sequence, on
 * the same lane task queues; no search attributes, no current details, no queries, no compensation bookkeeping.
 */
export async function bareOrder(input: { orderId: string }): Promise<{ orderId: string; activities: number }> {
  const { taskQueue } = workflowInfo();
  for (const [step, lane] of SAGA_ACTIVITY_LANES.entries()) {
    const { noop } = proxyActivities<BareActivities>({
      startToCloseTimeout: '10 seconds',
      taskQueue: laneTaskQueue(taskQueue, lane),
    });
    await noop({ orderId: input.orderId, step });
  }
  return { orderId: input.orderId, activities: SAGA_ACTIVITY_LANES.length };
}

/** The same calls as local activities in the workflow's worker: the baseline of the bench's local modes. */
export async function bareOrderLocal(input: { orderId: string }): Promise<{ orderId: string; activities: number }> {
  const { noop } = proxyLocalActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });
  for (const step of SAGA_ACTIVITY_LANES.keys()) await noop({ orderId: input.orderId, step });
  return { orderId: input.orderId, activities: SAGA_ACTIVITY_LANES.length };
}

/**
 * The same calls placed as the saga engine places them with local steps (docs/SAGAS.md#local-steps): local
 * activities, but the pivot a regular activity on the workflow's own task queue (its completion is on record
 * before the calls after it), and markPaid with commitInventory at once. The baseline of the engine's own
 * overhead over local steps: what `engine-local` adds to it is the engine, not where the calls run.
 */
export async function bareOrderPivot(input: { orderId: string }): Promise<{ orderId: string; activities: number }> {
  const { noop } = proxyLocalActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });
  const { noop: pivot } = proxyActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });
  const { orderId } = input;
  // SAGA_ACTIVITY_LANES' order: four calls, the capture (the pivot), markPaid with commitInventory, confirmOrder.
  for (const step of [0, 1, 2, 3]) await noop({ orderId, step });
  await pivot({ orderId, step: 4 });
  await Promise.all([5, 6].map((step) => noop({ orderId, step })));
  await noop({ orderId, step: 7 });
  return { orderId, activities: SAGA_ACTIVITY_LANES.length };
}
