/** Task queue names shared by clients and workers. */
export const TASK_QUEUES = {
  orders: 'sagaflow-orders',
} as const;
