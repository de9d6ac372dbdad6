import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpServiceClient, ServiceError } from '../../lib/http/client';
import { requestFetch } from '../../lib/http/request-fetch';
import { createApp as createInventoryApp } from '../../services/inventory/app';
import { InventoryClient } from '../../services/inventory/client';
import { inventoryMigrations, openInventoryDb, type InventoryTx } from '../../services/inventory/db';
import { seedInventory } from '../../services/inventory/seed';
import { createApp as createOrderApp } from '../../services/order/app';
import { OrderClient } from '../../services/order/client';
import { openOrderDb, orderMigrations, type OrderTx } from '../../services/order/db';
import { seedCatalogue } from '../../services/order/seed';
import { createApp as createPaymentApp } from '../../services/payment/app';
import { PaymentClient } from '../../services/payment/client';
import { openPaymentDb, paymentMigrations, type PaymentTx } from '../../services/payment/db';
import { newKey, newOrderId, silentLogger, startService, TOKEN, type TestService } from './helpers';

/** A raw HTTP server whose handler the test chooses; records the requests it saw. */
async function rawServer(handler: http.RequestListener) {
  const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serviceError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ServiceError, `expected a ServiceError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('typed service clients', () => {
  let inventory: TestService<InventoryTx>;
  let payment: TestService<PaymentTx>;
  let order: TestService<OrderTx>;

  before(async () => {
    inventory = await startService('sqlite', {
      label: 'inventory',
      migrationsDir: inventoryMigrations,
      open: openInventoryDb,
      seed: (db) => seedInventory(db),
      app: (db) => createInventoryApp({ db, config: { token: TOKEN }, logger: silentLogger }),
    });
    payment = await startService('sqlite', {
      label: 'payment',
      migrationsDir: paymentMigrations,
      open: openPaymentDb,
      app: (db) =>
        createPaymentApp({ db, config: { token: TOKEN, slowMs: 0, flakyFailures: 1 }, logger: silentLogger }),
    });
    order = await startService('sqlite', {
      label: 'order',
      migrationsDir: orderMigrations,
      open: openOrderDb,
      seed: (db) => seedCatalogue(db),
      app: (db) => createOrderApp({ db, config: { token: TOKEN }, logger: silentLogger }),
    });
  });
  after(async () => {
    await inventory?.stop();
    await payment?.stop();
    await order?.stop();
  });

  it('drive a whole order through the three services', async () => {
    const orders = new OrderClient({ baseUrl: order.url, token: TOKEN });
    const stock = new InventoryClient({ baseUrl: inventory.url, token: TOKEN });
    const payments = new PaymentClient({ baseUrl: payment.url, token: TOKEN });
    const orderId = newOrderId();
    const items = [{ sku: 'SKU-3', quantity: 2 }];
    const created = await orders.create(
      { orderId, customerId: 'c1', currency: 'EUR', items },
      { idempotencyKey: newKey() },
    );
    assert.equal(created.totalMinor, 11_980);
    const reservation = await stock.reserve(
      { orderId, items },
      { idempotencyKey: newKey(), workflowId: `wf-${orderId}` },
    );
    assert.equal(reservation.status, 'RESERVED');
    await orders.setStatus(orderId, { status: 'RESERVED' }, { idempotencyKey: newKey() });
    const key = newKey();
    const flaky = await serviceError(
      payments.authorize(
        { orderId, customerId: 'c1', amountMinor: created.totalMinor, currency: 'EUR', paymentMethod: 'tok_flaky' },
        { idempotencyKey: key },
      ),
    );
    assert.deepEqual([flaky.status, flaky.code, flaky.retryable], [503, 'SERVICE_UNAVAILABLE', true]);
    const authorization = await payments.authorize(
      { orderId, customerId: 'c1', amountMinor: created.totalMinor, currency: 'EUR', paymentMethod: 'tok_flaky' },
      { idempotencyKey: key },
    );
    assert.equal(authorization.status, 'AUTHORIZED');
    assert.equal((await payments.capture(orderId, { idempotencyKey: newKey() })).status, 'CAPTURED');
    await orders.setStatus(orderId, { status: 'PAID' }, { idempotencyKey: newKey() });
    assert.equal((await stock.commit(orderId, { idempotencyKey: newKey() })).status, 'COMMITTED');
    const confirmed = await orders.setStatus(orderId, { status: 'CONFIRMED' }, { idempotencyKey: newKey() });
    assert.equal(confirmed.status, 'CONFIRMED');
    assert.equal((await orders.get(orderId)).history.length, 4);
    assert.equal((await orders.list({ customerId: 'c1', status: 'CONFIRMED' }))[0]?.orderId, orderId);
    assert.equal((await stock.getReservation(orderId)).status, 'COMMITTED');
    assert.equal((await stock.getProduct('SKU-3')).committed, 2);
    assert.equal((await stock.stats()).consistent, true);
    assert.equal((await payments.getPayment(orderId)).capturedMinor, 11_980);
    assert.equal((await payments.cancel(orderId, { idempotencyKey: newKey() })).outcome, 'REFUNDED');
    const summary = await payments.ledgerSummary();
    assert.equal(summary.currencies[0]?.netMinor, 0);
    assert.ok((await stock.listProducts()).length >= 7);
  });

  it('surface business errors with their code and details, not retryable', async () => {
    const stock = new InventoryClient({ baseUrl: inventory.url, token: TOKEN });
    const error = await serviceError(
      stock.reserve(
        { orderId: newOrderId(), items: [{ sku: 'SKU-SOLDOUT', quantity: 1 }] },
        { idempotencyKey: newKey() },
      ),
    );
    assert.deepEqual([error.status, error.code, error.retryable], [409, 'INSUFFICIENT_STOCK', false]);
    assert.deepEqual(error.details, { sku: 'SKU-SOLDOUT', requested: 1, available: 0 });
    const missing = await serviceError(stock.getReservation(newOrderId()));
    assert.deepEqual([missing.status, missing.code, missing.retryable], [404, 'NOT_FOUND', false]);
    const invalid = await serviceError(stock.reserve({ orderId: 'bad id', items: [] }, { idempotencyKey: newKey() }));
    assert.deepEqual([invalid.status, invalid.code, invalid.retryable], [400, 'VALIDATION_ERROR', false]);
    const wrongToken = new InventoryClient({ baseUrl: inventory.url, token: 'not-the-token' });
    const unauthorized = await serviceError(wrongToken.listProducts());
    assert.deepEqual([unauthorized.status, unauthorized.code, unauthorized.retryable], [401, 'UNAUTHORIZED', false]);
    const orders = new OrderClient({ baseUrl: order.url, token: TOKEN });
    const illegal = await serviceError(
      orders.setStatus(newOrderId(), { status: 'PAID' }, { idempotencyKey: newKey() }),
    );
    assert.equal(illegal.code, 'NOT_FOUND');
  });

  it('send the bearer token, Idempotency-Key and X-Workflow-Id headers and a JSON body', async () => {
    const server = await rawServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"orderId":"o-1","released":true,"status":"RELEASED"}');
    });
    try {
      const client = new InventoryClient({ baseUrl: `${server.url}/`, token: 'tok-123' });
      const result = await client.release('o 1/2', { idempotencyKey: 'key-1', workflowId: 'wf-1' });
      assert.equal(result.released, true);
      const [request] = server.seen;
      assert.equal(request?.method, 'POST');
      assert.equal(request?.url, '/reservations/o%201%2F2/release');
      assert.equal(request?.headers.authorization, 'Bearer tok-123');
      assert.equal(request?.headers['idempotency-key'], 'key-1');
      assert.equal(request?.headers['x-workflow-id'], 'wf-1');
      assert.equal(request?.headers['content-type'], 'application/json');
      assert.equal(request?.body, '{}');
    } finally {
      await server.close();
    }
  });

  it('take an answer without a body (204) and refuse what the transport cannot send', async () => {
    const server = await rawServer((_req, res) => res.writeHead(204).end());
    try {
      const client = new HttpServiceClient({ baseUrl: server.url, token: 't' });
      assert.equal(await client.request('POST', '/anything', { a: 1 }), null);
      assert.equal(server.seen[0]?.body, '{"a":1}');
      const transport = requestFetch();
      await assert.rejects(transport(new Request(server.url)), /not a Request/);
      await assert.rejects(transport(server.url, { method: 'POST', body: new Uint8Array([1]) }), /string bodies only/);
    } finally {
      await server.close();
    }
  });

  it('faults are retryable: 5xx (with or without a JSON body), timeouts, network errors', async () => {
    const server = await rawServer((req, res) => {
      if (req.url === '/products') res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>');
      else if (req.url === '/stats') {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"SERVICE_UNAVAILABLE","message":"down","details":null}}');
      }
      // anything else: never answers
    });
    try {
      const client = new InventoryClient({ baseUrl: server.url, token: TOKEN, timeoutMs: 200 });
      const badGateway = await serviceError(client.listProducts());
      assert.deepEqual([badGateway.status, badGateway.code, badGateway.retryable], [502, 'HTTP_502', true]);
      const unavailable = await serviceError(client.stats());
      assert.deepEqual(
        [unavailable.status, unavailable.code, unavailable.retryable],
        [503, 'SERVICE_UNAVAILABLE', true],
      );
      const started = Date.now();
      const timeout = await serviceError(client.getProduct('SKU-1'));
      const elapsed = Date.now() - started;
      assert.deepEqual([timeout.status, timeout.code, timeout.retryable], [0, 'TIMEOUT', true]);
      assert.ok(elapsed >= 180 && elapsed < 2_000, `timed out after ${elapsed} ms`);
      const perCall = await serviceError(client.getProduct('SKU-1', { timeoutMs: 50 }));
      assert.equal(perCall.code, 'TIMEOUT');
      const controller = new AbortController();
      const cancelled = client.getProduct('SKU-1', { signal: controller.signal });
      controller.abort();
      assert.equal((await serviceError(cancelled)).code, 'ABORTED');
    } finally {
      await server.close();
    }
    const closed = new InventoryClient({ baseUrl: server.url, token: TOKEN });
    const network = await serviceError(closed.listProducts());
    assert.deepEqual([network.status, network.code, network.retryable], [0, 'NETWORK_ERROR', true]);
  });

  it("a proxy's bare 408 or 429 and a 2xx that is not JSON are faults: retried under the same key, never final", async () => {
    const server = await rawServer((req, res) => {
      if (req.url === '/products') res.writeHead(408, { 'content-type': 'text/html' }).end('<h1>Request Timeout</h1>');
      else if (req.url === '/stats') res.writeHead(429, { 'content-type': 'text/plain' }).end('slow down');
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
    });
    try {
      const client = new InventoryClient({ baseUrl: server.url, token: TOKEN });
      const timeout = await serviceError(client.listProducts());
      assert.deepEqual([timeout.status, timeout.code, timeout.retryable], [408, 'HTTP_408', true]);
      const limited = await serviceError(client.stats());
      assert.deepEqual([limited.status, limited.code, limited.retryable], [429, 'HTTP_429', true]);
      const mangled = await serviceError(client.getProduct('SKU-1'));
      assert.deepEqual([mangled.status, mangled.code, mangled.retryable], [200, 'BAD_RESPONSE', true]);
    } finally {
      await server.close();
    }
  });

  it('injected faults (fault rate 1) are 503 before any effect', async () => {
    const faulty = await startService('sqlite', {
      label: 'inventory',
      migrationsDir: inventoryMigrations,
      open: openInventoryDb,
      seed: (db) => seedInventory(db),
      app: (db) => createInventoryApp({ db, config: { token: TOKEN, faultRate: 1 }, logger: silentLogger }),
    });
    try {
      const client = new InventoryClient({ baseUrl: faulty.url, token: TOKEN });
      const orderId = newOrderId();
      const error = await serviceError(
        client.reserve({ orderId, items: [{ sku: 'SKU-1', quantity: 1 }] }, { idempotencyKey: newKey() }),
      );
      assert.deepEqual([error.status, error.code, error.retryable], [503, 'SERVICE_UNAVAILABLE', true]);
      assert.equal(
        (await client.getProduct('SKU-1')).available,
        100,
        'reads are not faulted, and nothing was reserved',
      );
      assert.equal((await serviceError(client.getReservation(orderId))).code, 'NOT_FOUND');
    } finally {
      await faulty.stop();
    }
  });
});
