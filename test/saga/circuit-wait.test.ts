import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FakeOrderServices } from '../helpers/fake-order-services';
import { orderInput as baseOrderInput, runOrderSaga, waitForState } from '../helpers/order-saga';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { STEP_EXECUTIONS } from '../helpers/step-execution';
import type { OrderInput } from '../../workflows/order/types';

// The saga's side of the circuit breaker (packages/saga/src/circuit.ts), on the time-skipping server: an activity
// that fails with CIRCUIT_OPEN (its service was not called) makes the step wait and dispatch it again, without
// spending the step's retry attempts; the step's deadline still ends the wait.
let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTimeSkippingEnv();
});
after(async () => {
  await env?.teardown();
});

const open = (times?: number) => ({
  kind: 'business' as const,
  code: 'CIRCUIT_OPEN',
  message: 'payment: circuit open',
  times,
});

async function timersStarted(orderId: string): Promise<number> {
  const history = await env.client.workflow.getHandle(orderId).fetchHistory();
  return (history.events ?? []).filter((e) => e.timerStartedEventAttributes).length;
}

// Every case runs with the saga's service calls as regular activities on the lanes and as local activities.
for (const stepExecution of STEP_EXECUTIONS) {
  const orderInput = (overrides: Partial<OrderInput> = {}) => baseOrderInput({ stepExecution, ...overrides });

  describe(`waiting on an open circuit, ${stepExecution} steps`, () => {
    it('a forward step waits past its retry budget (5 attempts) and completes once the circuit closes', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('authorizePayment', open(8));
      const input = orderInput();
      let sawWaiting = false;
      const result = await runOrderSaga(env, fakes.activities(), input, async (handle) => {
        const state = await waitForState(
          handle,
          (s) => s.waiting !== undefined,
          'waiting',
          () => env.sleep('200 ms'),
        );
        sawWaiting = state.waiting?.step === 'authorizePayment' && /circuit open/.test(state.waiting.reason);
      });
      assert.equal(result.state.status, 'COMPLETED');
      assert.ok(sawWaiting, 'the state said what it waited for');
      assert.equal(result.state.waiting, undefined);
      assert.equal(fakes.attempts('authorizePayment'), 9, '8 rejected by the open circuit, then the real call');
      assert.ok((await timersStarted(input.orderId)) >= 8, 'one wait per rejection');
    });

    it("the step's deadline still wins over a circuit that stays open: the saga compensates", async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('capturePayment', open());
      const result = await runOrderSaga(env, fakes.activities(), orderInput());
      assert.equal(result.state.status, 'COMPENSATED');
      assert.equal(result.state.failure?.type, 'STEP_DEADLINE_EXCEEDED');
      assert.deepEqual(result.state.parked, []);
      assert.ok(result.state.compensations.every((c) => c.outcome === 'COMPENSATED'));
      // The waits back off (1 s, 2 s, 4 s ... up to 60 s): 30 minutes of outage are a few dozen dispatches, so a long
      // outage cannot fill the saga's history (before: one dispatch a second, 1,800 here).
      assert.ok(fakes.attempts('capturePayment') <= 40, `${fakes.attempts('capturePayment')} dispatches in 30 minutes`);
    });

    it('a compensation waits for its circuit instead of parking the saga', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
      fakes.faults.set('releaseInventory', open(15));
      const result = await runOrderSaga(env, fakes.activities(), orderInput());
      assert.equal(result.state.status, 'COMPENSATED');
      assert.deepEqual(result.state.parked, []);
      const release = result.state.compensations.find((c) => c.activity === 'releaseInventory');
      assert.equal(release?.outcome, 'COMPENSATED');
      assert.equal(fakes.attempts('releaseInventory'), 16);
    });
  });
}
