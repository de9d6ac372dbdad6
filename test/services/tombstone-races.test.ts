import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createApp as orderApp } from '../../services/order/app';
import { openOrderDb, orderMigrations, type OrderTx } from '../../services/order/db';
import { seedCatalogue } from '../../services/order/seed';
import { createApp as paymentApp } from '../../services/payment/app';
import { openPaymentDb, paymentMigrations, type PaymentTx } from '../../services/payment/db';
import { newKey, newOrderId, postgresAdminUrl, silentLogger, startService, TOKEN, type TestService } from './helpers';
import type { Json } from './helpers';
import { pausable, type PausableDb } from './pausable-db';

// Race 3 of issue 12, on PostgreSQL (READ COMMITTED): a create and a tombstone of the same unknown entity, each
// transaction reading "nothing there" before writing. One transaction is paused between its read and its write
// while the other runs; the pause ends once the other has finished or is blocked on a lock. Whatever the order,
// the entity and its tombstone never both commit.

/** Resolves when `work` settles or some backend waits on a lock, whichever comes first (at most 10 s). */
async function settledOrBlocked(work: Promise<unknown>): Promise<void> {
  let settled = false;
  void work.finally(() => (settled = true)).catch(() => undefined);
  const admin = new pg.Client({ connectionString: postgresAdminUrl() });
  await admin.connect();
  try {
    for (let i = 0; i < 200 && !settled; i++) {
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
      );
      if (rows[0]!.n > 0) return;
      await delay(50);
    }
  } finally {
    await admin.end();
  }
}

/** Runs `first` until it is paused before `model.method`, runs `second` meanwhile, then lets `first` go on. */
async function interleave(
  db: PausableDb<unknown>,
  pause: [string, string] | [string, string, number],
  first: () => Promise<{ status: number; body: Json }>,
  second: () => Promise<{ status: number; body: Json }>,
) {
  const paused = db.pauseBefore(pause[0], pause[1], pause[2]);
  const a = first();
  await paused.reached;
  const b = second();
  await settledOrBlocked(b);
  paused.release();
  return Promise.all([a, b]);
}

