import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { FakeOrderServices } from '../helpers/fake-order-services';
import {
  orderInput,
  rejectsWithCause,
  runOrderSaga,
  runWithSagaWorkers,
  sagaTaskQueue,
  startOrderSaga,
  waitForState,
  waitForStatus,
} from '../helpers/order-saga';
import { testWorkflowBundle } from '../helpers/worker';
import { orderFulfillmentParallel } from '../workflows/parallel-order';
import {
  approveUpdate,
  cancelUpdate,
  resolveStepUpdate,
  retryCompensationUpdate,
  retryStepUpdate,
  skipCompensationUpdate,
} from '../../workflows/order/messages';
import type { orderFulfillment } from '../../workflows/order/workflow';
import type { OrderInput, OrderResult } from '../../workflows/order/types';

const EventType = temporal.api.enums.v1.EventType;

// The interleavings of issue 12, each reproduced exactly on the time-skipping server with in-memory services.

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTimeSkippingEnv();
});
after(() => env?.teardown());

type Handle = WorkflowHandle<typeof orderFulfillment>;
const skip = () => env.sleep('1 minute');
const outcomes = (result: OrderResult) => result.state.compensations.map((c) => `${c.activity}:${c.outcome}`);

/**
 * Runs a saga in two phases with its workers down in between, so that whatever `whileDown` sends reaches the
 * workflow together, in one workflow task, when the workers come back (as after a worker outage).
 */
async function withWorkersDownBetween<T>(
  fakes: FakeOrderServices,
  input: OrderInput,
  untilDown: (handle: Handle) => Promise<void>,
  whileDown: (handle: Handle) => Promise<T>,
): Promise<{ sent: T; result: OrderResult; handle: Handle }> {
  const activities = fakes.activities();
  // No sticky cache: the test server would hold the next task for the stopped worker's sticky queue.
  const noSticky = { maxCachedWorkflows: 0 };
  const queue = sagaTaskQueue(input);
  const handle = await runWithSagaWorkers(
    env,
    queue,
    activities,
    async () => {
      const started = await startOrderSaga(env, input);
      await untilDown(started);
      return started;
    },
    noSticky,
  );
  const sent = await whileDown(handle);
  const result = await runWithSagaWorkers(env, queue, activities, () => handle.result(), noSticky);
  return { sent, result, handle };
}

/**
 * Sends Updates one after another while no worker runs, each given time to reach the server first; their
 * outcomes settle once a worker is back (wrapped, so that awaiting this does not wait for them).
 */
async function sendInOrder(
  ...sends: (() => Promise<unknown>)[]
): Promise<{ settled: Promise<PromiseSettledResult<unknown>[]> }> {
  const pending: Promise<unknown>[] = [];
  for (const send of sends) {
    pending.push(send());
    await delay(300);
  }
  return { settled: Promise.allSettled(pending) };
}

