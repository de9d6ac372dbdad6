import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActionResult, OrderAccepted, OrderView } from '../../api/schemas';
import { ActionResultSchema, OrderViewSchema } from '../../api/schemas';
import { apiOnDevServer, assertError, KEYS, newKey, pollUntil, validOrder } from './harness';

// A retried action (same Idempotency-Key) answers the first request's outcome even when the saga closed in
// between: the chaos run saw cancels whose first attempt got 503 ORDER_NOT_RESPONDING (worker down), took effect
// once the worker was back, and whose retry was then answered 409 ORDER_CLOSED, as if the cancel had not worked.
const suite = apiOnDevServer('action-retry');
const { run } = suite;

const get = async (orderId: string): Promise<OrderView> => {
  const res = await suite.api.request('GET', `/orders/${orderId}`, { key: KEYS.client });
  assert.equal(res.status, 200, res.text);
  return OrderViewSchema.parse(res.body);
};

const cancel = (orderId: string, key?: string, reason = 'customer changed their mind') =>
  suite.api.request<ActionResult>('POST', `/orders/${orderId}/cancel`, {
    key: KEYS.client,
    body: { reason },
    headers: key ? { 'Idempotency-Key': key } : {},
  });

describe('order actions retried after the saga closed', () => {
  it('the same Idempotency-Key answers the first outcome (200); another key or none is 409 ORDER_CLOSED', async () => {
    await run(async () => {
      const created = await suite.api.request<OrderAccepted>('POST', '/orders', {
        key: KEYS.client,
        body: validOrder({ items: [{ sku: 'BIG', quantity: 200 }] }),
        headers: { 'Idempotency-Key': newKey('retry') },
      });
      assert.equal(created.status, 202, created.text);
      const { orderId } = created.body;
      await pollUntil(
        () => get(orderId),
        (view) => view.status === 'AWAITING_APPROVAL',
        'AWAITING_APPROVAL',
      );

      const key = newKey('cancel');
      const first = await cancel(orderId, key);
      assert.equal(first.status, 200, first.text);
      const firstResult = ActionResultSchema.parse(first.body);
      assert.equal(firstResult.status, 'CANCELLED');
      await pollUntil(
        () => get(orderId),
        (view) => view.workflowStatus === 'COMPLETED',
        'closed',
      );

      const retried = await cancel(orderId, key, 'a retry may resend anything: the first request wins');
      assert.equal(retried.status, 200, retried.text);
      const retriedResult = ActionResultSchema.parse(retried.body);
      assert.equal(retriedResult.done, true);
      assert.equal(retriedResult.status, 'CANCELLED');
      assert.equal(retriedResult.state?.cancellation?.reason, 'customer changed their mind');

      const asked = Date.now();
      const other = assertError(await cancel(orderId, newKey('cancel')), 409, 'ORDER_CLOSED');
      assert.ok(Date.now() - asked < 2_000, `a key with no Update is answered at once (${Date.now() - asked} ms)`);
      assert.deepEqual(other.details, { status: 'CANCELLED' });
      assertError(await cancel(orderId), 409, 'ORDER_CLOSED');
    });
  });
});
