import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerOptions } from '@temporalio/worker';
import type { OrderActivities } from '../../activities/types';
import { sagaStateQuery } from '../../workflows/order/messages';
import { orderFulfillment } from '../../workflows/order/workflow';
import type { SagaState } from '@sagaflow/saga';
import type { OrderInput, OrderResult } from '../../workflows/order/types';
import { LANES, laneTaskQueue } from '../../lib/task-queues';
import { createTestWorker } from './worker';
import { orderStartSearchAttributes } from '../../lib/search-attributes';

let sequence = 0;

export function orderInput(overrides: Partial<OrderInput> = {}): OrderInput {
  sequence += 1;
  return {
    orderId: `order-${process.pid}-${sequence}`,
    customerId: 'cust-1',
    currency: 'EUR',
    items: [{ sku: 'SKU-1', quantity: 2 }],
    paymentMethod: 'tok_ok',
    ...overrides,
  };
}

/** Runs one order saga on its own task queue; `during` may poke the running workflow (cancel, approve...). */
export async function runOrderSaga(
  env: TestWorkflowEnvironment,
  activities: OrderActivities,
  input: OrderInput,
  during?: (handle: WorkflowHandle<typeof orderFulfillment>) => Promise<void>,
  { startSearchAttributes = true }: { startSearchAttributes?: boolean } = {},
): Promise<OrderResult> {
  return runWithSagaWorkers(env, sagaTaskQueue(input), activities, async () => {
    const handle = await startOrderSaga(env, input, { startSearchAttributes });
    if (during) await during(handle);
    return handle.result();
  });
}

/** Each test saga has a task queue (and so lanes) of its own. */
export const sagaTaskQueue = (input: OrderInput) => `saga-${input.orderId}`;

/** Starts the order saga on its own task queue, as the API does (with its start search attributes by default). */
export function startOrderSaga(
  env: TestWorkflowEnvironment,
  input: OrderInput,
  { startSearchAttributes = true }: { startSearchAttributes?: boolean } = {},
): Promise<WorkflowHandle<typeof orderFulfillment>> {
  return env.client.workflow.start(orderFulfillment, {
    taskQueue: sagaTaskQueue(input),
    workflowId: input.orderId,
    args: [input],
    ...(startSearchAttributes ? { typedSearchAttributes: orderStartSearchAttributes(input.customerId) } : {}),
  });
}

/**
 * Runs `fn` while a workflow worker polls `taskQueue` and one activity worker polls each service lane; the workflow
 * worker registers the activities too, for sagas whose steps run as local activities (`stepExecution: 'local'`).
 */
export async function runWithSagaWorkers<T>(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: object,
  fn: () => Promise<T>,
  workflowWorker: Partial<WorkerOptions> = {},
): Promise<T> {
  const laneWorkers = await Promise.all(
    LANES.map((lane) =>
      createTestWorker(env, { taskQueue: laneTaskQueue(taskQueue, lane), activities, workflowBundle: undefined }),
    ),
  );
  const sagaWorker = await createTestWorker(env, { taskQueue, activities, ...workflowWorker });
  const running = laneWorkers.map((worker) => worker.run());
  try {
    return await sagaWorker.runUntil(fn);
  } finally {
    for (const worker of laneWorkers) worker.shutdown();
    await Promise.all(running);
  }
}

/** Any saga's handle: they all answer the sagaState Query. */
type OrderHandle = Pick<WorkflowHandle, 'query'>;
/** Between polls; time-skipping tests pass `() => env.sleep(...)` to let retries and timers advance. */
type Pause = () => Promise<void>;
const realPause: Pause = () => new Promise((resolve) => setTimeout(resolve, 50));

export async function waitForStatus(handle: OrderHandle, status: string, pause: Pause = realPause): Promise<SagaState> {
  return waitForState(handle, (s) => s.status === status, `status ${status}`, pause);
}

export async function waitForStep(handle: OrderHandle, step: string, pause: Pause = realPause): Promise<SagaState> {
  return waitForState(handle, (s) => s.currentStep === step || !!s.runningSteps?.includes(step), `step ${step}`, pause);
}

export async function waitForState(
  handle: OrderHandle,
  predicate: (state: SagaState) => boolean,
  what: string,
  pause: Pause = realPause,
): Promise<SagaState> {
  let state: SagaState | undefined;
  for (let i = 0; i < 200; i++) {
    state = await handle.query(sagaStateQuery);
    if (predicate(state)) return state;
    await pause();
  }
  throw new Error(`workflow never reached ${what}; last state: ${JSON.stringify(state)}`);
}

/** Update and client errors wrap the workflow's own failure; the reason is in the cause. */
export async function rejectsWithCause(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: Error) => {
    assert.match(String(err.cause instanceof Error ? err.cause.message : err.message), message);
    return true;
  });
}
