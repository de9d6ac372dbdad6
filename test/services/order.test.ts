import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../services/order/app';
import { openOrderDb, orderMigrations, type OrderTx } from '../../services/order/db';
import { seedCatalogue } from '../../services/order/seed';
import { errorShape, sharedContractTests } from './contract';
import { BACKENDS, newKey, newOrderId, silentLogger, startService, TOKEN, type TestService } from './helpers';

for (const backend of BACKENDS) {
  describe(`order service (${backend})`, () => {
    let svc: TestService<OrderTx>;

    before(async () => {
      svc = await startService(backend, {
        label: 'order',
        migrationsDir: orderMigrations,
        open: openOrderDb,
        seed: (db) => seedCatalogue(db),
        app: (db) => createApp({ db, config: { token: TOKEN }, logger: silentLogger }),
      });
    });
    after(async () => svc?.stop());

    const orderBody = (orderId: string, extra: Record<string, unknown> = {}) => ({
      orderId,
      customerId: 'cust-a',
      currency: 'EUR',
      items: [
        { sku: 'SKU-1', quantity: 2 },
        { sku: 'SKU-2', quantity: 1 },
      ],
      ...extra,
    });
    const create = (orderId: string, extra: Record<string, unknown> = {}, key = newKey()) =>
      svc.post('/orders', orderBody(orderId, extra), { key });
    const move = (orderId: string, status: string, reason?: string) =>
      svc.post(`/orders/${orderId}/status`, reason ? { status, reason } : { status }, { key: newKey() });

    sharedContractTests(
      () => svc,
      () => ({ path: '/orders', body: orderBody(newOrderId()) }),
    );

    it('creates a PENDING order priced from its own catalogue', async () => {
      const orderId = newOrderId();
      const { status, body } = await create(orderId);
      assert.equal(status, 201);
      assert.equal(body.orderId, orderId);
      assert.equal(body.status, 'PENDING');
      assert.equal(body.currency, 'EUR');
      assert.deepEqual(body.items, [
        { sku: 'SKU-1', quantity: 2, unitPriceMinor: 2_450, lineTotalMinor: 4_900 },
        { sku: 'SKU-2', quantity: 1, unitPriceMinor: 1_200, lineTotalMinor: 1_200 },
      ]);
      assert.equal(body.totalMinor, 6_100);
      assert.deepEqual(
        body.history.map((h: { from: string | null; to: string }) => [h.from, h.to]),
        [[null, 'PENDING']],
      );
      const read = await svc.get(`/orders/${orderId}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body, body);
      const catalogue = await svc.get('/catalogue');
      assert.equal(catalogue.body.items.find((i: { sku: string }) => i.sku === 'SKU-1').priceMinor, 2_450);
    });

    it('the same order again under another key is 200 with it; other content is 409 ORDER_EXISTS', async () => {
      const orderId = newOrderId();
      const first = await create(orderId);
      const again = await svc.post(
        '/orders',
        { ...orderBody(orderId), items: [...orderBody(orderId).items].reverse() },
        { key: newKey() },
      );
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, first.body);
      const other = await create(orderId, { customerId: 'cust-b' });
      assert.equal(other.status, 409);
      errorShape(other.body, 'ORDER_EXISTS');
    });

    it('unknown skus are 409 UNKNOWN_PRODUCT, another currency 409 CURRENCY_MISMATCH; no order is created', async () => {
      const unknown = newOrderId();
      const answer = await create(unknown, { items: [{ sku: 'SKU-NOPE', quantity: 1 }] });
      assert.equal(answer.status, 409);
      errorShape(answer.body, 'UNKNOWN_PRODUCT');
      assert.deepEqual(answer.body.error.details, { sku: 'SKU-NOPE' });
      assert.equal((await svc.get(`/orders/${unknown}`)).status, 404);
      const usd = await create(newOrderId(), { currency: 'USD' });
      assert.equal(usd.status, 409);
      errorShape(usd.body, 'CURRENCY_MISMATCH');
      assert.equal(usd.body.error.details.expected, 'EUR');
    });

    it('walks the happy path PENDING -> RESERVED -> PAID -> CONFIRMED -> SHIPPED, recording history', async () => {
      const orderId = newOrderId();
      await create(orderId);
      for (const status of ['RESERVED', 'PAID', 'CONFIRMED', 'SHIPPED']) {
        const answer = await move(orderId, status, `to ${status}`);
        assert.equal(answer.status, 200, status);
        assert.equal(answer.body.status, status);
        // The answer is what the service holds, to the millisecond and the last history row.
        assert.deepEqual(answer.body, (await svc.get(`/orders/${orderId}`)).body, status);
      }
      const { body } = await svc.get(`/orders/${orderId}`);
      assert.deepEqual(
        body.history.map((h: { from: string | null; to: string; reason: string | null }) => [h.from, h.to, h.reason]),
        [
          [null, 'PENDING', null],
          ['PENDING', 'RESERVED', 'to RESERVED'],
          ['RESERVED', 'PAID', 'to PAID'],
          ['PAID', 'CONFIRMED', 'to CONFIRMED'],
          ['CONFIRMED', 'SHIPPED', 'to SHIPPED'],
        ],
      );
    });

    it('enforces the state machine: illegal moves are 409 ILLEGAL_TRANSITION, same status is a no-op', async () => {
      const orderId = newOrderId();
      await create(orderId);
      const skip = await move(orderId, 'PAID');
      assert.equal(skip.status, 409);
      errorShape(skip.body, 'ILLEGAL_TRANSITION');
      assert.deepEqual(skip.body.error.details, { from: 'PENDING', to: 'PAID' });
      await move(orderId, 'RESERVED');
      const same = await move(orderId, 'RESERVED');
      assert.equal(same.status, 200);
      assert.equal(same.body.history.length, 2);
      assert.equal((await move(orderId, 'COMPENSATED', 'payment declined')).body.status, 'COMPENSATED');
      for (const status of ['PENDING', 'RESERVED', 'PAID', 'CONFIRMED', 'CANCELLED']) {
        const answer = await move(orderId, status);
        assert.equal(answer.status, 409, status);
        assert.deepEqual(answer.body.error.details, { from: 'COMPENSATED', to: status });
      }
      for (const [path, to] of [
        [['RESERVED', 'PAID', 'CONFIRMED'], 'CANCELLED'],
        [['CANCELLED'], 'RESERVED'],
        [['RESERVED', 'PAID', 'CONFIRMED', 'SHIPPED'], 'CONFIRMED'],
      ] as const) {
        const id = newOrderId();
        await create(id);
        for (const status of path) assert.equal((await move(id, status)).status, 200);
        assert.equal((await move(id, to)).status, 409, `${path.join('>')} -> ${to}`);
      }
      const missing = await move(newOrderId(), 'RESERVED');
      assert.equal(missing.status, 404);
      errorShape(missing.body, 'NOT_FOUND');
    });

    it('closing an unknown order is 404 but leaves a tombstone: a late create of it is 409 ORDER_CLOSED', async () => {
      // The saga closes the order when createOrder's outcome is unknown (timed out, cancelled in flight); the
      // create request may still be queued in the service and land after the close.
      for (const status of ['CANCELLED', 'COMPENSATED']) {
        const orderId = newOrderId();
        const closed = await move(orderId, status, 'customer cancelled');
        assert.equal(closed.status, 404, status);
        errorShape(closed.body, 'NOT_FOUND');
        const late = await create(orderId);
        assert.equal(late.status, 409, `${status}: ${JSON.stringify(late.body)}`);
        errorShape(late.body, 'ORDER_CLOSED');
        assert.deepEqual(late.body.error.details, { orderId, status });
        assert.equal((await svc.get(`/orders/${orderId}`)).status, 404, 'no order was created');
        assert.equal((await move(orderId, status)).status, 404, 'closing again changes nothing');
      }
      // Other moves of an unknown order leave nothing behind.
      const orderId = newOrderId();
      assert.equal((await move(orderId, 'RESERVED')).status, 404);
      assert.equal((await create(orderId)).status, 201);
    });

    it('lists orders by customer and status, newest first, with a limit', async () => {
      const customerId = `cust-${newOrderId()}`;
      const ids = [newOrderId(), newOrderId(), newOrderId()];
      for (const id of ids) await create(id, { customerId });
      await move(ids[0]!, 'CANCELLED');
      const all = await svc.get(`/orders?customerId=${customerId}`);
      assert.equal(all.status, 200);
      assert.deepEqual(new Set(all.body.orders.map((o: { orderId: string }) => o.orderId)), new Set(ids));
      const cancelled = await svc.get(`/orders?customerId=${customerId}&status=CANCELLED`);
      assert.deepEqual(
        cancelled.body.orders.map((o: { orderId: string }) => o.orderId),
        [ids[0]],
      );
      const limited = await svc.get(`/orders?customerId=${customerId}&limit=2`);
      assert.equal(limited.body.orders.length, 2);
      const byStatus = await svc.get('/orders?status=CANCELLED&limit=200');
      assert.ok(byStatus.body.orders.every((o: { status: string }) => o.status === 'CANCELLED'));
      for (const query of ['limit=0', 'limit=201', 'limit=abc', 'status=LOST', 'customerId=a%20b', 'sort=asc']) {
        const bad = await svc.get(`/orders?${query}`);
        assert.equal(bad.status, 400, query);
        errorShape(bad.body, 'VALIDATION_ERROR');
      }
    });

    it('rejects bad input of every field with 400 (prices are never taken from the caller)', async () => {
      const id = newOrderId();
      const cases: [string, unknown, string][] = [
        ['currency lower', orderBody(id, { currency: 'eur' }), 'body.currency'],
        ['currency number', orderBody(id, { currency: 978 }), 'body.currency'],
        ['customer empty', orderBody(id, { customerId: '' }), 'body.customerId'],
        ['items empty', orderBody(id, { items: [] }), 'body.items'],
        ['quantity negative', orderBody(id, { items: [{ sku: 'SKU-1', quantity: -1 }] }), 'body.items.0.quantity'],
        ['quantity float', orderBody(id, { items: [{ sku: 'SKU-1', quantity: 0.5 }] }), 'body.items.0.quantity'],
        ['client price', orderBody(id, { items: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: 1 }] }), 'body.items.0'],
        ['client total', orderBody(id, { totalMinor: 1 }), 'body'],
        ['client status', orderBody(id, { status: 'PAID' }), 'body'],
      ];
      for (const [label, body, path] of cases) {
        const answer = await svc.post('/orders', body, { key: newKey() });
        assert.equal(answer.status, 400, label);
        const paths = answer.body.error.details.issues.map((i: { path: string }) => i.path);
        assert.ok(paths.includes(path), `${label}: ${paths.join(', ')}`);
      }
      await create(id);
      for (const body of [
        {},
        { status: 'LOST' },
        { status: 'PAID', reason: 'x'.repeat(501) },
        { status: 'PAID', extra: 1 },
      ]) {
        const answer = await svc.post(`/orders/${id}/status`, body, { key: newKey() });
        assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 40));
      }
      assert.equal((await svc.get(`/orders/${id}`)).body.status, 'PENDING');
    });

    it('concurrent identical transitions apply once: one history row, the others are no-ops', async () => {
      const orderId = newOrderId();
      await create(orderId);
      await move(orderId, 'RESERVED');
      const answers = await Promise.all(Array.from({ length: 8 }, () => move(orderId, 'PAID')));
      assert.ok(
        answers.every((a) => a.status === 200 && a.body.status === 'PAID'),
        answers.map((a) => a.status).join(','),
      );
      const final = (await svc.get(`/orders/${orderId}`)).body;
      assert.deepEqual(
        final.history.map((h: { to: string }) => h.to),
        ['PENDING', 'RESERVED', 'PAID'],
      );
    });

    it('concurrent conflicting transitions from CONFIRMED: SHIPPED or nothing, never CANCELLED', async () => {
      const orderId = newOrderId();
      await create(orderId);
      for (const status of ['RESERVED', 'PAID', 'CONFIRMED']) await move(orderId, status);
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => move(orderId, i % 2 === 0 ? 'SHIPPED' : 'CANCELLED')),
      );
      assert.ok(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'ILLEGAL_TRANSITION'));
      assert.equal(answers.filter((a) => a.status === 409).length, 3);
      const final = (await svc.get(`/orders/${orderId}`)).body;
      assert.equal(final.status, 'SHIPPED');
      assert.equal(final.history.length, 5);
    });

    it('concurrent creates with one key apply once', async () => {
      const orderId = newOrderId();
      const key = newKey();
      const answers = await Promise.all(Array.from({ length: 8 }, () => create(orderId, {}, key)));
      assert.ok(
        answers.every((a) => a.status === 201),
        answers.map((a) => a.status).join(','),
      );
      assert.equal((await svc.get(`/orders/${orderId}`)).body.history.length, 1);
    });
  });
}
