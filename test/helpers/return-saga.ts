import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ReturnActivities } from '../../activities/return-types';
import type { OrderItem } from '../../activities/types';
import { parcelReceivedUpdate } from '../../workflows/returns/messages';
import { orderReturn } from '../../workflows/returns/workflow';
import type { ReturnInput, ReturnResult } from '../../workflows/returns/types';
import { orderInput, runOrderSaga, runWithSagaWorkers } from './order-saga';
import type { RealServices } from './real-services';

export type ReturnHandle = WorkflowHandle<typeof orderReturn>;

let sequence = 0;

/** A return of one unit of SKU-1 (2450), below the approval threshold, with a 14-day parcel window. */
export function returnInput(orderId: string, overrides: Partial<ReturnInput> = {}): ReturnInput {
  sequence += 1;
  return {
    returnId: `return-${process.pid}-${sequence}`,
    orderId,
    items: [{ sku: 'SKU-1', quantity: 1 }],
    reason: 'does not fit',
    approvalThresholdMinor: 10_000,
    approvalTimeout: '2 days',
    parcelTimeout: '14 days',
    ...overrides,
  };
}

/** Runs the order saga to COMPLETED against the real services: an order whose units can be returned. */
export async function fulfilledOrder(
  env: TestWorkflowEnvironment,
  services: RealServices,
  items: OrderItem[] = [{ sku: 'SKU-1', quantity: 2 }],
): Promise<string> {
  const input = orderInput({ items });
  const result = await runOrderSaga(env, services.activities(), input);
  if (result.state.status !== 'COMPLETED') throw new Error(`the order saga ended ${result.state.status}`);
  return input.orderId;
}

/** Runs one return saga on its own task queue; `during` may poke it (the parcel, approve, cancel...). */
export function runReturnSaga(
  env: TestWorkflowEnvironment,
  activities: ReturnActivities,
  input: ReturnInput,
  during?: (handle: ReturnHandle) => Promise<void>,
): Promise<ReturnResult> {
  return runWithSagaWorkers(env, returnTaskQueue(input), activities, async () => {
    const handle = await startReturnSaga(env, input);
    if (during) await during(handle);
    return handle.result();
  });
}

/** Each test return has a task queue (and so lanes) of its own. */
export const returnTaskQueue = (input: ReturnInput) => `saga-${input.returnId}`;

export function startReturnSaga(env: TestWorkflowEnvironment, input: ReturnInput): Promise<ReturnHandle> {
  return env.client.workflow.start(orderReturn, {
    taskQueue: returnTaskQueue(input),
    workflowId: input.returnId,
    args: [input],
  });
}

/** The warehouse takes the parcel in. */
export const receiveParcel = (handle: ReturnHandle, by = 'warehouse-1') =>
  handle.executeUpdate(parcelReceivedUpdate, { args: [{ by }] });
