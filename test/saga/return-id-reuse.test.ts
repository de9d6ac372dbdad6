import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fulfilledOrder, receiveParcel, returnInput, runReturnSaga } from '../helpers/return-saga';
import { waitForStep } from '../helpers/order-saga';
import { realServicesSuite } from '../helpers/real-services';

// Issue 25, item 2, for returns: a return id reused after retention by a new saga run (its history deleted, the
// order service still holding the first return). With the same request the service answers 200 and the activity
// fails RETURN_ID_REUSED; with another one it refuses 409 RETURN_EXISTS. Either way the return is the first saga's,
// and the new run must not close it (it did, with RETURN_EXISTS).
const suite = realServicesSuite();

describe('a return id reused by a new saga run', () => {
  for (const items of [
    { label: 'the same', lines: [{ sku: 'SKU-1', quantity: 1 }], failure: 'RETURN_ID_REUSED' },
    { label: 'other', lines: [{ sku: 'SKU-1', quantity: 2 }], failure: 'RETURN_EXISTS' },
  ]) {
    it(`with ${items.label} items, after the first return was refunded: the new run fails ${items.failure} and touches nothing`, async () => {
      const orderId = await fulfilledOrder(suite.env, suite.services, [{ sku: 'SKU-1', quantity: 3 }]);
      const input = returnInput(orderId);
      const activities = suite.services.returnActivities();
      const first = await runReturnSaga(suite.env, activities, input, async (handle) => {
        await waitForStep(handle, 'awaitParcel');
        await receiveParcel(handle);
      });
      assert.equal(first.state.status, 'COMPLETED');
      const before = await suite.services.returnSnapshot(input.returnId, orderId);

      const again = await runReturnSaga(suite.env, activities, { ...input, items: items.lines });

      assert.equal(again.state.status, 'COMPENSATED', JSON.stringify(again.state));
      assert.equal(again.state.failure?.type, items.failure);
      assert.deepEqual(again.state.compensations, []);
      assert.deepEqual(await suite.services.returnSnapshot(input.returnId, orderId), before);
    });
  }
});