describe('tombstone races on PostgreSQL: a paused transaction between its read and its write', () => {
  let payment: TestService<PaymentTx>;
  let order: TestService<OrderTx>;
  let paymentDb: PausableDb<PaymentTx>;
  let orderDb: PausableDb<OrderTx>;

  before(async () => {
    [payment, order] = await Promise.all([
      startService('postgres', {
        label: 'payment',
        migrationsDir: paymentMigrations,
        open: (target, options) => (paymentDb = pausable(openPaymentDb(target, options))).db,
        app: (db) => paymentApp({ db, config: { token: TOKEN, slowMs: 50, flakyFailures: 2 }, logger: silentLogger }),
      }),
      startService('postgres', {
        label: 'order',
        migrationsDir: orderMigrations,
        open: (target, options) => (orderDb = pausable(openOrderDb(target, options))).db,
        seed: (db) => seedCatalogue(db),
        app: (db) => orderApp({ db, config: { token: TOKEN }, logger: silentLogger }),
      }),
    ]);
  });
  after(async () => Promise.all([payment?.stop(), order?.stop()]));

  const authorize = (orderId: string) =>
    payment.post(
      '/payments/authorize',
      { orderId, customerId: 'cust-1', amountMinor: 1_000, currency: 'EUR', paymentMethod: 'tok_ok' },
      { key: newKey() },
    );
  const cancel = (orderId: string) => payment.post(`/payments/${orderId}/cancel`, {}, { key: newKey() });
  const create = (orderId: string) =>
    order.post(
      '/orders',
      { orderId, customerId: 'cust-1', currency: 'EUR', items: [{ sku: 'SKU-1', quantity: 1 }] },
      { key: newKey() },
    );
  const close = (orderId: string) =>
    order.post(`/orders/${orderId}/status`, { status: 'COMPENSATED', reason: 'compensated' }, { key: newKey() });

  it('authorize paused before its insert, cancel meanwhile: the authorization is voided, no hold remains', async () => {
    const orderId = newOrderId();
    const [authorized, cancelled] = await interleave(
      paymentDb as PausableDb<unknown>,
      ['payment', 'create'],
      () => authorize(orderId),
      () => cancel(orderId),
    );
    assert.equal(authorized.status, 201);
    assert.deepEqual([cancelled.status, cancelled.body.outcome], [200, 'VOIDED']);
    assert.equal((await payment.get(`/payments/${orderId}`)).body.status, 'VOIDED');
  });

  it('cancel paused before its tombstone, authorize meanwhile: the late authorization is refused', async () => {
    const orderId = newOrderId();
    const [cancelled, authorized] = await interleave(
      paymentDb as PausableDb<unknown>,
      ['paymentTombstone', 'create'],
      () => cancel(orderId),
      () => authorize(orderId),
    );
    assert.deepEqual([cancelled.status, cancelled.body.outcome], [200, 'NONE']);
    assert.deepEqual([authorized.status, authorized.body.error?.code], [409, 'PAYMENT_CANCELLED']);
    assert.equal((await payment.get(`/payments/${orderId}`)).status, 404);
  });

  it('create paused before its insert, close meanwhile: the order is closed, none stays PENDING', async () => {
    const orderId = newOrderId();
    const [created, closed] = await interleave(
      orderDb as PausableDb<unknown>,
      ['order', 'create'],
      () => create(orderId),
      () => close(orderId),
    );
    assert.equal(created.status, 201);
    assert.equal(closed.status, 200);
    assert.equal((await order.get(`/orders/${orderId}`)).body.status, 'COMPENSATED');
  });

  it('close paused before its tombstone, create meanwhile: the late create is refused ORDER_CLOSED', async () => {
    const orderId = newOrderId();
    const [closed, created] = await interleave(
      orderDb as PausableDb<unknown>,
      ['orderTombstone', 'create'],
      () => close(orderId),
      () => create(orderId),
    );
    assert.equal(closed.status, 404);
    assert.deepEqual([created.status, created.body.error?.code], [409, 'ORDER_CLOSED']);
    assert.equal((await order.get(`/orders/${orderId}`)).status, 404);
  });

  // Issue 25, item 3: the saga cancelled while its createLabel is in flight. The label's transaction has issued it
  // (its update done, not committed) when the compensations run: voidLabel reads the committed return (no label:
  // NONE), and closeReturn waits on the row, then closes the return the label's commit made LABEL_CREATED.
  it('label issued but not committed, void then close meanwhile: the closed return keeps no usable label', async () => {
    const orderId = newOrderId();
    await create(orderId);
    for (const next of ['RESERVED', 'PAID', 'CONFIRMED']) {
      await order.post(`/orders/${orderId}/status`, { status: next }, { key: newKey() });
    }
    const returnId = newOrderId('ret');
    const requested = await order.post(
      '/returns',
      { returnId, orderId, items: [{ sku: 'SKU-1', quantity: 1 }] },
      { key: newKey() },
    );
    assert.equal(requested.status, 201);
    const [label, compensated] = await interleave(
      orderDb as PausableDb<unknown>,
      // createLabel reads the return, issues the label, then reads it again to answer: paused there, uncommitted.
      ['return', 'findUnique', 1],
      () => order.post(`/returns/${returnId}/label`, {}, { key: newKey() }),
      async () => {
        const voided = await order.post(`/returns/${returnId}/label/void`, {}, { key: newKey() });
        const closed = await order.post(
          `/returns/${returnId}/status`,
          { status: 'CANCELLED', reason: 'customer cancelled' },
          { key: newKey() },
        );
        return { status: closed.status, body: { voided: voided.body, closed: closed.body } as Json };
      },
    );
    assert.equal(label.status, 200);
    assert.equal(compensated.status, 200, JSON.stringify(compensated.body));
    const after = (await order.get(`/returns/${returnId}`)).body;
    assert.equal(after.status, 'CANCELLED');
    assert.notEqual(after.label?.status, 'ISSUED', `a CANCELLED return with a usable label: ${JSON.stringify(after)}`);
  });
});
