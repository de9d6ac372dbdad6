import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv } from '../helpers/temporal';
import { FakeOrderServices } from '../helpers/fake-order-services';
import type { Fault } from '../helpers/fake-order-services';
import { orderInput, runOrderSaga, waitForState } from '../helpers/order-saga';
import { cancelUpdate, retryStepUpdate } from '../../workflows/order/messages';
import type { OrderResult } from '../../workflows/order/types';

// Generated interleavings (issue 12): schedules of {each activity's outcome: ok / business error / transient
// faults / lost reply} × {cancel while a step runs, or none} × {operator retries of a step parked after the
// pivot}, run on the time-skipping server against the in-memory services, with the saga's invariants checked
// against what the fakes hold. Bounded and seeded: SAGA_FUZZ_SEED and SAGA_FUZZ_RUNS to vary it; a failure
// prints the seed and the schedule.
const SEED = Number(process.env.SAGA_FUZZ_SEED ?? 12);
const RUNS = Number(process.env.SAGA_FUZZ_RUNS ?? 16);

const ACTIVITIES = [
  'createOrder',
  'reserveInventory',
  'setOrderStatus',
  'authorizePayment',
  'capturePayment',
  'commitInventory',
  'closeOrder',
  'releaseInventory',
  'cancelPayment',
] as const;
/** The steps a business error can strike, with the activity and which of its calls in the saga that is. */
const STEPS = {
  createOrder: ['createOrder', 0],
  reserveInventory: ['reserveInventory', 0],
  markReserved: ['setOrderStatus', 0],
  authorizePayment: ['authorizePayment', 0],
  capturePayment: ['capturePayment', 0],
  markPaid: ['setOrderStatus', 1],
  commitInventory: ['commitInventory', 0],
  confirmOrder: ['setOrderStatus', 2],
} as const;
/** Steps a cancel can land in: they hang until cancelled (post-pivot steps cannot be cancelled). */
const CANCELLABLE = ['createOrder', 'reserveInventory', 'authorizePayment', 'capturePayment'] as const;

/** Faults that clear by themselves: errors before the effect, or a lost reply after it. */
type Noise = 'none' | 'transient' | 'lost';
const noiseOf: Record<Noise, Fault[]> = {
  none: [],
  transient: [{ kind: 'before' }, { kind: 'before' }],
  lost: [{ kind: 'after' }],
};

const schedule = fc.record({
  /** The step that fails for good with a business error, if any (after the pivot: parked, then retried). */
  failing: fc.option(fc.constantFrom(...(Object.keys(STEPS) as (keyof typeof STEPS)[])), { nil: undefined, freq: 4 }),
  noise: fc.record(
    Object.fromEntries(
      ACTIVITIES.map((a) => [a, fc.constantFrom<Noise>('none', 'none', 'transient', 'lost')]),
    ) as Record<(typeof ACTIVITIES)[number], fc.Arbitrary<Noise>>,
  ),
  cancelAt: fc.option(fc.constantFrom(...CANCELLABLE), { nil: undefined, freq: 2 }),
});
type Schedule = typeof schedule extends fc.Arbitrary<infer T> ? T : never;

/** Each activity's faults, one per call: the noise first, and the business error at its call. */
function scripts(plan: Schedule): Map<string, (Fault | undefined)[]> {
  const planned = new Map<string, (Fault | undefined)[]>();
  for (const activity of ACTIVITIES) planned.set(activity, [...noiseOf[plan.noise[activity]]]);
  if (plan.failing) {
    const [activity, call] = STEPS[plan.failing];
    // The business error replaces the noise of that activity, at the n-th call of it.
    planned.set(activity, [
      ...Array<undefined>(call).fill(undefined),
      { kind: 'business', code: 'ILLEGAL_TRANSITION' },
    ]);
  }
  if (plan.cancelAt) planned.set(plan.cancelAt, [{ kind: 'hang' }]);
  return planned;
}

