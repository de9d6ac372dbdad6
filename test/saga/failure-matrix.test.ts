import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExpectedState, Fault, MatrixStep } from '../helpers/failure-matrix';
import { assertSagaState, cancelDuring, FAILURE_TYPES, FAULTS, faultyTransport } from '../helpers/failure-matrix';
import { orderInput as baseOrderInput, runOrderSaga } from '../helpers/order-saga';
import { realServicesSuite } from '../helpers/real-services';
import type { OrderSnapshot } from '../helpers/real-services';
import { STEP_EXECUTIONS } from '../helpers/step-execution';
import type { StepExecution } from '../../workflows/shared/step-execution';
import type { OrderInput } from '../../workflows/order/types';

// A generated matrix over the real services: every activity step × {fails before its effect, fails after it
// (response lost), times out (the service does not answer within the client's timeout), cancelled while in
// flight}. For each case the expected compensations and the
// final state of all three services are derived from the saga's declaration, then checked.

interface StepModel extends MatrixStep {
  compensation?: 'closeOrder' | 'releaseInventory' | 'cancelPayment';
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

interface Expected extends ExpectedState {
  snapshot: OrderSnapshot;
  stockDelta: number;
}

/**
 * With local steps, every fault here (none is a business answer) also compensates the local steps after the faulty
 * one up to the capture, a regular activity: a lost workflow task may have run them unrecorded (packages/saga
 * engine, registerUnrecordedSteps). Where nothing happened their compensations leave tombstones.
 */
function unrecordedAfter(index: number, stepExecution: StepExecution): number {
  const capture = STEPS.findIndex((s) => s.name === 'capturePayment');
  return stepExecution === 'local' && index < capture ? capture - 1 : index;
}

function expectedOutcome(index: number, fault: Fault, stepExecution: StepExecution): Expected {
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
  const lastRegistered = unrecordedAfter(index, stepExecution);
  const registered = (name: string) => STEPS.findIndex((s) => s.name === name) <= lastRegistered;
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
  const failureType = step.name === 'capturePayment' && !cancelled ? /^STEP_DEADLINE_EXCEEDED$/ : FAILURE_TYPES[fault];
  return {
    status: cancelled ? 'CANCELLED' : 'COMPENSATED',
    compensations: STEPS.slice(0, lastRegistered + 1)
      .flatMap((s) => (s.compensation ? [s.compensation] : []))
      .reverse(),
    snapshot,
    stockDelta: 0,
    failureType,
  };
}

const suite = realServicesSuite();

// Every case runs with the saga's service calls as regular activities on the lanes and as local activities.
for (const stepExecution of STEP_EXECUTIONS) {
  const orderInput = (overrides: Partial<OrderInput> = {}) => baseOrderInput({ stepExecution, ...overrides });

  describe(`failure matrix: every step × every fault, against the real services, ${stepExecution} steps`, () => {
    STEPS.forEach((step, index) => {
      for (const fault of FAULTS) {
        const expected = expectedOutcome(index, fault, stepExecution);
        it(`${step.name} ${fault} → ${expected.status} [${expected.compensations.join(', ') || 'no compensation'}]`, async () => {
          const { fetch, options } = faultyTransport(step, fault);
          const input = orderInput({ items: [{ sku: 'SKU-1', quantity: QUANTITY }] });
          const availableBefore = await suite.services.available('SKU-1');
          const result = await runOrderSaga(suite.env, suite.services.activities(fetch, options), input, (handle) =>
            cancelDuring(handle, step, fault, /point of no return/),
          );
          assertSagaState(result.state, expected, step, fault);
          assert.deepEqual(await suite.services.snapshot(input.orderId), expected.snapshot);
          assert.equal(await suite.services.available('SKU-1'), availableBefore + expected.stockDelta);
        });
      }
    });
  });
}
