import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cancelUpdate } from '../../workflows/order/messages';
import { FaultyTransport } from '../helpers/faulty-transport';
import { rejectsWithCause, waitForStep } from '../helpers/order-saga';
import { realServicesSuite } from '../helpers/real-services';
import type { ReturnSnapshot } from '../helpers/real-services';
import { fulfilledOrder, receiveParcel, returnInput, runReturnSaga } from '../helpers/return-saga';

// The returns saga's matrix over the real services: every activity step × {fails before its effect, fails after
// it (response lost), times out, cancelled while in flight}. The expected compensations and what the order,
// inventory and payment services hold afterwards are derived from the saga's declaration, then checked.

type Fault = 'before' | 'after' | 'timeout' | 'cancel';
const FAULTS: Fault[] = ['before', 'after', 'timeout', 'cancel'];

interface StepModel {
  name: string;
  compensation?: 'closeReturn' | 'voidReturnLabel';
  /** After the parcel (the pivot) the saga only moves forward: faults are retried until they clear. */
  afterPivot?: boolean;
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

interface Expected {
  status: string;
  compensations: string[];
  snapshot: ReturnSnapshot;
  stockDelta: number;
  failureType?: RegExp;
}

function expectedOutcome(index: number, fault: Fault): Expected {
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
    compensations: STEPS.slice(0, index + 1)
      .flatMap((s) => (s.compensation ? [s.compensation] : []))
      .reverse(),
    snapshot,
    stockDelta: 0,
    failureType: { before: /^NETWORK_ERROR$/, after: /^NETWORK_ERROR$/, timeout: /^TIMEOUT$/, cancel: undefined }[
      fault
    ],
  };
}

const suite = realServicesSuite();

describe('returns failure matrix: every service step × every fault, against the real services', () => {
  STEPS.forEach((step, index) => {
    for (const fault of FAULTS) {
      const expected = expectedOutcome(index, fault);
      it(`${step.name} ${fault} → ${expected.status} [${expected.compensations.join(', ') || 'no compensation'}]`, async () => {
        const orderId = await fulfilledOrder(suite.env, suite.services);
        const transport = new FaultyTransport();
        // Before the pivot faults persist until the saga gives up; after it they clear after a few attempts.
        const times = step.afterPivot ? (fault === 'cancel' ? 1 : 3) : undefined;
        transport.inject(
          step.name,
          ({ before: 'before', after: 'after', timeout: 'hang', cancel: 'hang' } as const)[fault],
          times,
        );
        const input = returnInput(orderId);
        const availableBefore = await suite.services.available('SKU-1');

        // The test server does not skip time while an activity runs, so the timeout is the client's, kept short.
        const activities = suite.services.returnActivities(
          transport.fetch,
          fault === 'timeout' ? { timeoutMs: 300 } : {},
        );
        const result = await runReturnSaga(suite.env, activities, input, async (handle) => {
          if (step.afterPivot) {
            await waitForStep(handle, 'awaitParcel');
            await receiveParcel(handle);
          }
          if (fault !== 'cancel') return;
          await waitForStep(handle, step.name);
          const cancel = handle.executeUpdate(cancelUpdate, { args: [{ reason: `cancel during ${step.name}` }] });
          if (step.afterPivot) await rejectsWithCause(cancel, /the parcel is in|point of no return/);
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
        assert.deepEqual(await suite.services.returnSnapshot(input.returnId, orderId), expected.snapshot);
        assert.equal(await suite.services.available('SKU-1'), availableBefore + expected.stockDelta);
      });
    }
  });
});
