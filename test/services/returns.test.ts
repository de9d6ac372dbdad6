import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_CATALOGUE } from '../../prisma/catalogue';
import { createApp as createInventoryApp } from '../../services/inventory/app';
import { inventoryMigrations, openInventoryDb, type InventoryTx } from '../../services/inventory/db';
import { seedInventory } from '../../services/inventory/seed';
import { createApp as createOrderApp } from '../../services/order/app';
import { openOrderDb, orderMigrations, type OrderTx } from '../../services/order/db';
import { seedCatalogue } from '../../services/order/seed';
import { BACKENDS, newKey, newOrderId, silentLogger, startService, TOKEN, type TestService } from './helpers';

const lines = (...pairs: [string, number][]) => pairs.map(([sku, quantity]) => ({ sku, quantity }));

for (const backend of BACKENDS) {
  describe(`order service returns (${backend})`, () => {
    let svc: TestService<OrderTx>;
    before(async () => {
      svc = await startService(backend, {
        label: 'order_returns',
        migrationsDir: orderMigrations,
        open: openOrderDb,
        seed: (db) => seedCatalogue(db),
        app: (db) => createOrderApp({ db, config: { token: TOKEN }, logger: silentLogger }),
      });
    });
    after(async () => svc?.stop());

    /** An order of 2 × SKU-1 (2450) and 1 × SKU-2 (1200), moved along to `status`. */
    const order = async (status: 'PENDING' | 'CONFIRMED' = 'CONFIRMED') => {
      const orderId = newOrderId();
      const created = await svc.post(
        '/orders',
        { orderId, customerId: 'cust-r', currency: 'EUR', items: lines(['SKU-1', 2], ['SKU-2', 1]) },
        { key: newKey() },
      );
      assert.equal(created.status, 201);
      if (status === 'CONFIRMED') {
        for (const next of ['RESERVED', 'PAID', 'CONFIRMED']) {
          assert.equal((await svc.post(`/orders/${orderId}/status`, { status: next }, { key: newKey() })).status, 200);
        }
      }
      return orderId;
    };
    const request = (orderId: string, items: { sku: string; quantity: number }[], returnId = newOrderId('ret')) =>
      svc.post('/returns', { returnId, orderId, items, reason: 'too small' }, { key: newKey() });
    const status = (returnId: string, next: string) =>
      svc.post(`/returns/${returnId}/status`, { status: next }, { key: newKey() });

    it('a return of a fulfilled order is priced at what the order charged; the same request again answers 200', async () => {
      const orderId = await order();
      const returnId = newOrderId('ret');
      const first = await request(orderId, lines(['SKU-1', 1]), returnId);
      assert.equal(first.status, 201);
      assert.equal(first.body.status, 'REQUESTED');
      assert.equal(first.body.refundMinor, 2_450);
      assert.equal(first.body.currency, 'EUR');
      assert.deepEqual(first.body.items, [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: 2_450 }]);
      assert.equal(first.body.label, null);
      const again = await request(orderId, lines(['SKU-1', 1]), returnId);
      assert.equal(again.status, 200);
      const other = await request(orderId, lines(['SKU-2', 1]), returnId);
      assert.equal(other.status, 409);
      assert.equal(other.body.error.code, 'RETURN_EXISTS');
      const listed = await svc.get(`/orders/${orderId}/returns`);
      assert.deepEqual(
        listed.body.returns.map((r: { returnId: string }) => r.returnId),
        [returnId],
      );
    });

    it('refuses returns of an unfulfilled or unknown order, of units it never had, and beyond what is left', async () => {
      const pending = await order('PENDING');
      const notAllowed = await request(pending, lines(['SKU-1', 1]));
      assert.equal(notAllowed.status, 409);
      assert.equal(notAllowed.body.error.code, 'RETURN_NOT_ALLOWED');
      assert.equal((await request(newOrderId(), lines(['SKU-1', 1]))).status, 404);

      const orderId = await order();
      const foreign = await request(orderId, lines(['SKU-3', 1]));
      assert.equal(foreign.body.error.code, 'RETURN_EXCEEDS_ORDER');
      assert.equal((await request(orderId, lines(['SKU-1', 2]))).status, 201);
      const beyond = await request(orderId, lines(['SKU-1', 1]));
      assert.equal(beyond.status, 409);
      assert.equal(beyond.body.error.code, 'RETURN_EXCEEDS_ORDER');
      assert.deepEqual(beyond.body.error.details, { sku: 'SKU-1', requested: 1, ordered: 2, returned: 2 });
    });

    it('units of a closed return can be returned again', async () => {
      const orderId = await order();
      const first = await request(orderId, lines(['SKU-2', 1]));
      assert.equal((await status(first.body.returnId, 'EXPIRED')).body.status, 'EXPIRED');
      assert.equal((await request(orderId, lines(['SKU-2', 1]))).status, 201);
    });

    // Issue 25, item 4: a RECEIVED return is owed its refund; closing it freed its units for a second refundable
    // return of the same parcel.
    it('a RECEIVED return cannot be closed (409): its units stay returned', async () => {
      const orderId = await order();
      const returnId = (await request(orderId, lines(['SKU-2', 1]))).body.returnId;
      await svc.post(`/returns/${returnId}/label`, {}, { key: newKey() });
      assert.equal((await status(returnId, 'RECEIVED')).body.status, 'RECEIVED');
      for (const closing of ['CANCELLED', 'REJECTED', 'EXPIRED']) {
        const refused = await status(returnId, closing);
        assert.equal(refused.status, 409, `${closing}: ${JSON.stringify(refused.body)}`);
        assert.equal(refused.body.error.code, 'ILLEGAL_TRANSITION');
      }
      const second = await request(orderId, lines(['SKU-2', 1]));
      assert.equal(second.status, 409);
      assert.equal(second.body.error.code, 'RETURN_EXCEEDS_ORDER');
      assert.equal((await status(returnId, 'REFUNDED')).body.status, 'REFUNDED');
    });

    it('the label: issued once, USED when the parcel comes, voided when the return closes first', async () => {
      const orderId = await order();
      const used = (await request(orderId, lines(['SKU-1', 1]))).body.returnId;
      const label = await svc.post(`/returns/${used}/label`, {}, { key: newKey() });
      assert.equal(label.status, 200);
      assert.equal(label.body.status, 'LABEL_CREATED');
      assert.match(label.body.label.trackingNumber, /^TRK[0-9A-F]{16}$/);
      assert.equal(label.body.label.status, 'ISSUED');
      const again = await svc.post(`/returns/${used}/label`, {}, { key: newKey() });
      assert.equal(again.body.label.trackingNumber, label.body.label.trackingNumber);
      assert.equal((await status(used, 'RECEIVED')).body.label.status, 'USED');
      assert.equal((await svc.post(`/returns/${used}/label/void`, {}, { key: newKey() })).body.outcome, 'USED');
      assert.equal((await status(used, 'REFUNDED')).body.status, 'REFUNDED');
      const late = await status(used, 'CANCELLED');
      assert.equal(late.body.error.code, 'ILLEGAL_TRANSITION');

      const voided = (await request(orderId, lines(['SKU-1', 1]))).body.returnId;
      assert.equal((await svc.post(`/returns/${voided}/label/void`, {}, { key: newKey() })).body.outcome, 'NONE');
      await svc.post(`/returns/${voided}/label`, {}, { key: newKey() });
      assert.equal((await svc.post(`/returns/${voided}/label/void`, {}, { key: newKey() })).body.outcome, 'VOIDED');
      assert.equal((await svc.post(`/returns/${voided}/label/void`, {}, { key: newKey() })).body.outcome, 'VOIDED');
      assert.equal((await status(voided, 'CANCELLED')).body.status, 'CANCELLED');
      const closed = await svc.post(`/returns/${voided}/label`, {}, { key: newKey() });
      assert.equal(closed.body.error.code, 'RETURN_CLOSED');
    });

    it('closing an unknown return is 404 and leaves a tombstone: its late request is refused RETURN_CLOSED', async () => {
      const orderId = await order();
      const returnId = newOrderId('ret');
      const close = await status(returnId, 'CANCELLED');
      assert.equal(close.status, 404);
      const late = await request(orderId, lines(['SKU-1', 1]), returnId);
      assert.equal(late.status, 409);
      assert.equal(late.body.error.code, 'RETURN_CLOSED');
      assert.equal((await status(newOrderId('ret'), 'RECEIVED')).status, 404);
    });

    it('concurrent returns of the last units: exactly one is taken', async () => {
      const orderId = await order();
      const answers = await Promise.all(Array.from({ length: 6 }, () => request(orderId, lines(['SKU-2', 1]))));
      assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409, 409, 409, 409, 409]);
      assert.ok(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'RETURN_EXCEEDS_ORDER'));
    });

    it('a request and a close of the same unknown return racing: never an open return behind a tombstone', async () => {
      for (let round = 0; round < 5; round++) {
        const orderId = await order();
        const returnId = newOrderId('ret');
        const [requested, closed] = await Promise.all([
          request(orderId, lines(['SKU-1', 1]), returnId),
          status(returnId, 'CANCELLED'),
        ]);
        const row = await svc.get(`/returns/${returnId}`);
        if (requested.status === 201) {
          // The request won: the close found it and closed it.
          assert.equal(closed.status, 200);
          assert.equal(row.body.status, 'CANCELLED');
        } else {
          assert.equal(requested.body.error.code, 'RETURN_CLOSED');
          assert.equal(row.status, 404);
        }
      }
    });
  });

  describe(`inventory restocks (${backend})`, () => {
    let svc: TestService<InventoryTx>;
    before(async () => {
      svc = await startService(backend, {
        label: 'inventory_restocks',
        migrationsDir: inventoryMigrations,
        open: openInventoryDb,
        seed: (db) => seedInventory(db, DEMO_CATALOGUE),
        app: (db) => createInventoryApp({ db, config: { token: TOKEN }, logger: silentLogger }),
      });
    });
    after(async () => svc?.stop());

    const product = async (sku: string) => (await svc.get(`/products/${sku}`)).body;
    /** An order of 2 × SKU-1 and 1 × SKU-2 whose reservation is committed (or only reserved). */
    const fulfilled = async (commit = true) => {
      const orderId = newOrderId();
      const items = lines(['SKU-1', 2], ['SKU-2', 1]);
      assert.equal((await svc.post('/reservations', { orderId, items }, { key: newKey() })).status, 201);
      if (commit) await svc.post(`/reservations/${orderId}/commit`, {}, { key: newKey() });
      return orderId;
    };
    const restock = (orderId: string, items: { sku: string; quantity: number }[], returnId = newOrderId('ret')) =>
      svc.post('/restocks', { returnId, orderId, items }, { key: newKey() });
    const reverse = (returnId: string) => svc.post(`/restocks/${returnId}/reverse`, {}, { key: newKey() });
    const consistent = async () => {
      const stats = (await svc.get('/stats')).body;
      assert.equal(
        stats.consistent,
        true,
        JSON.stringify(stats.products.filter((p: { consistent: boolean }) => !p.consistent)),
      );
    };

    it('puts returned units back on sale once, and a reversal takes them off again', async () => {
      const orderId = await fulfilled();
      const before = await product('SKU-1');
      const returnId = newOrderId('ret');
      const first = await restock(orderId, lines(['SKU-1', 2]), returnId);
      assert.equal(first.status, 201);
      assert.equal(first.body.status, 'RESTOCKED');
      const after = await product('SKU-1');
      assert.equal(after.available, before.available + 2);
      assert.equal(after.committed, before.committed - 2);
      assert.equal((await restock(orderId, lines(['SKU-1', 2]), returnId)).status, 200);
      assert.equal((await restock(orderId, lines(['SKU-1', 1]), returnId)).body.error.code, 'RESTOCK_EXISTS');
      await consistent();

      assert.equal((await reverse(returnId)).body.outcome, 'REVERSED');
      assert.equal((await reverse(returnId)).body.outcome, 'REVERSED');
      assert.deepEqual(await product('SKU-1'), before);
      assert.equal((await restock(orderId, lines(['SKU-1', 2]), returnId)).body.error.code, 'RESTOCK_REVERSED');
      await consistent();
    });

    it('never restocks more than the order committed, across its returns', async () => {
      const reservedOnly = await fulfilled(false);
      const notCommitted = await restock(reservedOnly, lines(['SKU-1', 1]));
      assert.equal(notCommitted.body.error.code, 'RESTOCK_EXCEEDS_COMMITTED');
      const orderId = await fulfilled();
      assert.equal((await restock(orderId, lines(['SKU-1', 1]))).status, 201);
      assert.equal((await restock(orderId, lines(['SKU-1', 1], ['SKU-2', 1]))).status, 201);
      const beyond = await restock(orderId, lines(['SKU-1', 1]));
      assert.equal(beyond.status, 409);
      assert.deepEqual(beyond.body.error.details, { sku: 'SKU-1', requested: 1, committed: 2, restocked: 2 });
      await consistent();
    });

    it('reversing an unknown restock is NONE and refuses its late restock', async () => {
      const orderId = await fulfilled();
      const returnId = newOrderId('ret');
      assert.equal((await reverse(returnId)).body.outcome, 'NONE');
      assert.equal((await restock(orderId, lines(['SKU-1', 1]), returnId)).body.error.code, 'RESTOCK_REVERSED');
    });

    it('a reversal after the units were sold again is 409 RESTOCK_UNAVAILABLE and changes nothing', async () => {
      const orderId = await fulfilled();
      const returnId = newOrderId('ret');
      await restock(orderId, lines(['SKU-2', 1]), returnId);
      const { available } = await product('SKU-2');
      // Someone buys every unit on sale, the returned one included.
      const buyer = newOrderId();
      await svc.post('/reservations', { orderId: buyer, items: lines(['SKU-2', available]) }, { key: newKey() });
      const refused = await reverse(returnId);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'RESTOCK_UNAVAILABLE');
      assert.equal((await svc.get(`/restocks/${returnId}`)).body.status, 'RESTOCKED');
      await svc.post(`/reservations/${buyer}/release`, {}, { key: newKey() });
      assert.equal((await reverse(returnId)).body.outcome, 'REVERSED');
      await consistent();
    });

    it('concurrent restocks of the same units: exactly one is taken', async () => {
      const orderId = await fulfilled();
      const answers = await Promise.all(Array.from({ length: 6 }, () => restock(orderId, lines(['SKU-2', 1]))));
      assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409, 409, 409, 409, 409]);
      await consistent();
    });
  });
}
