import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReturnActivities } from '../../activities/return-types';
import { approveUpdate, cancelUpdate } from '../../workflows/order/messages';
import { parcelReceivedUpdate } from '../../workflows/returns/messages';
import { rejectsWithCause, runWithSagaWorkers, waitForState, waitForStatus, waitForStep } from '../helpers/order-saga';
import { realServicesSuite } from '../helpers/real-services';
import {
  fulfilledOrder,
  receiveParcel,
  returnInput,
  returnTaskQueue,
  runReturnSaga,
  startReturnSaga,
} from '../helpers/return-saga';

// The returns saga with its real activities against the three real services (SQLite), on the time-skipping test
// server: every effect is checked in the service that owns it, and waits of days take no time.
const suite = realServicesSuite();

const compensated = (result: { state: { compensations: { activity: string; outcome: string }[] } }) =>
  result.state.compensations.map((c) => `${c.activity}:${c.outcome}`);

/**
 * A return waiting for its parcel, its workers stopped: what is sent now waits at the server and reaches the worker
 * that `resume` starts in one workflow task.
 */
async function awaitingParcelWorkersDown(orderId: string, activities: ReturnActivities) {
  const input = returnInput(orderId);
  const taskQueue = returnTaskQueue(input);
  // The first worker caches nothing, so the next workflow task goes to the task queue, not to its sticky queue.
  const handle = await runWithSagaWorkers(
    suite.env,
    taskQueue,
    activities,
    async () => {
      const started = await startReturnSaga(suite.env, input);
      await waitForStep(started, 'awaitParcel');
      return started;
    },
    { maxCachedWorkflows: 0 },
  );
  const resume = <T>(fn: () => Promise<T>) => runWithSagaWorkers(suite.env, taskQueue, activities, fn);
  return { input, handle, resume };
}

