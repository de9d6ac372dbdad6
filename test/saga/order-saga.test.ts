import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { STEP_EXECUTIONS } from '../helpers/step-execution';
import type { OrderInput } from '../../workflows/order/types';
import { FakeOrderServices } from '../helpers/fake-order-services';
import {
  orderInput as baseOrderInput,
  rejectsWithCause,
  runOrderSaga,
  waitForStatus,
  waitForStep,
} from '../helpers/order-saga';
import { approveUpdate, sagaStateQuery } from '../../workflows/order/messages';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTimeSkippingEnv();
});
after(() => env?.teardown());

const compensated = (result: { state: { compensations: { activity: string; outcome: string }[] } }) =>
  result.state.compensations.filter((c) => c.outcome === 'COMPENSATED').map((c) => c.activity);

// Every case runs with the saga's service calls as regular activities on the lanes and as local activities.
for (const stepExecution of STEP_EXECUTIONS) {
  const orderInput = (overrides: Partial<OrderInput> = {}) => baseOrderInput({ stepExecution, ...overrides });

  describe(`order saga (fake services), ${stepExecution} steps`, () => {
    it('happy path: every step runs and the order ends CONFIRMED with stock committed and payment captured', async () => {
      const fakes = new FakeOrderServices();
      const input = orderInput();
      const result = await runOrderSaga(env, fakes.activities(), input);
      assert.equal(result.state.status, 'COMPLETED');
      assert.deepEqual(result.state.completedSteps, [
        'createOrder',
        'reserveInventory',
        'markReserved',
        'authorizePayment',
        'capturePayment',
        'markPaid',
        'commitInventory',
        'confirmOrder',
      ]);
      assert.deepEqual(result.state.compensations, []);
      assert.equal(fakes.orders.get(input.orderId)?.status, 'CONFIRMED');
      assert.equal(fakes.reservations.get(input.orderId)?.status, 'COMMITTED');
      assert.equal(fakes.payments.get(input.orderId)?.status, 'CAPTURED');
      assert.equal(result.order?.totalMinor, 2_000);
    });

    it('out of stock: fails at reserve without retrying and compensates in reverse order', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('reserveInventory', { kind: 'business', code: 'INSUFFICIENT_STOCK' });
      const input = orderInput();
      const result = await runOrderSaga(env, fakes.activities(), input);
      assert.equal(result.state.status, 'COMPENSATED');
      assert.equal(result.state.failure?.type, 'INSUFFICIENT_STOCK');
      assert.equal(result.state.failure?.step, 'reserveInventory');
      assert.equal(fakes.attempts('reserveInventory'), 1);
      assert.deepEqual(compensated(result), ['releaseInventory', 'closeOrder']);
      assert.equal(fakes.orders.get(input.orderId)?.status, 'COMPENSATED');
      assert.equal(fakes.payments.has(input.orderId), false);
    });

    it('declined card: voids nothing that was not authorized, releases stock, closes the order', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
      const input = orderInput();
      const result = await runOrderSaga(env, fakes.activities(), input);
      assert.equal(result.state.failure?.type, 'PAYMENT_DECLINED');
      assert.deepEqual(compensated(result), ['cancelPayment', 'releaseInventory', 'closeOrder']);
      assert.equal(fakes.reservations.get(input.orderId)?.status, 'RELEASED');
      assert.equal(fakes.orders.get(input.orderId)?.status, 'COMPENSATED');
    });

    it('service down: retries per policy (5 attempts), then gives up and compensates', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('reserveInventory', { kind: 'before' });
      const result = await runOrderSaga(env, fakes.activities(), orderInput());
      assert.equal(result.state.status, 'COMPENSATED');
      assert.equal(fakes.attempts('reserveInventory'), 5);
      // With local steps a lost workflow task may have run the steps up to the capture (a regular activity) while
      // this run's attempts failed: their compensations run too, and find nothing to undo.
      const unrecorded = stepExecution === 'local' ? ['cancelPayment'] : [];
      assert.deepEqual(compensated(result), [...unrecorded, 'releaseInventory', 'closeOrder']);
      assert.equal(fakes.payments.has(result.orderId), false, 'no payment was ever made');
    });

    it('transient faults are retried away and the saga completes', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('authorizePayment', { kind: 'before', times: 2 });
      fakes.faults.set('capturePayment', { kind: 'after', times: 1 });
      const result = await runOrderSaga(env, fakes.activities(), orderInput());
      assert.equal(result.state.status, 'COMPLETED');
      assert.equal(fakes.attempts('authorizePayment'), 3);
      assert.equal(fakes.attempts('capturePayment'), 2);
    });

    it('payment deadline: a capture still failing after 30 minutes is abandoned and the payment voided', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('capturePayment', { kind: 'before' });
      const input = orderInput();
      const startedAt = await env.currentTimeMs();
      const result = await runOrderSaga(env, fakes.activities(), input);
      assert.equal(result.state.failure?.type, 'STEP_DEADLINE_EXCEEDED');
      assert.equal(result.state.failure?.step, 'capturePayment');
      assert.ok((await env.currentTimeMs()) - startedAt >= 30 * 60_000, '30 minutes of workflow time passed');
      assert.ok(fakes.attempts('capturePayment') > 5, 'capture kept retrying until the deadline');
      assert.equal(fakes.payments.get(input.orderId)?.status, 'VOIDED');
      assert.equal(fakes.reservations.get(input.orderId)?.status, 'RELEASED');
    });

    it('large order without approval in 24 hours is compensated with APPROVAL_TIMEOUT', async () => {
      const fakes = new FakeOrderServices(60_000);
      const input = orderInput();
      const startedAt = await env.currentTimeMs();
      const result = await runOrderSaga(env, fakes.activities(), input);
      assert.equal(result.state.failure?.type, 'APPROVAL_TIMEOUT');
      assert.ok((await env.currentTimeMs()) - startedAt >= 24 * 3_600_000);
      assert.equal(fakes.payments.has(input.orderId), false, 'no payment before approval');
      assert.deepEqual(compensated(result), ['releaseInventory', 'closeOrder']);
    });

    it('large order approved by an operator completes', async () => {
      const fakes = new FakeOrderServices(60_000);
      const result = await runOrderSaga(env, fakes.activities(), orderInput(), async (handle) => {
        await waitForStatus(handle, 'AWAITING_APPROVAL');
        const state = await handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'alice' }] });
        assert.equal(state.status, 'RUNNING', 'the Update answers once the saga moved on');
        assert.ok(state.completedSteps.includes('awaitApproval'));
      });
      assert.equal(result.state.status, 'COMPLETED');
      assert.equal(result.approval?.by, 'alice');
      assert.ok(result.state.completedSteps.includes('awaitApproval'));
    });

    it('a rejection answers once the saga settled: COMPENSATION_FAILED when a compensation parks', async () => {
      const fakes = new FakeOrderServices(60_000);
      fakes.faults.set('releaseInventory', { kind: 'before', times: 10 });
      const input = orderInput();
      const result = await runOrderSaga(env, fakes.activities(), input, async (handle) => {
        await waitForStatus(handle, 'AWAITING_APPROVAL');
        const rejection = handle.executeUpdate(approveUpdate, {
          args: [{ approved: false, by: 'alice', reason: 'fraud' }],
        });
        // The release keeps failing through its retries (minutes of backoff): skip time until the saga parks. Each
        // sleep ends before the next call: with a sleep still pending when the Update answered (a race with it),
        // CI saw the later tests wait out their backoffs in real time until the file timed out.
        await waitForStatus(handle, 'COMPENSATION_FAILED', () => env.sleep('1 minute'));
        const state = await rejection;
        assert.equal(state.status, 'COMPENSATION_FAILED');
        assert.deepEqual(
          state.parked.map((p) => p.step),
          ['reserveInventory'],
        );
        await handle.executeUpdate('retryCompensation', { args: [{ by: 'ops' }] });
      });
      assert.equal(result.state.status, 'COMPENSATED');
      assert.equal(result.state.failure?.type, 'APPROVAL_REJECTED');
      assert.equal(fakes.payments.has(input.orderId), false);
    });

    it('approval is refused when the order is not waiting for one', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('authorizePayment', { kind: 'hang' });
      await runOrderSaga(env, fakes.activities(), orderInput(), async (handle) => {
        await waitForStep(handle, 'authorizePayment');
        await rejectsWithCause(
          handle.executeUpdate('approve', { args: [{ approved: true, by: 'alice' }] }),
          /not AWAITING_APPROVAL/,
        );
        await handle.executeUpdate('cancel', { args: [{ reason: 'test cleanup' }] });
      });
    });

    it('cancel while waiting for approval compensates and ends CANCELLED', async () => {
      const fakes = new FakeOrderServices(60_000);
      const input = orderInput();
      const result = await runOrderSaga(env, fakes.activities(), input, async (handle) => {
        await waitForStatus(handle, 'AWAITING_APPROVAL');
        const state = await handle.executeUpdate('cancel', { args: [{ reason: 'customer changed their mind' }] });
        assert.equal((state as { status: string }).status, 'CANCELLED');
      });
      assert.equal(result.state.status, 'CANCELLED');
      assert.equal(result.state.cancellation?.reason, 'customer changed their mind');
      assert.equal(fakes.orders.get(input.orderId)?.status, 'CANCELLED');
      assert.equal(fakes.reservations.get(input.orderId)?.status, 'RELEASED');
    });

    it('cancel is refused after the payment was captured (point of no return)', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('commitInventory', { kind: 'before', times: 3 });
      const result = await runOrderSaga(env, fakes.activities(), orderInput(), async (handle) => {
        await waitForStep(handle, 'commitInventory');
        await rejectsWithCause(
          handle.executeUpdate('cancel', { args: [{ reason: 'too late' }] }),
          /point of no return/,
        );
      });
      assert.equal(result.state.status, 'COMPLETED');
    });

    it('cancelling the workflow through Temporal still runs every compensation', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('capturePayment', { kind: 'hang' });
      const input = orderInput();
      const result = await runOrderSaga(env, fakes.activities(), input, async (handle) => {
        await waitForStep(handle, 'capturePayment');
        await handle.cancel();
      });
      assert.equal(result.state.status, 'CANCELLED');
      assert.deepEqual(compensated(result), ['cancelPayment', 'releaseInventory', 'closeOrder']);
      assert.equal(fakes.payments.get(input.orderId)?.status, 'VOIDED');
    });

    it('a compensation that keeps failing parks the saga; the operator retries it and it completes', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
      fakes.faults.set('releaseInventory', { kind: 'before', times: 10 });
      const input = orderInput();
      const result = await runOrderSaga(env, fakes.activities(), input, async (handle) => {
        await waitForStatus(handle, 'COMPENSATION_FAILED', () => env.sleep('1 minute'));
        const parked = await handle.query(sagaStateQuery);
        assert.deepEqual(
          parked.parked.map((p) => p.step),
          ['reserveInventory'],
        );
        const after = await handle.executeUpdate('retryCompensation', { args: [{ by: 'ops' }] });
        assert.equal((after as { parked: unknown[] }).parked.length, 0);
      });
      assert.equal(result.state.status, 'COMPENSATED');
      assert.equal(fakes.attempts('releaseInventory'), 11);
      assert.equal(fakes.reservations.get(input.orderId)?.status, 'RELEASED');
      assert.deepEqual(
        result.state.compensations.map((c) => `${c.activity}:${c.outcome}`),
        [
          'cancelPayment:COMPENSATED',
          'releaseInventory:FAILED',
          'releaseInventory:COMPENSATED',
          'closeOrder:COMPENSATED',
        ],
      );
    });

    it('the operator can skip a parked compensation with a reason, which is recorded', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('reserveInventory', { kind: 'business', code: 'INSUFFICIENT_STOCK' });
      fakes.faults.set('releaseInventory', { kind: 'before' });
      const result = await runOrderSaga(env, fakes.activities(), orderInput(), async (handle) => {
        await waitForStatus(handle, 'COMPENSATION_FAILED', () => env.sleep('1 minute'));
        await rejectsWithCause(
          handle.executeUpdate('skipCompensation', { args: [{ by: 'ops', reason: ' ' }] }),
          /reason/,
        );
        await handle.executeUpdate('skipCompensation', { args: [{ by: 'ops', reason: 'released by hand' }] });
      });
      assert.equal(result.state.status, 'COMPENSATED');
      const skipped = result.state.compensations.find((c) => c.outcome === 'SKIPPED');
      assert.equal(skipped?.step, 'reserveInventory');
      assert.match(skipped?.reason ?? '', /released by hand \(by ops\)/);
    });

    it('starting the same order twice is rejected: one order, one saga', async () => {
      const fakes = new FakeOrderServices(60_000);
      const input = orderInput();
      await runOrderSaga(env, fakes.activities(), input, async (handle) => {
        await waitForStatus(handle, 'AWAITING_APPROVAL');
        await assert.rejects(
          env.client.workflow.start('orderFulfillment', {
            taskQueue: 'elsewhere',
            workflowId: input.orderId,
            args: [input],
          }),
          (err: Error) => err.name === 'WorkflowExecutionAlreadyStartedError',
        );
        await handle.executeUpdate('cancel', { args: [{ reason: 'done' }] });
      });
    });
  });
}