describe('saga races (issue 12)', () => {
  it('1. a capture that succeeds as its deadline fires moves the saga forward (COMPLETED, no refund)', async () => {
    const fakes = new FakeOrderServices();
    // Succeeds after 1.5 s of real time, never heartbeating, so it never learns of the deadline's cancel.
    fakes.faults.set('capturePayment', { kind: 'slow', ms: 1_500 });
    const input = orderInput({ paymentDeadline: '1 second' });
    const result = await runOrderSaga(env, fakes.activities(), input);
    assert.equal(result.state.status, 'COMPLETED', JSON.stringify(result.state));
    assert.equal(result.state.cancellation, undefined);
    assert.deepEqual(result.state.compensations, []);
    assert.equal(fakes.payments.get(input.orderId)?.status, 'CAPTURED');
    assert.equal(fakes.orders.get(input.orderId)?.status, 'CONFIRMED');
    assert.equal(fakes.reservations.get(input.orderId)?.status, 'COMMITTED');
  });

  it('1b. a capture that fails after its deadline fired fails the saga as STEP_DEADLINE_EXCEEDED, not a cancel', async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('capturePayment', { kind: 'hang' });
    const input = orderInput({ paymentDeadline: '2 seconds' });
    const result = await runOrderSaga(env, fakes.activities(), input);
    assert.equal(result.state.status, 'COMPENSATED');
    assert.equal(result.state.failure?.type, 'STEP_DEADLINE_EXCEEDED');
    assert.equal(result.state.cancellation, undefined);
    assert.equal(fakes.payments.get(input.orderId)?.status, 'VOIDED');
  });

  for (const [step, activity, code] of [
    ['markPaid', 'setOrderStatus', 'ILLEGAL_TRANSITION'],
    ['commitInventory', 'commitInventory', 'RESERVATION_RELEASED'],
  ] as const) {
    it(`2. ${step} failing for good after the pivot parks the saga (FORWARD_FAILED); the money stays captured; retryStep completes it`, async () => {
      const fakes = new FakeOrderServices();
      // Post-pivot setOrderStatus calls: markPaid is the first of them.
      fakes.scripts.set(
        activity,
        activity === 'setOrderStatus' ? [undefined, { kind: 'business', code }] : [{ kind: 'business', code }],
      );
      const input = orderInput();
      const result = await runOrderSaga(env, fakes.activities(), input, async (handle) => {
        const parked = await waitForStatus(handle, 'FORWARD_FAILED', skip);
        assert.deepEqual(
          parked.parked.map((p) => [p.phase, p.step, p.activity]),
          [['forward', step, activity]],
        );
        assert.match(parked.parked[0]!.error, new RegExp(code));
        assert.equal(fakes.payments.get(input.orderId)?.status, 'CAPTURED');
        await rejectsWithCause(handle.executeUpdate(cancelUpdate, { args: [{ reason: 'x' }] }), /point of no return/);
        // A workflow cancellation (the Web UI's Cancel) does not undo it either.
        await handle.cancel();
        await rejectsWithCause(
          handle.executeUpdate(retryCompensationUpdate, { args: [{ by: 'ops' }] }),
          /no parked compensation/,
        );
        const after = await handle.executeUpdate(retryStepUpdate, { args: [{ by: 'ops', step }] });
        assert.deepEqual(after.parked, []);
        assert.deepEqual(
          after.recoveries?.map((r) => `${r.step}:${r.outcome}`),
          [`${step}:FAILED`, `${step}:RETRIED`],
        );
      });
      assert.equal(result.state.status, 'COMPLETED', JSON.stringify(result.state));
      assert.deepEqual(result.state.compensations, []);
      assert.equal(result.state.failure, undefined);
      assert.equal(fakes.payments.get(input.orderId)?.status, 'CAPTURED');
      assert.equal(fakes.orders.get(input.orderId)?.status, 'CONFIRMED');
      assert.equal(fakes.reservations.get(input.orderId)?.status, 'COMMITTED');
    });
  }

  it('2b. resolveStep marks a parked step done by hand (with the reason) and the saga goes on to its last step', async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('commitInventory', { kind: 'business', code: 'RESERVATION_RELEASED' });
    const input = orderInput();
    const result = await runOrderSaga(env, fakes.activities(), input, async (handle) => {
      await waitForStatus(handle, 'FORWARD_FAILED', skip);
      await rejectsWithCause(
        handle.executeUpdate(resolveStepUpdate, { args: [{ by: 'ops', reason: ' ' }] }),
        /needs a reason/,
      );
      await handle.executeUpdate(resolveStepUpdate, { args: [{ by: 'ops', reason: 'stock committed by hand' }] });
    });
    assert.equal(result.state.status, 'COMPLETED');
    assert.deepEqual(
      result.state.recoveries?.map((r) => [r.step, r.outcome, r.reason]),
      [
        ['commitInventory', 'FAILED', undefined],
        ['commitInventory', 'RESOLVED', 'stock committed by hand (by ops)'],
      ],
    );
    assert.deepEqual(result.state.completedSteps.slice(-2), ['commitInventory', 'confirmOrder']);
    assert.equal(fakes.payments.get(input.orderId)?.status, 'CAPTURED');
    assert.equal(fakes.orders.get(input.orderId)?.status, 'CONFIRMED');
  });

  it('4. approve(false) then approve(true) in one workflow task: the first decision wins, the second is refused', async () => {
    const fakes = new FakeOrderServices();
    const input = orderInput({ approvalThresholdMinor: 1 });
    const { sent, result } = await withWorkersDownBetween(
      fakes,
      input,
      (handle) => waitForStatus(handle, 'AWAITING_APPROVAL').then(() => undefined),
      (handle) =>
        sendInOrder(
          () => handle.executeUpdate(approveUpdate, { args: [{ approved: false, by: 'ops-1', reason: 'fraud' }] }),
          () => handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'ops-2' }] }),
        ),
    );
    const [first, second] = await sent.settled;
    assert.equal(first?.status, 'fulfilled');
    assert.equal(second?.status, 'rejected');
    assert.match(String(((second as PromiseRejectedResult).reason as Error).cause), /already rejected/);
    assert.equal(result.state.status, 'COMPENSATED');
    assert.equal(result.state.failure?.type, 'APPROVAL_REJECTED');
    assert.equal(result.approval?.by, 'ops-1');
    assert.equal(fakes.payments.has(input.orderId), false);
  });

  it('4d. an approval and a cancellation of the workflow (e.g. from the Web UI) in one workflow task: the approver gets the outcome, not an error', async () => {
    const fakes = new FakeOrderServices();
    const input = orderInput({ approvalThresholdMinor: 1 });
    const { sent, result } = await withWorkersDownBetween(
      fakes,
      input,
      (handle) => waitForStatus(handle, 'AWAITING_APPROVAL').then(() => undefined),
      (handle) =>
        sendInOrder(
          () => handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'ops-1' }] }),
          () => handle.cancel(),
        ),
    );
    const [approval] = await sent.settled;
    // Before: the approve Update failed with "Workflow cancelled" although it was taken.
    assert.equal(approval?.status, 'fulfilled', String((approval as PromiseRejectedResult).reason?.cause));
    assert.equal(result.state.status, 'CANCELLED');
    assert.equal(result.approval?.by, 'ops-1');
    assert.equal(fakes.payments.has(input.orderId), false, 'cancelled before the payment');
    assert.equal(fakes.reservations.get(input.orderId)?.status, 'RELEASED');
  });

  it('4b. an approval in the same workflow task as the approval timeout: an accepted approval is honoured', async () => {
    const fakes = new FakeOrderServices();
    const input = orderInput({ approvalThresholdMinor: 1, approvalTimeout: '1 hour' });
    const { sent, result, handle } = await withWorkersDownBetween(
      fakes,
      input,
      (h) => waitForStatus(h, 'AWAITING_APPROVAL').then(() => undefined),
      async (h) => {
        // Skip past the timeout while no worker runs: the timer fires and its workflow task waits for a worker.
        // (The test server's sleep RPC does not return while the workflow has no worker: bound it.)
        await Promise.race([env.sleep('2 hours'), delay(3_000)]);
        return sendInOrder(() => h.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'ops' }] }));
      },
    );
    const [approval] = await sent.settled;
    // The interleaving happened: the timer fired, then one workflow task took the Update with it.
    const types = ((await handle.fetchHistory()).events ?? []).map((e) => e.eventType);
    const fired = types.indexOf(EventType.EVENT_TYPE_TIMER_FIRED);
    assert.ok(fired >= 0, 'the approval timer fired');
    const accepted = types.indexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, fired);
    assert.ok(accepted > fired, 'the Update was accepted after the timer fired');
    // Between the two only workflow-task events, one task completed: the task that saw the timer took the Update
    // (a task attempt that timed out under load, and its retry, are the same task).
    const between = types.slice(fired + 1, accepted);
    const taskEvents = [
      EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
      EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
      EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    ];
    assert.ok(
      between.every((t) => taskEvents.includes(t!)),
      `only workflow-task events between: ${between}`,
    );
    assert.deepEqual(
      between.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      [EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED],
    );
    // Whichever the workflow saw first wins, and the answer the approver got says which.
    if (approval?.status === 'fulfilled') {
      assert.equal(result.state.status, 'COMPLETED', JSON.stringify(result.state));
      assert.equal(result.approval?.approved, true);
    } else {
      assert.equal(result.state.failure?.type, 'APPROVAL_TIMEOUT');
      assert.equal(result.approval, undefined);
    }
  });

  it('4c. retry then skip of the same parked compensation in one workflow task: the retry wins, the skip is refused', async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
    fakes.scripts.set('releaseInventory', [{ kind: 'business', code: 'NOT_FOUND' }]);
    const input = orderInput();
    const { sent, result } = await withWorkersDownBetween(
      fakes,
      input,
      (handle) => waitForStatus(handle, 'COMPENSATION_FAILED', skip).then(() => undefined),
      (handle) =>
        sendInOrder(
          () => handle.executeUpdate(retryCompensationUpdate, { args: [{ by: 'ops-1', step: 'reserveInventory' }] }),
          () =>
            handle.executeUpdate(skipCompensationUpdate, {
              args: [{ by: 'ops-2', step: 'reserveInventory', reason: 'done by hand' }],
            }),
        ),
    );
    const [retry, skipped] = await sent.settled;
    assert.equal(retry?.status, 'fulfilled');
    assert.equal(skipped?.status, 'rejected');
    assert.match(String(((skipped as PromiseRejectedResult).reason as Error).cause), /already has a decision/);
    assert.equal(result.state.status, 'COMPENSATED');
    assert.deepEqual(outcomes(result), [
      'cancelPayment:COMPENSATED',
      'releaseInventory:FAILED',
      'releaseInventory:COMPENSATED',
      'closeOrder:COMPENSATED',
    ]);
    assert.equal(fakes.reservations.get(input.orderId)?.status, 'RELEASED');
  });

  it("5. under parallel compensation, a retry Update completes with its own step's outcome, not another step's", async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
    // Both park; the retried void then takes 1.5 s, while the other parked step is skipped at once.
    fakes.scripts.set('cancelPayment', [
      { kind: 'business', code: 'NOT_FOUND' },
      { kind: 'slow', ms: 1_500 },
    ]);
    fakes.scripts.set('releaseInventory', [{ kind: 'business', code: 'NOT_FOUND' }]);
    const input = orderInput();
    const bundle = { workflowBundle: await testWorkflowBundle() };
    const result = await runWithSagaWorkers(
      env,
      sagaTaskQueue(input),
      fakes.activities(),
      async () => {
        const handle = await env.client.workflow.start(orderFulfillmentParallel, {
          taskQueue: sagaTaskQueue(input),
          workflowId: input.orderId,
          args: [input],
        });
        await waitForState(handle, (s) => s.parked.length === 2, 'two parked compensations', skip);
        const retry = handle.executeUpdate(retryCompensationUpdate, {
          args: [{ by: 'ops', step: 'authorizePayment' }],
        });
        await delay(200);
        await handle.executeUpdate(skipCompensationUpdate, {
          args: [{ by: 'ops', step: 'reserveInventory', reason: 'released by hand' }],
        });
        const after = await retry;
        const mine = after.compensations.filter((c) => c.step === 'authorizePayment').map((c) => c.outcome);
        assert.deepEqual(mine, ['FAILED', 'COMPENSATED'], JSON.stringify(after));
        assert.deepEqual(after.parked, []);
        return handle.result();
      },
      bundle,
    );
    assert.equal(result.state.status, 'COMPENSATED');
    assert.deepEqual(outcomes(result).sort(), [
      'cancelPayment:COMPENSATED',
      'cancelPayment:FAILED',
      'closeOrder:COMPENSATED',
      'releaseInventory:FAILED',
      'releaseInventory:SKIPPED',
    ]);
  });
});
