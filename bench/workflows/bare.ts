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
