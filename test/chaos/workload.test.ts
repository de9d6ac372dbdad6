import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MIX, planOrders } from '../../bench/chaos/workload';
import type { OrderKind } from '../../bench/chaos/workload';

const kindsOf = (sagas: number, seed: number, mix = DEFAULT_MIX) =>
  new Set(planOrders(sagas, seed, 'test', mix).map((order) => order.kind));

describe('chaos workload plan', () => {
  it('puts every kind of the mix in a small run, whatever the seed', () => {
    for (let seed = 1; seed <= 50; seed++) {
      assert.deepEqual([...kindsOf(30, seed)].sort(), Object.keys(DEFAULT_MIX).sort(), `seed ${seed}`);
    }
  });

  it('is reproducible from its seed and varies with it', () => {
    const plan = (seed: number) => JSON.stringify(planOrders(40, seed, 'test'));
    assert.equal(plan(3), plan(3));
    assert.notEqual(plan(3), plan(4));
  });

  it('never plans a kind whose weight is zero, and stays near the weights in a large run', () => {
    const mix = { ...DEFAULT_MIX, cancelled: 0, cancelledEarly: 0 } as Record<OrderKind, number>;
    assert.ok(!kindsOf(100, 1, mix).has('cancelled'));
    const plan = planOrders(2_000, 1, 'test');
    const ok = plan.filter((order) => order.kind === 'ok').length / plan.length;
    const total = Object.values(DEFAULT_MIX).reduce((sum, weight) => sum + weight, 0);
    assert.ok(Math.abs(ok - DEFAULT_MIX.ok / total) < 0.05, `share of ok orders ${ok}`);
  });

  it('gives every order its own idempotency key', () => {
    const plan = planOrders(500, 9, 'test');
    assert.equal(new Set(plan.map((order) => order.idempotencyKey)).size, plan.length);
  });
});
