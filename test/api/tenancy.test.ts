import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderAccepted, OrderView } from '../../api/schemas';
import { OrderListSchema, OrderViewSchema } from '../../api/schemas';
import type { ApiResponse } from './harness';
import { apiOnDevServer, assertError, KEYS, newKey, pollUntil, validOrder } from './harness';

// Tenancy over HTTP on the real dev server (visibility included): tenant shop (two keys, the second its rotated
// successor), tenant kiosk (a client and a tenant-scoped operator) and a global operator.
const suite = apiOnDevServer('tenancy');
const { run } = suite;

const create = (secret: string, key: string, body = validOrder()) =>
  suite.api.request<OrderAccepted>('POST', '/orders', { key: secret, body, headers: { 'Idempotency-Key': key } });

const get = (secret: string, orderId: string) => suite.api.request('GET', `/orders/${orderId}`, { key: secret });

async function listedIds(secret: string, query = ''): Promise<string[]> {
  const res = await suite.api.request('GET', `/orders?pageSize=100${query}`, { key: secret });
  assert.equal(res.status, 200, res.text);
  return OrderListSchema.parse(res.body).orders.map((o) => o.orderId);
}

async function completed(secret: string, orderId: string): Promise<OrderView> {
  return pollUntil(
    async () => OrderViewSchema.parse((await get(secret, orderId)).body),
    (view) => view.workflowStatus === 'COMPLETED',
    `${orderId} closed`,
  );
}

/** Another tenant's order answers exactly like no order at all: same status, code and message shape. */
function assertHidden(res: ApiResponse, orderId: string): void {
  const error = assertError(res, 404, 'ORDER_NOT_FOUND');
  assert.equal(error.message, `no order ${orderId}`);
  assert.doesNotMatch(res.text, /shop|cust-1|tok_/, 'nothing of the order leaks');
}

describe('tenancy', () => {
  it('another tenant can neither read, list, follow nor cancel an order, and learns nothing of it', () =>
    run(async () => {
      const created = await create(KEYS.client, newKey('tenant'));
      assert.equal(created.status, 202, created.text);
      const { orderId } = created.body;
      await completed(KEYS.client, orderId);

      const missing = 'ord_000000000000000000000000';
      for (const secret of [KEYS.otherClient, KEYS.otherOperator]) {
        assertHidden(await get(secret, orderId), orderId);
        assertHidden(await suite.api.request('GET', `/orders/${orderId}/events?wait=0`, { key: secret }), orderId);
        assertHidden(
          await suite.api.request('POST', `/orders/${orderId}/cancel`, { key: secret, body: { reason: 'not mine' } }),
          orderId,
        );
        const none = await get(secret, missing);
        assertError(none, 404, 'ORDER_NOT_FOUND');
      }
      assertHidden(
        await suite.api.request('POST', `/orders/${orderId}/retry-step`, { key: KEYS.otherOperator, body: {} }),
        orderId,
      );

      await pollUntil(
        () => listedIds(KEYS.client),
        (ids) => ids.includes(orderId),
        'shop lists its order',
      );
      await pollUntil(
        () => listedIds(KEYS.operator),
        (ids) => ids.includes(orderId),
        'a global operator lists it',
      );
      assert.ok(!(await listedIds(KEYS.otherClient)).includes(orderId), 'kiosk does not list it');
      assert.ok(!(await listedIds(KEYS.otherOperator)).includes(orderId), "kiosk's operator does not list it");
      assert.ok(!(await listedIds(KEYS.otherClient, '&customerId=cust-1')).includes(orderId), 'nor by customer');

      assert.equal((await get(KEYS.operator, orderId)).status, 200, 'a global operator reads every tenant');
      assert.equal((await get(KEYS.rotatedClient, orderId)).status, 200, 'every key of the tenant reads it');
    }));

  it('a retry with the rotated secret replays the same order instead of starting a second saga', () =>
    run(async () => {
      const key = newKey('rotation');
      const first = await create(KEYS.client, key);
      assert.equal(first.status, 202, first.text);
      const retried = await create(KEYS.rotatedClient, key);
      assert.equal(retried.status, 202, retried.text);
      assert.equal(retried.body.orderId, first.body.orderId, 'the same order: the id comes from the tenant');
      assert.equal(retried.headers.get('idempotent-replay'), 'true');
      const conflicting = await create(KEYS.rotatedClient, key, validOrder({ customerId: 'cust-2' }));
      assertError(conflicting, 422, 'IDEMPOTENCY_KEY_REUSED');

      const elsewhere = await create(KEYS.otherClient, key);
      assert.equal(elsewhere.status, 202, elsewhere.text);
      assert.notEqual(elsewhere.body.orderId, first.body.orderId, "another tenant's same key is its own order");
      assert.equal(elsewhere.headers.get('idempotent-replay'), null);
      await completed(KEYS.client, first.body.orderId);
      await completed(KEYS.otherClient, elsewhere.body.orderId);
      assert.equal(suite.fakes.orders.size >= 2, true);
    }));

  it('a global operator key belongs to no tenant, so it cannot create orders', async () => {
    const res = await create(KEYS.operator, newKey('global'));
    const error = assertError(res, 403, 'FORBIDDEN');
    assert.match(error.message, /global operator key/);
  });

  it('client keys see stable failure codes, not the failure texts; operators see the detail', () =>
    run(async () => {
      suite.fakes.faults.set('authorizePayment', {
        kind: 'business',
        code: 'PAYMENT_DECLINED',
        message: 'gateway 10.1.2.3:8443 said: connect ECONNREFUSED',
      });
      try {
        const created = await create(KEYS.client, newKey('redact'));
        const client = await completed(KEYS.client, created.body.orderId);
        assert.equal(client.status, 'COMPENSATED');
        assert.equal(client.state?.failure?.type, 'PAYMENT_DECLINED');
        assert.equal(client.state?.failure?.message, 'step authorizePayment failed: PAYMENT_DECLINED');
        assert.doesNotMatch(JSON.stringify(client), /ECONNREFUSED|10\.1\.2\.3/);
        const operator = OrderViewSchema.parse((await get(KEYS.operator, created.body.orderId)).body);
        assert.match(operator.state?.failure?.message ?? '', /ECONNREFUSED/);
      } finally {
        suite.fakes.faults.delete('authorizePayment');
      }
    }));
});
