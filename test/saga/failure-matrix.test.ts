import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultyTransport } from '../helpers/faulty-transport';
import { orderInput, rejectsWithCause, runOrderSaga, waitForStep } from '../helpers/order-saga';
import { realServicesSuite } from '../helpers/real-services';
import type { OrderSnapshot } from '../helpers/real-services';

// A generated matrix over the real services: every activity step × {fails before its effect, fails after it
// (response lost), times out (the service does not answer within the client's timeout), cancelled while in
// flight}. For each case the expected compensations and the
// final state of all three services are derived from the saga's declaration, then checked.

type Fault = 'before' | 'after' | 'timeout' | 'cancel';
const FAULTS: Fault[] = ['before', 'after', 'timeout', 'cancel'];

interface StepModel {
  name: string;
  compensation?: 'closeOrder' | 'releaseInventory' | 'cancelPayment';
  /** After the pivot the saga only moves forward: faults are retried until they clear, cancel is refused. */
  afterPivot?: boolean;
}

const STEPS: StepModel[] = [
  { name: 'createOrder', compensation: 'closeOrder' },
  { name: 'reserveInventory', compensation: 'releaseInventory' },
  { name: 'markReserved' },
  { name: 'authorizePayment', compensation: 'cancelPayment' },
  { name: 'capturePayment' },
  { name: 'markPaid', afterPivot: true },
  { name: 'commitInventory', afterPivot: true },
  { name: 'confirmOrder', afterPivot: true },
];

const QUANTITY = 1;
const PRICE = 2_450; // SKU-1 in the demo catalogue

interface Expected {
  status: string;
  compensations: string[];
  snapshot: OrderSnapshot;
  stockDelta: number;
  failureType?: RegExp;
}

function expectedOutcome(index: number, fault: Fault): Expected {
  const step = STEPS[index]!;
  if (step.afterPivot) {
    return {
      status: 'COMPLETED',
      compensations: [],
      snapshot: {
        order: 'CONFIRMED',
        reservation: 'COMMITTED',
        payment: { status: 'CAPTURED', capturedMinor: PRICE, refundedMinor: 0, ledger: ['AUTHORIZE', 'CAPTURE'] },
      },
      stockDelta: -QUANTITY,
    };
  }
  const happened = (name: string) => {
    const at = STEPS.findIndex((s) => s.name === name);
    return at < index || (at === index && fault === 'after');
  };
  const registered = (name: string) => STEPS.findIndex((s) => s.name === name) <= index;
  const cancelled = fault === 'cancel';
  const snapshot: OrderSnapshot = {};
  if (happened('createOrder')) snapshot.order = cancelled ? 'CANCELLED' : 'COMPENSATED';
  if (registered('reserveInventory')) snapshot.reservation = 'RELEASED';
  if (happened('capturePayment')) {
    snapshot.payment = {
      status: 'REFUNDED',
      capturedMinor: PRICE,
      refundedMinor: PRICE,
      ledger: ['AUTHORIZE', 'CAPTURE', 'REFUND'],
    };
  } else if (happened('authorizePayment')) {
    snapshot.payment = { status: 'VOIDED', capturedMinor: 0, refundedMinor: 0, ledger: ['AUTHORIZE', 'VOID'] };
  }
  const failureType =
    step.name === 'capturePayment' && !cancelled
      ? /^STEP_DEADLINE_EXCEEDED$/
      : { before: /^NETWORK_ERROR$/, after: /^NETWORK_ERROR$/, timeout: /^TIMEOUT$/, cancel: undefined }[fault];
  return {
    status: cancelled ? 'CANCELLED' : 'COMPENSATED',
    compensations: STEPS.slice(0, index + 1)
      .flatMap((s) => (s.compensation ? [s.compensation] : []))
      .reverse(),
    snapshot,
    stockDelta: 0,
    failureType,
  };
}

const suite = realServicesSuite();

describe('failure matrix: every step × every fault, against the real services', () => {
  STEPS.forEach((step, index) => {
    for (const fault of FAULTS) {
      const expected = expectedOutcome(index, fault);
      it(`${step.name} ${fault} → ${expected.status} [${expected.compensations.join(', ') || 'no compensation'}]`, async () => {
        const transport = new FaultyTransport();
        // Before the pivot faults persist until the saga gives up; after it they clear after a few attempts.
        const times = step.afterPivot ? (fault === 'cancel' ? 1 : 3) : undefined;
        transport.inject(
          step.name,
          { before: 'before', after: 'after', timeout: 'hang', cancel: 'hang' }[fault] as never,
          times,
        );
        const input = orderInput({ items: [{ sku: 'SKU-1', quantity: QUANTITY }] });
        const availableBefore = await suite.services.available('SKU-1');

        // The test server does not skip time while an activity runs, so the timeout is the client's, kept short.
        const activities = suite.services.activities(transport.fetch, fault === 'timeout' ? { timeoutMs: 300 } : {});
        const result = await runOrderSaga(suite.env, activities, input, async (handle) => {
          if (fault !== 'cancel') return;
          await waitForStep(handle, step.name);
          const cancel = handle.executeUpdate('cancel', { args: [{ reason: `cancel during ${step.name}` }] });
          if (step.afterPivot) await rejectsWithCause(cancel, /point of no return/);
          else await cancel;
        });

        assert.equal(result.state.status, expected.status);
        assert.deepEqual(
          result.state.compensations.map((c) => `${c.activity}:${c.outcome}`),
          expected.compensations.map((activity) => `${activity}:COMPENSATED`),
        );
        if (expected.failureType) {
          assert.equal(result.state.failure?.step, step.name);
          assert.match(result.state.failure?.type ?? '', expected.failureType);
        }
        if (fault === 'cancel' && !step.afterPivot) {
          assert.equal(result.state.cancellation?.reason, `cancel during ${step.name}`);
        }
        assert.deepEqual(await suite.services.snapshot(input.orderId), expected.snapshot);
        assert.equal(await suite.services.available('SKU-1'), availableBefore + expected.stockDelta);
      });
    }
  });
});
