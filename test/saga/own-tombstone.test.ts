import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '../../lib/http/client';
import { orderInput, runOrderSaga } from '../helpers/order-saga';
import { realServicesSuite } from '../helpers/real-services';

// Found by the chaos run on the cluster (docs/CHAOS.md): a workflow task that timed out on an overloaded worker
// kept running its local steps. It took the customer's cancel and closed the order before createOrder had made
// it (a tombstone, status CANCELLED, under the step's compensation key). The next workflow task replayed from
// scratch: createOrder met the tombstone (409 ORDER_CLOSED), the saga compensated it with closeOrder under the same
// key and another body (COMPENSATED), the order service refused the key's reuse (422), and the saga parked in
// COMPENSATION_FAILED although there was nothing to undo. The same requests, in the same order, on the real
// services.
const suite = realServicesSuite();

describe('createOrder refused ORDER_CLOSED by a close of its own saga (a lost workflow task)', () => {
  it('withdraws the compensation: nothing to undo, the saga ends COMPENSATED without parking', async () => {
    const input = orderInput({ items: [{ sku: 'SKU-1', quantity: 1 }] });
    let lostTaskRan = false;
    const transport: typeof fetch = async (url, init = {}) => {
      const key = new Headers(init.headers).get('idempotency-key') ?? '';
      if (!lostTaskRan && key.endsWith(':createOrder')) {
        lostTaskRan = true;
        await suite.services.clients.order
          .setStatus(
            input.orderId,
            { status: 'CANCELLED', reason: 'customer changed their mind' },
            { idempotencyKey: `${key}:compensate` },
          )
          .catch((err: unknown) => {
            // An order that does not exist yet: 404, and a tombstone refusing its late create.
            if (!(err instanceof ServiceError && err.status === 404)) throw err;
          });
      }
      return fetch(url, init);
    };

    const result = await runOrderSaga(suite.env, suite.services.activities(transport), input);

    assert.ok(lostTaskRan);
    assert.equal(result.state.status, 'COMPENSATED', JSON.stringify(result.state));
    assert.equal(result.state.failure?.type, 'ORDER_CLOSED');
    assert.deepEqual(result.state.parked ?? [], []);
    assert.deepEqual(result.state.compensations, []);
    assert.deepEqual(await suite.services.snapshot(input.orderId), {});
  });
});
