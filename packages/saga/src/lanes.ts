/**
 * A lane is a bulkhead: a step declared with `lane: 'payment'` runs on the task queue `<saga queue>-payment`, so a
 * slow or failing service exhausts only the slots of the workers polling that queue.
 */
export function laneTaskQueue(sagaTaskQueue: string, lane: string): string {
  return `${sagaTaskQueue}-${lane}`;
}
