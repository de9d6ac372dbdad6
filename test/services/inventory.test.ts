import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_CATALOGUE } from '../../prisma/catalogue';
import { createApp } from '../../services/inventory/app';
import { inventoryMigrations, openInventoryDb, type InventoryTx } from '../../services/inventory/db';
import { seedInventory } from '../../services/inventory/seed';
import { errorShape, sharedContractTests } from './contract';
import { BACKENDS, newKey, newOrderId, silentLogger, startService, TOKEN, type TestService } from './helpers';

const EXTRA = [
  { sku: 'SKU-TEN', name: 'Ten in stock', priceMinor: 100, currency: 'EUR', stock: 10 },
  { sku: 'SKU-PAIR-A', name: 'Pair A', priceMinor: 100, currency: 'EUR', stock: 10 },
  { sku: 'SKU-PAIR-B', name: 'Pair B', priceMinor: 100, currency: 'EUR', stock: 10 },
];

for (const backend of BACKENDS) {
  describe(`inventory service (${backend})`, () => {
    let svc: TestService<InventoryTx>;

    before(async () => {
      svc = await startService(backend, {
        label: 'inventory',
        migrationsDir: inventoryMigrations,
        open: openInventoryDb,
        seed: (db) => seedInventory(db, [...DEMO_CATALOGUE, ...EXTRA]),
        app: (db) => createApp({ db, config: { token: TOKEN }, logger: silentLogger }),
      });
    });
    after(async () => svc?.stop());

    const product = async (sku: string) => (await svc.get(`/products/${sku}`)).body;
    const reserve = (orderId: string, items: { sku: string; quantity: number }[], key = newKey()) =>
      svc.post('/reservations', { orderId, items }, { key });

    sharedContractTests(
      () => svc,
      () => ({
        path: '/reservations',
        body: { orderId: newOrderId(), items: [{ sku: 'SKU-5', quantity: 1 }] },
      }),
    );

    it('lists the seeded demo catalogue with stock counters', async () => {
      const { status, body } = await svc.get('/products');
      assert.equal(status, 200);
      const skus = body.products.map((p: { sku: string }) => p.sku);
      for (const item of DEMO_CATALOGUE) assert.ok(skus.includes(item.sku), item.sku);
      const soldOut = await product('SKU-SOLDOUT');
      assert.deepEqual(
        [soldOut.available, soldOut.reserved, soldOut.committed, soldOut.totalStock, soldOut.currency],
        [0, 0, 0, 0, 'EUR'],
      );
      const missing = await svc.get('/products/NOPE');
      assert.equal(missing.status, 404);
      errorShape(missing.body, 'NOT_FOUND');
    });

    it('seeding again keeps the stock counters (idempotent upsert)', async () => {
      const orderId = newOrderId();
      assert.equal((await reserve(orderId, [{ sku: 'SKU-6', quantity: 4 }])).status, 201);
      await seedInventory(svc.db, DEMO_CATALOGUE);
      const sku6 = await product('SKU-6');
      assert.deepEqual([sku6.available, sku6.reserved, sku6.totalStock], [96, 4, 100]);
    });

    it('reserves every line or nothing: 201 with the reservation, stock moves to reserved', async () => {
      const orderId = newOrderId();
      const before1 = await product('SKU-1');
      const before2 = await product('SKU-2');
      const { status, body } = await reserve(orderId, [
        { sku: 'SKU-2', quantity: 1 },
        { sku: 'SKU-1', quantity: 3 },
      ]);
      assert.equal(status, 201);
      assert.match(body.reservationId, /^res_/);
      assert.equal(body.orderId, orderId);
      assert.equal(body.status, 'RESERVED');
      assert.deepEqual(body.items, [
        { sku: 'SKU-1', quantity: 3 },
        { sku: 'SKU-2', quantity: 1 },
      ]);
      const after1 = await product('SKU-1');
      assert.equal(after1.available, before1.available - 3);
      assert.equal(after1.reserved, before1.reserved + 3);
      assert.equal((await product('SKU-2')).available, before2.available - 1);
      const read = await svc.get(`/reservations/${orderId}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.reservationId, body.reservationId);
    });

    it('a line that cannot be met is 409 INSUFFICIENT_STOCK naming it, and nothing is reserved', async () => {
      const before3 = await product('SKU-3');
      const orderId = newOrderId();
      const { status, body } = await reserve(orderId, [
        { sku: 'SKU-3', quantity: 5 },
        { sku: 'SKU-SOLDOUT', quantity: 1 },
      ]);
      assert.equal(status, 409);
      errorShape(body, 'INSUFFICIENT_STOCK');
      assert.deepEqual(body.error.details, { sku: 'SKU-SOLDOUT', requested: 1, available: 0 });
      assert.deepEqual(await product('SKU-3'), before3);
      assert.equal((await svc.get(`/reservations/${orderId}`)).status, 404);
      const tooMany = await reserve(newOrderId(), [{ sku: 'SKU-3', quantity: before3.available + 1 }]);
      assert.deepEqual(tooMany.body.error.details, {
        sku: 'SKU-3',
        requested: before3.available + 1,
        available: before3.available,
      });
    });

    it('a business failure is the stored answer of its key', async () => {
      const key = newKey();
      const orderId = newOrderId();
      const first = await reserve(orderId, [{ sku: 'SKU-SOLDOUT', quantity: 1 }], key);
      const replay = await reserve(orderId, [{ sku: 'SKU-SOLDOUT', quantity: 1 }], key);
      assert.equal(replay.status, 409);
      assert.deepEqual(replay.body, first.body);
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    });

    it('an unknown sku is 409 UNKNOWN_PRODUCT with the sku', async () => {
      const { status, body } = await reserve(newOrderId(), [
        { sku: 'SKU-1', quantity: 1 },
        { sku: 'SKU-404', quantity: 1 },
      ]);
      assert.equal(status, 409);
      errorShape(body, 'UNKNOWN_PRODUCT');
      assert.deepEqual(body.error.details, { sku: 'SKU-404' });
    });

    it('one reservation per order: the same items again answer 200 with it, other items are 409', async () => {
      const orderId = newOrderId();
      const first = await reserve(orderId, [{ sku: 'SKU-4', quantity: 2 }]);
      const stock = await product('SKU-4');
      const again = await reserve(orderId, [{ sku: 'SKU-4', quantity: 2 }]);
      assert.equal(again.status, 200);
      assert.equal(again.body.reservationId, first.body.reservationId);
      const different = await reserve(orderId, [{ sku: 'SKU-4', quantity: 3 }]);
      assert.equal(different.status, 409);
      errorShape(different.body, 'RESERVATION_EXISTS');
      assert.deepEqual(await product('SKU-4'), stock);
    });

    it('release puts the stock back, once; releasing again or without a reservation is safe', async () => {
      const orderId = newOrderId();
      const before4 = await product('SKU-4');
      await reserve(orderId, [{ sku: 'SKU-4', quantity: 7 }]);
      const released = await svc.post(`/reservations/${orderId}/release`, {}, { key: newKey() });
      assert.equal(released.status, 200);
      assert.deepEqual(released.body, { orderId, released: true, status: 'RELEASED' });
      assert.deepEqual(await product('SKU-4'), { ...before4, ...pick(await product('SKU-4'), []) });
      const again = await svc.post(`/reservations/${orderId}/release`, {}, { key: newKey() });
      assert.deepEqual(again.body, { orderId, released: false, status: 'RELEASED' });
      assert.equal((await product('SKU-4')).available, before4.available);

      const none = newOrderId();
      const nothing = await svc.post(`/reservations/${none}/release`, undefined, { key: newKey() });
      assert.deepEqual(nothing.body, { orderId: none, released: false, status: 'NONE' });
      // A reserve that arrives after its compensation is refused.
      const late = await reserve(none, [{ sku: 'SKU-4', quantity: 1 }]);
      assert.equal(late.status, 409);
      errorShape(late.body, 'RESERVATION_RELEASED');
      const reReserve = await reserve(orderId, [{ sku: 'SKU-4', quantity: 7 }]);
      errorShape(reReserve.body, 'RESERVATION_RELEASED');
    });

    it('commit consumes the reservation; it is 404 without one and 409 after a release', async () => {
      const orderId = newOrderId();
      const missing = await svc.post(`/reservations/${newOrderId()}/commit`, {}, { key: newKey() });
      assert.equal(missing.status, 404);
      errorShape(missing.body, 'NOT_FOUND');

      const before5 = await product('SKU-5');
      await reserve(orderId, [{ sku: 'SKU-5', quantity: 2 }]);
      const committed = await svc.post(`/reservations/${orderId}/commit`, {}, { key: newKey() });
      assert.equal(committed.status, 200);
      assert.deepEqual(committed.body, { orderId, status: 'COMMITTED' });
      const after5 = await product('SKU-5');
      assert.deepEqual(
        [after5.available, after5.reserved, after5.committed],
        [before5.available - 2, before5.reserved, before5.committed + 2],
      );
      const twice = await svc.post(`/reservations/${orderId}/commit`, {}, { key: newKey() });
      assert.deepEqual(twice.body, { orderId, status: 'COMMITTED' });
      assert.deepEqual(await product('SKU-5'), after5);
      const release = await svc.post(`/reservations/${orderId}/release`, {}, { key: newKey() });
      assert.equal(release.status, 409);
      errorShape(release.body, 'ILLEGAL_TRANSITION');
      assert.deepEqual(release.body.error.details, { from: 'COMMITTED', to: 'RELEASED' });

      const releasedOrder = newOrderId();
      await reserve(releasedOrder, [{ sku: 'SKU-5', quantity: 1 }]);
      await svc.post(`/reservations/${releasedOrder}/release`, {}, { key: newKey() });
      const late = await svc.post(`/reservations/${releasedOrder}/commit`, {}, { key: newKey() });
      assert.equal(late.status, 409);
      errorShape(late.body, 'RESERVATION_RELEASED');
    });

    it('rejects bad input of every field with 400 and the zod issue path', async () => {
      const ok = { orderId: newOrderId(), items: [{ sku: 'SKU-1', quantity: 1 }] };
      const cases: [string, unknown, string][] = [
        ['orderId missing', { items: ok.items }, 'body.orderId'],
        ['orderId number', { ...ok, orderId: 42 }, 'body.orderId'],
        ['orderId empty', { ...ok, orderId: '' }, 'body.orderId'],
        ['orderId too long', { ...ok, orderId: 'o'.repeat(129) }, 'body.orderId'],
        ['orderId bad chars', { ...ok, orderId: 'a b/c' }, 'body.orderId'],
        ['items missing', { orderId: ok.orderId }, 'body.items'],
        ['items not an array', { ...ok, items: { sku: 'SKU-1', quantity: 1 } }, 'body.items'],
        ['items empty', { ...ok, items: [] }, 'body.items'],
        [
          'too many items',
          { ...ok, items: Array.from({ length: 101 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) },
          'body.items',
        ],
        ['duplicate sku', { ...ok, items: [ok.items[0], ok.items[0]] }, 'body.items.1.sku'],
        ['sku missing', { ...ok, items: [{ quantity: 1 }] }, 'body.items.0.sku'],
        ['sku number', { ...ok, items: [{ sku: 7, quantity: 1 }] }, 'body.items.0.sku'],
        ['sku bad chars', { ...ok, items: [{ sku: 'SKU 1', quantity: 1 }] }, 'body.items.0.sku'],
        ['quantity zero', { ...ok, items: [{ sku: 'SKU-1', quantity: 0 }] }, 'body.items.0.quantity'],
        ['quantity negative', { ...ok, items: [{ sku: 'SKU-1', quantity: -3 }] }, 'body.items.0.quantity'],
        ['quantity fractional', { ...ok, items: [{ sku: 'SKU-1', quantity: 1.5 }] }, 'body.items.0.quantity'],
        ['quantity string', { ...ok, items: [{ sku: 'SKU-1', quantity: '2' }] }, 'body.items.0.quantity'],
        ['quantity huge', { ...ok, items: [{ sku: 'SKU-1', quantity: 1e12 }] }, 'body.items.0.quantity'],
        ['item unknown field', { ...ok, items: [{ sku: 'SKU-1', quantity: 1, priceMinor: 1 }] }, 'body.items.0'],
      ];
      const stock = await product('SKU-1');
      for (const [label, body, path] of cases) {
        const answer = await svc.post('/reservations', body, { key: newKey() });
        assert.equal(answer.status, 400, label);
        errorShape(answer.body, 'VALIDATION_ERROR');
        const paths = answer.body.error.details.issues.map((i: { path: string }) => i.path);
        assert.ok(paths.includes(path), `${label}: ${paths.join(', ')}`);
      }
      const badParam = await svc.post(`/reservations/${'x'.repeat(200)}/release`, {}, { key: newKey() });
      assert.equal(badParam.status, 400);
      const bodyOnRelease = await svc.post(`/reservations/${newOrderId()}/release`, { force: true }, { key: newKey() });
      assert.equal(bodyOnRelease.status, 400);
      assert.deepEqual(await product('SKU-1'), stock);
    });

    it('concurrent reservations never oversell: stock 10, 30 orders of 1 -> exactly 10 succeed', async () => {
      const answers = await Promise.all(
        Array.from({ length: 30 }, () => reserve(newOrderId('race'), [{ sku: 'SKU-TEN', quantity: 1 }])),
      );
      const statuses = answers.map((a) => a.status);
      assert.equal(statuses.filter((s) => s === 201).length, 10, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 409).length, 20, statuses.join(','));
      for (const failed of answers.filter((a) => a.status === 409)) {
        assert.equal(failed.body.error.code, 'INSUFFICIENT_STOCK');
      }
      const ten = await product('SKU-TEN');
      assert.deepEqual([ten.available, ten.reserved, ten.committed], [0, 10, 0]);
    });

    it('concurrent multi-line reservations in opposite orders neither deadlock nor oversell', async () => {
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          reserve(
            newOrderId('pair'),
            i % 2 === 0
              ? [
                  { sku: 'SKU-PAIR-A', quantity: 1 },
                  { sku: 'SKU-PAIR-B', quantity: 1 },
                ]
              : [
                  { sku: 'SKU-PAIR-B', quantity: 1 },
                  { sku: 'SKU-PAIR-A', quantity: 1 },
                ],
          ),
        ),
      );
      assert.equal(answers.filter((a) => a.status === 201).length, 10);
      assert.ok(answers.every((a) => a.status === 201 || a.body.error.code === 'INSUFFICIENT_STOCK'));
      assert.equal((await product('SKU-PAIR-A')).available, 0);
      assert.equal((await product('SKU-PAIR-B')).available, 0);
    });

    it('concurrent duplicates apply once: same key, and same order under different keys', async () => {
      const before6 = await product('SKU-6');
      const orderId = newOrderId();
      const key = newKey();
      const sameKey = await Promise.all(
        Array.from({ length: 8 }, () => reserve(orderId, [{ sku: 'SKU-6', quantity: 2 }], key)),
      );
      assert.ok(
        sameKey.every((a) => a.status === 201),
        sameKey.map((a) => a.status).join(','),
      );
      assert.equal(new Set(sameKey.map((a) => a.body.reservationId)).size, 1);
      const otherOrder = newOrderId();
      const otherKeys = await Promise.all(
        Array.from({ length: 8 }, () => reserve(otherOrder, [{ sku: 'SKU-6', quantity: 2 }])),
      );
      assert.ok(
        otherKeys.every((a) => a.status === 201 || a.status === 200),
        otherKeys.map((a) => a.status).join(','),
      );
      assert.equal(new Set(otherKeys.map((a) => a.body.reservationId)).size, 1);
      assert.equal((await product('SKU-6')).available, before6.available - 4);
    });

    it('keeps available + reserved + committed = total stock, matching the reservations', async () => {
      const { status, body } = await svc.get('/stats');
      assert.equal(status, 200);
      assert.equal(
        body.consistent,
        true,
        JSON.stringify(body.products.filter((p: { consistent: boolean }) => !p.consistent)),
      );
      for (const p of body.products) assert.ok(p.available >= 0);
    });
  });
}

function pick<T extends object>(value: T, keys: (keyof T)[]): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Partial<T>;
}