describe('returns saga against the real services', () => {
  it('happy path: label, parcel, restock, partial refund of the returned unit; the return ends REFUNDED', async () => {
    const orderId = await fulfilledOrder(suite.env, suite.services);
    const input = returnInput(orderId);
    const availableBefore = await suite.services.available('SKU-1');
    const result = await runReturnSaga(suite.env, suite.services.returnActivities(), input, async (handle) => {
      await waitForStep(handle, 'awaitParcel');
      const after = await receiveParcel(handle);
      assert.notEqual(after.currentStep, 'awaitParcel');
    });
    assert.equal(result.state.status, 'COMPLETED');
    assert.deepEqual(result.state.completedSteps, [
      'requestReturn',
      'createLabel',
      'awaitParcel',
      'markReceived',
      'restock',
      'refund',
      'markRefunded',
    ]);
    assert.equal(result.refundMinor, 2_450);
    assert.match(result.trackingNumber ?? '', /^TRK/);
    assert.equal(result.parcel?.by, 'warehouse-1');
    assert.deepEqual(await suite.services.returnSnapshot(input.returnId, orderId), {
      return: 'REFUNDED',
      label: 'USED',
      restock: 'RESTOCKED',
      refundedMinor: 2_450,
    });
    assert.equal((await suite.services.snapshot(orderId)).payment?.status, 'PARTIALLY_REFUNDED');
    assert.equal(await suite.services.available('SKU-1'), availableBefore + 1);
  });

  it('no parcel within 14 days: EXPIRED, the label voided, nothing restocked or refunded', async () => {
    const orderId = await fulfilledOrder(suite.env, suite.services);
    const input = returnInput(orderId);
    const started = Date.now();
    const result = await runReturnSaga(suite.env, suite.services.returnActivities(), input);
    assert.equal(result.state.status, 'COMPENSATED');
    assert.equal(result.state.failure?.type, 'PARCEL_NOT_RECEIVED');
    assert.ok(result.state.finishedAt! - result.state.startedAt >= 14 * 24 * 3600_000);
    assert.ok(Date.now() - started < 60_000, 'the 14 days were skipped');
    assert.deepEqual(compensated(result), ['voidReturnLabel:COMPENSATED', 'closeReturn:COMPENSATED']);
    assert.deepEqual(await suite.services.returnSnapshot(input.returnId, orderId), {
      return: 'EXPIRED',
      label: 'VOIDED',
      refundedMinor: 0,
    });
  });

  it('a high refund waits for approval before any label; approved, it runs to the refund', async () => {
    const orderId = await fulfilledOrder(suite.env, suite.services);
    const input = returnInput(orderId, { items: [{ sku: 'SKU-1', quantity: 2 }], approvalThresholdMinor: 4_900 });
    const result = await runReturnSaga(suite.env, suite.services.returnActivities(), input, async (handle) => {
      await waitForStatus(handle, 'AWAITING_APPROVAL');
      assert.equal((await suite.services.returnSnapshot(input.returnId, orderId)).label, undefined);
      const after = await handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'ops-1' }] });
      assert.equal(after.status, 'RUNNING');
      await waitForStep(handle, 'awaitParcel');
      await receiveParcel(handle);
    });
    assert.equal(result.state.status, 'COMPLETED');
    assert.equal(result.approval?.by, 'ops-1');
    assert.equal((await suite.services.returnSnapshot(input.returnId, orderId)).refundedMinor, 4_900);
    assert.equal((await suite.services.snapshot(orderId)).payment?.status, 'REFUNDED');
  });

  it('a rejected approval closes the return REJECTED, with no label', async () => {
    const orderId = await fulfilledOrder(suite.env, suite.services);
    const input = returnInput(orderId, { items: [{ sku: 'SKU-1', quantity: 2 }], approvalThresholdMinor: 4_900 });
    const result = await runReturnSaga(suite.env, suite.services.returnActivities(), input, async (handle) => {
      await waitForStatus(handle, 'AWAITING_APPROVAL');
      const after = await handle.executeUpdate(approveUpdate, {
        args: [{ approved: false, by: 'ops-1', reason: 'worn' }],
      });
      assert.equal(after.status, 'COMPENSATED');
    });
    assert.equal(result.state.failure?.type, 'APPROVAL_REJECTED');
    assert.deepEqual(compensated(result), ['closeReturn:COMPENSATED']);
    assert.deepEqual(await suite.services.returnSnapshot(input.returnId, orderId), {
      return: 'REJECTED',
      refundedMinor: 0,
    });
  });

  it('cancelled while waiting for the parcel: CANCELLED, label voided; cancel is refused once the parcel is in', async () => {
    const orderId = await fulfilledOrder(suite.env, suite.services);
    const cancelled = returnInput(orderId);
    const result = await runReturnSaga(suite.env, suite.services.returnActivities(), cancelled, async (handle) => {
      await waitForStep(handle, 'awaitParcel');
      await handle.executeUpdate('cancel', { args: [{ reason: 'customer kept it' }] });
    });
    assert.equal(result.state.status, 'CANCELLED');
    assert.deepEqual(await suite.services.returnSnapshot(cancelled.returnId, orderId), {
      return: 'CANCELLED',
      label: 'VOIDED',
      refundedMinor: 0,
    });

    const kept = returnInput(orderId);
    const done = await runReturnSaga(suite.env, suite.services.returnActivities(), kept, async (handle) => {
      await waitForStep(handle, 'awaitParcel');
      await receiveParcel(handle);
      await rejectsWithCause(handle.executeUpdate('cancel', { args: [{ reason: 'too late' }] }), /point of no return/);
      await rejectsWithCause(receiveParcel(handle), /already received/);
    });
    assert.equal(done.state.status, 'COMPLETED');
  });

  it('the parcel and a cancel in one workflow task: exactly one takes effect, never both', async () => {
    const orderId = await fulfilledOrder(suite.env, suite.services);
    const activities = suite.services.returnActivities();
    for (const first of ['parcel', 'cancel'] as const) {
      const { input, handle, resume } = await awaitingParcelWorkersDown(orderId, activities);
      // Both Updates wait at the server and reach the next worker in the same workflow task.
      const parcel = () => handle.executeUpdate(parcelReceivedUpdate, { args: [{ by: 'w' }] });
      const cancel = () => handle.executeUpdate(cancelUpdate, { args: [{ reason: 'race' }] });
      const sent = first === 'parcel' ? [parcel(), cancel()] : [cancel(), parcel()];
      const [outcomes, result] = await resume(() => Promise.all([Promise.allSettled(sent), handle.result()]));
      const refusals = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason?.cause?.message)] : []));
      assert.equal(refusals.length, 1, `${first} first: ${JSON.stringify(outcomes.map((o) => o.status))}`);
      const snapshot = await suite.services.returnSnapshot(input.returnId, orderId);
      // Two concurrent RPCs: the server may admit them in either order, and the one it admitted first wins.
      if (/the parcel is in/.test(refusals[0]!)) {
        assert.deepEqual([result.state.status, snapshot.return], ['COMPLETED', 'REFUNDED']);
      } else {
        assert.match(refusals[0]!, /being cancelled/);
        assert.deepEqual([result.state.status, snapshot.return], ['CANCELLED', 'CANCELLED']);
      }
    }
  });

  it('the parcel and a cancellation of the workflow (e.g. from the Web UI) in one workflow task: never both', async () => {
    const orderId = await fulfilledOrder(suite.env, suite.services);
    const activities = suite.services.returnActivities();
    const { input, handle, resume } = await awaitingParcelWorkersDown(orderId, activities);
    // The Update and the cancel request reach the next worker in the same workflow task.
    const parcel = handle.executeUpdate(parcelReceivedUpdate, { args: [{ by: 'w' }] });
    await handle.cancel();
    const [outcome, result] = await resume(() =>
      Promise.all([
        parcel
          .then(() => 'accepted')
          .catch((err: Error) => `refused: ${String((err.cause as Error | undefined)?.message ?? err.message)}`),
        handle.result(),
      ]),
    );
    const snapshot = await suite.services.returnSnapshot(input.returnId, orderId);
    // Once the Update took the parcel the warehouse holds the goods: the refund is owed, and the warehouse is told
    // so (before: the Update failed with "Workflow cancelled" while the saga went on to refund).
    if (outcome === 'accepted') {
      assert.deepEqual([result.state.status, snapshot.return], ['COMPLETED', 'REFUNDED']);
    } else {
      assert.match(outcome, /being cancelled|not waiting for its parcel/);
      assert.deepEqual([result.state.status, snapshot.return], ['CANCELLED', 'CANCELLED']);
    }
  });

  it('more units than the order has: RETURN_EXCEEDS_ORDER at once, nothing to undo', async () => {
    const orderId = await fulfilledOrder(suite.env, suite.services);
    const input = returnInput(orderId, { items: [{ sku: 'SKU-1', quantity: 3 }] });
    const result = await runReturnSaga(suite.env, suite.services.returnActivities(), input);
    assert.equal(result.state.status, 'COMPENSATED');
    assert.equal(result.state.failure?.type, 'RETURN_EXCEEDS_ORDER');
    // The close finds no return and leaves a tombstone, so a late request of this return is refused.
    assert.deepEqual(compensated(result), ['closeReturn:COMPENSATED']);
    assert.deepEqual(await suite.services.returnSnapshot(input.returnId, orderId), { refundedMinor: 0 });
  });

  it('a refund the payment service refuses parks the saga after the parcel; the operator resolves it by hand', async () => {
    const orderId = await fulfilledOrder(suite.env, suite.services);
    // Someone refunded the whole order meanwhile: the return's refund would exceed the capture.
    await suite.services.clients.payment.refund(orderId, 4_900, { idempotencyKey: `manual-${orderId}` });
    const input = returnInput(orderId);
    const result = await runReturnSaga(suite.env, suite.services.returnActivities(), input, async (handle) => {
      await waitForStep(handle, 'awaitParcel');
      await receiveParcel(handle);
      const parked = await waitForStatus(handle, 'FORWARD_FAILED');
      assert.deepEqual(
        parked.parked.map((p) => [p.step, p.phase]),
        [['refund', 'forward']],
      );
      assert.match(parked.parked[0]!.error, /exceed/);
      await rejectsWithCause(handle.executeUpdate('cancel', { args: [{ reason: 'x' }] }), /point of no return/);
      await handle.executeUpdate('resolveStep', { args: [{ by: 'ops-1', reason: 'refunded by hand earlier' }] });
    });
    assert.equal(result.state.status, 'COMPLETED');
    assert.deepEqual(
      result.state.recoveries?.map((r) => `${r.step}:${r.outcome}`),
      ['refund:FAILED', 'refund:RESOLVED'],
    );
    assert.deepEqual(result.state.compensations, []);
    assert.deepEqual(await suite.services.returnSnapshot(input.returnId, orderId), {
      return: 'REFUNDED',
      label: 'USED',
      restock: 'RESTOCKED',
      refundedMinor: 4_900,
    });
  });

  it('two returns of the same units: the second is refused while the first is open', async () => {
    const orderId = await fulfilledOrder(suite.env, suite.services, [{ sku: 'SKU-2', quantity: 1 }]);
    const first = returnInput(orderId, { items: [{ sku: 'SKU-2', quantity: 1 }] });
    const second = returnInput(orderId, { items: [{ sku: 'SKU-2', quantity: 1 }] });
    const result = await runReturnSaga(suite.env, suite.services.returnActivities(), first, async (handle) => {
      await waitForStep(handle, 'awaitParcel');
      // Polled with Queries, not awaited with result(): awaiting a result lets the test server skip time, and so
      // past the first return's parcel timer.
      const refused = await runWithSagaWorkers(
        suite.env,
        returnTaskQueue(second),
        suite.services.returnActivities(),
        async () =>
          waitForState(await startReturnSaga(suite.env, second), (s) => s.status === 'COMPENSATED', 'COMPENSATED'),
      );
      assert.equal(refused.failure?.type, 'RETURN_EXCEEDS_ORDER');
      await receiveParcel(handle);
    });
    assert.equal(result.state.status, 'COMPLETED');
    assert.equal((await suite.services.returnSnapshot(first.returnId, orderId)).refundedMinor, 1_200);
  });
});
