import type { ReturnActivities } from '../activities/return-types';
import type { OrderActivities } from '../activities/types';

/** Task queue names shared by clients and workers. */
export const TASK_QUEUES = {
  orders: 'sagaflow-orders',
} as const;

/**
 * Bulkheads: each service's activities run on their own task queue (a lane), derived from the saga's queue,
 * so a slow or failing service exhausts only its own worker slots, never the workflow tasks or the others.
 */
export const LANES = ['inventory', 'payment', 'order'] as const;
export type Lane = (typeof LANES)[number];

export { laneTaskQueue } from '@sagaflow/saga';

export const ORDER_ACTIVITY_LANES: { [K in keyof OrderActivities]: Lane } = {
  createOrder: 'order',
  setOrderStatus: 'order',
  closeOrder: 'order',
  reserveInventory: 'inventory',
  releaseInventory: 'inventory',
  commitInventory: 'inventory',
  authorizePayment: 'payment',
  capturePayment: 'payment',
  cancelPayment: 'payment',
};

export const RETURN_ACTIVITY_LANES: { [K in keyof ReturnActivities]: Lane } = {
  requestReturn: 'order',
  closeReturn: 'order',
  createReturnLabel: 'order',
  voidReturnLabel: 'order',
  setReturnStatus: 'order',
  restockReturn: 'inventory',
  refundReturn: 'payment',
};

/** Every saga activity and the lane that runs it (the worker registers each lane's share). */
export const ACTIVITY_LANES: Readonly<Record<string, Lane>> = { ...ORDER_ACTIVITY_LANES, ...RETURN_ACTIVITY_LANES };
