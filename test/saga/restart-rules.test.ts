import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { restartRefusal } from '@sagaflow/saga';
import type { SagaCheckpoint, SagaDefinition, StepRecord } from '@sagaflow/saga';
import { restartPlan } from '../../packages/saga/src/restart';
import { orderSaga } from '../../workflows/order/saga';
import { returnSaga } from '../../workflows/returns/saga';

// The rules of restart-from-step over the order saga's declaration (pure functions; the runs are in
// saga-package.test.ts, return-restart.test.ts and test/api/restart.test.ts).
const done = (key: string): StepRecord => ({ outcome: 'DONE', key: `ord-1:run-1:${key}` });

/** An order parked after its pivot at commitInventory. */
const parked: SagaCheckpoint = {
  status: 'FORWARD_FAILED',
  restarts: 0,
  steps: {
    createOrder: done('createOrder'),
    reserveInventory: done('reserveInventory'),
    markReserved: done('markReserved'),
    awaitApproval: { outcome: 'SKIPPED' },
    authorizePayment: done('authorizePayment'),
    capturePayment: done('capturePayment'),
    markPaid: done('markPaid'),
    commitInventory: { outcome: 'FAILED', key: 'ord-1:run-1:commitInventory' },
  },
};

describe('restart rules', () => {
  it('a run parked after the pivot restarts from a step after the pivot up to the parked one', () => {
    assert.equal(restartRefusal(orderSaga, parked, 'commitInventory'), undefined);
    assert.equal(restartRefusal(orderSaga, parked, 'markPaid'), undefined);
    assert.match(restartRefusal(orderSaga, parked, 'capturePayment')!, /point of no return at capturePayment/);
    assert.match(restartRefusal(orderSaga, parked, 'createOrder')!, /point of no return/);
    assert.match(restartRefusal(orderSaga, parked, 'confirmOrder')!, /step commitInventory is parked/);
    assert.match(restartRefusal(orderSaga, parked, 'shipIt')!, /no step shipIt/);
    assert.match(restartRefusal(orderSaga, undefined, 'markPaid')!, /no checkpoint/);
  });

  it('keeps the keys of the steps whose effect stands, gives the parked one a fresh key, carries what came before', () => {
    const plan = restartPlan(orderSaga, { from: 'markPaid', by: 'ops', checkpoint: parked });
    assert.equal(plan.keys.get('markPaid'), 'ord-1:run-1:markPaid');
    assert.equal(plan.keys.get('commitInventory'), 'ord-1:run-1:commitInventory:restart-1');
    assert.equal(plan.keys.get('confirmOrder'), undefined, 'never ran: its own key');
    assert.deepEqual(plan.carried, [
      'createOrder',
      'reserveInventory',
      'markReserved',
      'authorizePayment',
      'capturePayment',
    ]);
    assert.equal(plan.pivotPassed, true);
    const second = restartPlan(orderSaga, {
      from: 'commitInventory',
      by: 'ops',
      checkpoint: {
        ...parked,
        restarts: 1,
        steps: {
          ...parked.steps,
          commitInventory: { outcome: 'FAILED', key: 'ord-1:run-1:commitInventory:restart-1' },
        },
      },
    });
    assert.equal(second.keys.get('commitInventory'), 'ord-1:run-1:commitInventory:restart-2');
    assert.equal(second.record.count, 2);
  });

  it('only FORWARD_FAILED and COMPENSATED runs restart; these two sagas not after compensating', () => {
    for (const status of ['RUNNING', 'COMPENSATION_FAILED', 'COMPLETED', 'CANCELLED'] as const) {
      assert.match(restartRefusal(orderSaga, { ...parked, status }, 'markPaid')!, new RegExp(`this one is ${status}`));
    }
    const compensated: SagaCheckpoint = { status: 'COMPENSATED', restarts: 0, steps: {} };
    assert.match(restartRefusal(orderSaga, compensated, 'createOrder')!, /place a new order/);
    assert.match(restartRefusal(returnSaga, compensated, 'requestReturn')!, /request a new return/);
  });

  it('a COMPENSATED run: a DONE step without a compensation keeps its key (nothing undid it), the others get fresh ones', () => {
    const noop = { activity: 'noop', options: { startToCloseTimeout: '1 minute' }, input: () => ({}) };
    const saga = {
      name: 'three',
      steps: [
        { name: 'reserve', action: noop, compensation: noop },
        { name: 'notify', action: noop },
        { name: 'charge', action: noop, compensation: noop },
      ],
    };
    const compensated: SagaCheckpoint = {
      status: 'COMPENSATED',
      restarts: 0,
      steps: {
        reserve: { outcome: 'UNDONE', key: 'w:r:reserve' },
        notify: { outcome: 'DONE', key: 'w:r:notify' },
        charge: { outcome: 'FAILED', key: 'w:r:charge' },
      },
    };
    const plan = restartPlan(saga, { from: 'reserve', by: 'ops', checkpoint: compensated });
    assert.deepEqual(Object.fromEntries(plan.keys), {
      reserve: 'w:r:reserve:restart-1',
      notify: 'w:r:notify',
      charge: 'w:r:charge:restart-1',
    });
  });

  it('no restart of these sagas runs their approval again, so a carried approval never stands in for a decision', () => {
    // A restart from the approval step or before would carry the earlier run's ctx.approval: both sagas refuse it,
    // before the pivot when parked after it, and after compensating at all.
    for (const saga of [orderSaga, returnSaga] as SagaDefinition<unknown>[]) {
      const names = saga.steps.map((step) => step.name);
      const upToApproval = names.slice(0, names.indexOf('awaitApproval') + 1);
      const steps = Object.fromEntries(names.map((name) => [name, done(name)]));
      for (const status of ['FORWARD_FAILED', 'COMPENSATED'] as const) {
        for (const from of upToApproval) {
          assert.ok(restartRefusal(saga, { status, restarts: 0, steps }, from), `${saga.name} from ${from}, ${status}`);
        }
      }
    }
  });

  it('a COMPENSATED run restarts from its first undone step or before, every step that ran under a fresh key', () => {
    const saga = { ...returnSaga, noRestartAfterCompensation: undefined };
    const compensated: SagaCheckpoint = {
      status: 'COMPENSATED',
      restarts: 0,
      steps: {
        requestReturn: { outcome: 'UNDONE', key: 'ret-1:run-1:requestReturn' },
        awaitApproval: { outcome: 'SKIPPED' },
        createLabel: { outcome: 'UNDONE', key: 'ret-1:run-1:createLabel' },
      },
    };
    assert.equal(restartRefusal(saga, compensated, 'requestReturn'), undefined);
    assert.match(
      restartRefusal(saga, compensated, 'createLabel')!,
      /step requestReturn \(before createLabel\) was undone/,
    );
    const plan = restartPlan(saga, { from: 'requestReturn', by: 'ops', checkpoint: compensated });
    assert.equal(plan.keys.get('requestReturn'), 'ret-1:run-1:requestReturn:restart-1');
    assert.equal(plan.keys.get('createLabel'), 'ret-1:run-1:createLabel:restart-1');
    assert.equal(plan.pivotPassed, false);
  });
});
