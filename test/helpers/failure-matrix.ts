import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import type { SagaState } from '@sagaflow/saga';
import { cancelUpdate } from '../../workflows/order/messages';
import { FaultyTransport } from './faulty-transport';
import { rejectsWithCause, waitForStep } from './order-saga';

// What the failure matrices of both sagas share (test/saga/failure-matrix.test.ts, return-failure-matrix.test.ts):
// the faults, how each is injected and cancelled, and the checks of the saga's own state.

export type Fault = 'before' | 'after' | 'timeout' | 'cancel';
export const FAULTS: Fault[] = ['before', 'after', 'timeout', 'cancel'];

export interface MatrixStep {
  name: string;
  /** After the pivot the saga only moves forward: faults are retried until they clear, cancel is refused. */
  afterPivot?: boolean;
}

/** What the saga's state must say: its status, the compensations run (in order) and the failure's type. */
export interface ExpectedState {
  status: string;
  compensations: string[];
  failureType?: RegExp;
}

export const FAILURE_TYPES: Record<Fault, RegExp | undefined> = {
  before: /^NETWORK_ERROR$/,
  after: /^NETWORK_ERROR$/,
  timeout: /^TIMEOUT$/,
  cancel: undefined,
};

/**
 * A transport striking `step` with `fault` (a timeout and a cancel are a call that never answers), and the
 * service options it needs: before the pivot faults persist until the saga gives up; after it they clear after a
 * few attempts. The test server does not skip time while an activity runs, so a timeout is the client's, short.
 */
export function faultyTransport(
  step: MatrixStep,
  fault: Fault,
): { fetch: typeof fetch; options: { timeoutMs?: number } } {
  const transport = new FaultyTransport();
  // After the pivot a cancel hangs two attempts: a local step shows as current to a Query only once its workflow
  // task is heartbeated (after 8 s) or waits for a retry timer, which one hung attempt may not outlast.
  const times = step.afterPivot ? (fault === 'cancel' ? 2 : 3) : undefined;
  transport.inject(
    step.name,
    ({ before: 'before', after: 'after', timeout: 'hang', cancel: 'hang' } as const)[fault],
    times,
  );
  return { fetch: transport.fetch, options: fault === 'timeout' ? { timeoutMs: 300 } : {} };
}

/** With the `cancel` fault: cancels the saga while `step` is in flight (refused past the pivot with `refusal`). */
export async function cancelDuring(handle: WorkflowHandle, step: MatrixStep, fault: Fault, refusal: RegExp) {
  if (fault !== 'cancel') return;
  await waitForStep(handle, step.name);
  const cancel = handle.executeUpdate(cancelUpdate, { args: [{ reason: `cancel during ${step.name}` }] });
  if (step.afterPivot) await rejectsWithCause(cancel, refusal);
  else await cancel;
}

export function assertSagaState(state: SagaState, expected: ExpectedState, step: MatrixStep, fault: Fault): void {
  assert.equal(state.status, expected.status);
  assert.deepEqual(
    state.compensations.map((c) => `${c.activity}:${c.outcome}`),
    expected.compensations.map((activity) => `${activity}:COMPENSATED`),
  );
  if (expected.failureType) {
    assert.equal(state.failure?.step, step.name);
    assert.match(state.failure?.type ?? '', expected.failureType);
  }
  if (fault === 'cancel' && !step.afterPivot) assert.equal(state.cancellation?.reason, `cancel during ${step.name}`);
}
