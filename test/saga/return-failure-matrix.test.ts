import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExpectedState, Fault, MatrixStep } from '../helpers/failure-matrix';
import { assertSagaState, cancelDuring, FAILURE_TYPES, FAULTS, faultyTransport } from '../helpers/failure-matrix';
import { waitForStep } from '../helpers/order-saga';
import { realServicesSuite } from '../helpers/real-services';
import type { ReturnSnapshot } from '../helpers/real-services';
import { fulfilledOrder, receiveParcel, returnInput as baseReturnInput, runReturnSaga } from '../helpers/return-saga';
import { STEP_EXECUTIONS } from '../helpers/step-execution';
import type { StepExecution } from '../../workflows/shared/step-execution';
import type { ReturnInput } from '../../workflows/returns/types';

// The returns saga's matrix over the real services: every activity step × {fails before its effect, fails after
// it (response lost), times out, cancelled while in flight}. The expected compensations and what the order,
// inventory and payment services hold afterwards are derived from the saga's declaration, then checked.

interface StepModel extends MatrixStep {
  compensation?: 'closeReturn' | 'voidReturnLabel';
}

// awaitParcel, the pivot, is a wait inside the workflow, not a service call: return-saga.test.ts covers it.
const STEPS: StepModel[] = [
  { name: 'requestReturn', compensation: 'closeReturn' },
  { name: 'createLabel', compensation: 'voidReturnLabel' },
  { name: 'markReceived', afterPivot: true },
  { name: 'restock', afterPivot: true },
  { name: 'refund', afterPivot: true },
  { name: 'markRefunded', afterPivot: true },
];

const PRICE = 2_450; // one unit of SKU-1 in the demo catalogue

interface Expected extends ExpectedState {
  snapshot: ReturnSnapshot;
  stockDelta: number;
}

/**
 * With local steps, every fault here (none is a business answer) also compensates the local steps after the faulty
 * one up to the parcel wait: a lost workflow task may have run them unrecorded (packages/saga engine,
 * registerUnrecordedSteps). Where nothing happened their compensations leave tombstones.
 */
function unrecordedAfter(index: number, stepExecution: StepExecution): number {
  const firstAfterPivot = STEPS.findIndex((s) => s.afterPivot);
  return stepExecution === 'local' && index < firstAfterPivot ? firstAfterPivot - 1 : index;
}

function expectedOutcome(index: number, fault: Fault, stepExecution: StepExecution): Expected {
  const step = STEPS[index]!;
  if (step.afterPivot) {
    return {
      status: 'COMPLETED',
      compensations: [],
      snapshot: { return: 'REFUNDED', label: 'USED', restock: 'RESTOCKED', refundedMinor: PRICE },
      stockDelta: 1,
    };
  }
  const cancelled = fault === 'cancel';
  // A fault before the effect, or a call that never answered (hang), leaves nothing at the service.
  const happened = (name: string) => {
    const at = STEPS.findIndex((s) => s.name === name);
    return at < index || (at === index && fault === 'after');
  };
  const snapshot: ReturnSnapshot = { refundedMinor: 0 };
  if (happened('requestReturn')) snapshot.return = 'CANCELLED';
  if (happened('createLabel')) snapshot.label = 'VOIDED';
  return {
    status: cancelled ? 'CANCELLED' : 'COMPENSATED',
    compensations: STEPS.slice(0, unrecordedAfter(index, stepExecution) + 1)
      .flatMap((s) => (s.compensation ? [s.compensation] : []))
      .reverse(),
    snapshot,
    stockDelta: 0,
    failureType: FAILURE_TYPES[fault],
  };
}

const suite = realServicesSuite();

// Every case runs with the saga's service calls as regular activities on the lanes and as local activities.
for (const stepExecution of STEP_EXECUTIONS) {
  const returnInput = (orderId: string, overrides: Partial<ReturnInput> = {}) =>
    baseReturnInput(orderId, { stepExecution, ...overrides });

  describe(`returns failure matrix: every service step × every fault, against the real services, ${stepExecution} steps`, () => {
    STEPS.forEach((step, index) => {
      for (const fault of FAULTS) {
        const expected = expectedOutcome(index, fault, stepExecution);
        it(`${step.name} ${fault} → ${expected.status} [${expected.compensations.join(', ') || 'no compensation'}]`, async () => {
          const orderId = await fulfilledOrder(suite.env, suite.services);
          const { fetch, options } = faultyTransport(step, fault);
          const input = returnInput(orderId);
          const availableBefore = await suite.services.available('SKU-1');
          const activities = suite.services.returnActivities(fetch, options);
          const result = await runReturnSaga(suite.env, activities, input, async (handle) => {
            if (step.afterPivot) {
              await waitForStep(handle, 'awaitParcel');
              await receiveParcel(handle);
            }
            await cancelDuring(handle, step, fault, /the parcel is in|point of no return/);
          });
          assertSagaState(result.state, expected, step, fault);
          assert.deepEqual(await suite.services.returnSnapshot(input.returnId, orderId), expected.snapshot);
          assert.equal(await suite.services.available('SKU-1'), availableBefore + expected.stockDelta);
        });
      }
    });
  });
}