let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTimeSkippingEnv();
});
after(() => env?.teardown());

async function run(
  plan: Schedule,
): Promise<{ result: OrderResult; fakes: FakeOrderServices; cancelled: boolean; retries: number }> {
  const fakes = new FakeOrderServices();
  for (const [activity, planned] of scripts(plan)) fakes.scripts.set(activity, planned);
  let cancelled = false;
  let retries = 0;
  const result = await runOrderSaga(env, fakes.activities(), orderInput(), async (handle) => {
    const skip = () => env.sleep('1 minute');
    if (plan.cancelAt) {
      const state = await waitForState(
        handle,
        (s) => s.currentStep === plan.cancelAt || s.status !== 'RUNNING',
        `${plan.cancelAt} running`,
        skip,
      );
      if (state.currentStep === plan.cancelAt && state.status === 'RUNNING') {
        await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'generated cancel' }] });
        cancelled = true;
      }
    }
    // The operator retries whatever parks after the pivot (the scripted fault is used up by then).
    for (;;) {
      const state = await waitForState(
        handle,
        (s) => ['FORWARD_FAILED', 'COMPLETED', 'COMPENSATED', 'CANCELLED'].includes(s.status),
        'an end or a parked step',
        skip,
      );
      if (state.status !== 'FORWARD_FAILED') return;
      retries += 1;
      await handle.executeUpdate(retryStepUpdate, { args: [{ by: 'fuzz' }] });
    }
  });
  return { result, fakes, cancelled, retries };
}

function checkInvariants(plan: Schedule, { result, fakes, cancelled }: Awaited<ReturnType<typeof run>>): void {
  const { state } = result;
  const id = result.orderId;
  const order = fakes.orders.get(id)?.status;
  const reservation = fakes.reservations.get(id)?.status;
  const payment = fakes.payments.get(id)?.status;
  const captured =
    fakes.calls.includes('capturePayment') && payment !== undefined && payment !== 'AUTHORIZED' && payment !== 'VOIDED';
  // No refund after a successful pivot: a captured payment is never undone.
  assert.notEqual(payment, 'REFUNDED', 'a captured payment was refunded');
  if (captured) assert.equal(state.status, 'COMPLETED', 'a saga whose capture succeeded must complete');
  assert.deepEqual(state.parked, [], 'nothing left parked');
  if (state.status === 'COMPLETED') {
    assert.deepEqual([order, reservation, payment], ['CONFIRMED', 'COMMITTED', 'CAPTURED']);
    assert.deepEqual(state.compensations, []);
    assert.equal(state.cancellation, undefined);
  } else {
    assert.ok(['COMPENSATED', 'CANCELLED'].includes(state.status), state.status);
    assert.equal(state.status === 'CANCELLED', cancelled, 'CANCELLED exactly when a cancel was accepted');
    // Every registered compensation ran to COMPENSATED (their faults are transient), and undid what was done.
    const failedSteps = state.compensations.filter((c) => c.outcome === 'FAILED');
    assert.deepEqual(failedSteps, [], 'no compensation gave up');
    assert.ok(order === undefined || order === 'COMPENSATED' || order === 'CANCELLED', `order ${order}`);
    assert.ok(reservation === undefined || reservation === 'RELEASED', `reservation ${reservation}`);
    assert.ok(payment === undefined || payment === 'VOIDED', `payment ${payment}`);
    if (!cancelled) assert.ok(state.failure, 'a compensated saga records its failure');
  }
  void plan;
}

describe('generated interleavings of step outcomes, cancels and operator retries', () => {
  it(`hold the saga invariants (${RUNS} schedules, seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(schedule, async (plan) => {
        const outcome = await run(plan);
        try {
          checkInvariants(plan, outcome);
        } catch (err) {
          throw new Error(
            `seed ${SEED}, schedule ${JSON.stringify(plan)}: ${(err as Error).message}\nstate: ${JSON.stringify(outcome.result.state)}`,
          );
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
    );
  });
});
