import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planCompensations } from '../../packages/saga/src/compensation-plan';

describe('planCompensations', () => {
  const registered = ['createOrder', 'reserveInventory', 'authorizePayment'];

  it('reverse (default): one at a time, last registered first', () => {
    assert.deepEqual(planCompensations(registered), [['authorizePayment'], ['reserveInventory'], ['createOrder']]);
  });

  it('parallel: everything in one batch', () => {
    assert.deepEqual(planCompensations(registered, { kind: 'parallel' }), [
      ['authorizePayment', 'reserveInventory', 'createOrder'],
    ]);
  });

  it('grouped: declared groups first, in order, then the rest in reverse', () => {
    const plan = planCompensations(registered, { kind: 'grouped', groups: [['authorizePayment', 'reserveInventory']] });
    assert.deepEqual(plan, [['authorizePayment', 'reserveInventory'], ['createOrder']]);
  });

  it('grouped: steps that never registered a compensation are left out, empty groups dropped', () => {
    const plan = planCompensations(['createOrder'], {
      kind: 'grouped',
      groups: [['authorizePayment', 'reserveInventory'], ['createOrder']],
    });
    assert.deepEqual(plan, [['createOrder']]);
  });

  it('nothing registered: nothing to run', () => {
    assert.deepEqual(planCompensations([]), []);
    assert.deepEqual(planCompensations([], { kind: 'parallel' }), []);
  });
});
