import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderInput, runOrderSaga } from '../helpers/order-saga';
import { realServicesSuite } from '../helpers/real-services';

// Race 6 of issue 12: an Idempotency-Key reused after the first saga's history was deleted by retention starts a
// new run under the same workflow (= order) id. The services still hold the first saga's effects and stored
// answers; the new run must never act on them. A workflow id is reusable once its run has closed, which is what
// retention leaves behind, so starting a second run under the same id reproduces it exactly.
const suite = realServicesSuite();

describe('an order id reused by a new saga run (Idempotency-Key reused after retention)', () => {
  for (const first of ['tok_ok', 'tok_declined'] as const) {
    it(`after a first saga that ended ${first === 'tok_ok' ? 'COMPLETED' : 'COMPENSATED'}: the new run fails ORDER_ID_REUSED and touches nothing`, async () => {
      const input = orderInput({ items: [{ sku: 'SKU-1', quantity: 1 }], paymentMethod: first });
      const activities = suite.services.activities();
      const earlier = await runOrderSaga(suite.env, activities, input);
      assert.equal(earlier.state.status, first === 'tok_ok' ? 'COMPLETED' : 'COMPENSATED');
      const before = await suite.services.snapshot(input.orderId);
      const availableBefore = await suite.services.available('SKU-1');

      const again = await runOrderSaga(suite.env, activities, { ...input, paymentMethod: 'tok_ok' });

      assert.equal(again.state.status, 'COMPENSATED', JSON.stringify(again.state));
      assert.equal(again.state.failure?.type, 'ORDER_ID_REUSED');
      assert.equal(again.state.failure?.step, 'createOrder');
      assert.match(again.state.failure?.message ?? '', /new Idempotency-Key/);
      // Nothing of the first saga's was undone, and nothing new was reserved or charged.
      assert.deepEqual(again.state.compensations, []);
      assert.deepEqual(await suite.services.snapshot(input.orderId), before);
      assert.equal(await suite.services.available('SKU-1'), availableBefore);
    });
  }

  // Issue 25, item 2: the key reused with another body. The service refuses the new content (409 ORDER_EXISTS); the
  // new run compensated createOrder and closed the order that belongs to the first saga.
  for (const first of ['tok_ok', 'tok_declined'] as const) {
    it(`with other items, after a first saga that ended ${first === 'tok_ok' ? 'COMPLETED' : 'COMPENSATED'}: the new run fails ORDER_EXISTS and touches nothing`, async () => {
      const input = orderInput({ items: [{ sku: 'SKU-1', quantity: 1 }], paymentMethod: first });
      const activities = suite.services.activities();
      const earlier = await runOrderSaga(suite.env, activities, input);
      assert.equal(earlier.state.status, first === 'tok_ok' ? 'COMPLETED' : 'COMPENSATED');
      const before = await suite.services.snapshot(input.orderId);

      const again = await runOrderSaga(suite.env, activities, {
        ...input,
        items: [{ sku: 'SKU-2', quantity: 1 }],
        paymentMethod: 'tok_ok',
      });

      assert.equal(again.state.status, 'COMPENSATED', JSON.stringify(again.state));
      assert.equal(again.state.failure?.type, 'ORDER_EXISTS');
      assert.deepEqual(again.state.compensations, []);
      assert.deepEqual(await suite.services.snapshot(input.orderId), before);
    });
  }
});
