// The services' own cost per saga, without Temporal: the order saga's eight calls, one saga at a time, straight
// from the typed clients to the three real services (SQLite, one process, loopback HTTP). What a service change
// saves shows here first; bench/compare.ts then measures it in the whole stack.
//
//   npx tsx bench/services.ts [--sagas 300] [--warmup 20]
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { z } from 'zod';
import { createServiceClients } from '../activities/service-clients';
import { migrate } from '../lib/db/migrate';
import { parseDatabaseUrl } from '../lib/db/url';
import { listen } from '../lib/http/listen';
import { DEMO_CATALOGUE } from '../prisma/catalogue';
import { createApp as inventoryApp } from '../services/inventory/app';
import { inventoryMigrations, openInventoryDb } from '../services/inventory/db';
import { seedInventory } from '../services/inventory/seed';
import { createApp as orderApp } from '../services/order/app';
import { openOrderDb, orderMigrations } from '../services/order/db';
import { seedCatalogue } from '../services/order/seed';
import { createApp as paymentApp } from '../services/payment/app';
import { openPaymentDb, paymentMigrations } from '../services/payment/db';
import { emitResult, runMain } from './lib/output';
import { round, summarize } from './lib/stats';

const TOKEN = 'bench-service-token';
const logger = pino({ level: 'silent' });

const argsSchema = z.object({
  sagas: z.coerce.number().int().min(1).max(5_000).default(300),
  warmup: z.coerce.number().int().min(0).max(1_000).default(20),
});

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sagas: { type: 'string' }, warmup: { type: 'string' } } });
  const { sagas, warmup } = argsSchema.parse(values);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sagaflow-bench-services-'));
  const target = (name: string) => parseDatabaseUrl(`file:${path.join(dir, `${name}.db`)}`);
  // Enough stock for every saga: one unit of one product each, spread over the catalogue.
  const stock = DEMO_CATALOGUE.map((product) => ({ ...product, stock: sagas + warmup }));

  await migrate({ target: target('inventory'), migrationsDir: inventoryMigrations('sqlite'), logger });
  await migrate({ target: target('payment'), migrationsDir: paymentMigrations('sqlite'), logger });
  await migrate({ target: target('order'), migrationsDir: orderMigrations('sqlite'), logger });
  const dbs = {
    inventory: openInventoryDb(target('inventory')),
    payment: openPaymentDb(target('payment')),
    order: openOrderDb(target('order')),
  };
  await seedInventory(dbs.inventory, stock);
  await seedCatalogue(dbs.order);
  const servers = await Promise.all([
    listen(inventoryApp({ db: dbs.inventory, config: { token: TOKEN }, logger }), 0, '127.0.0.1'),
    listen(
      paymentApp({ db: dbs.payment, config: { token: TOKEN, slowMs: 0, flakyFailures: 0 }, logger }),
      0,
      '127.0.0.1',
    ),
    listen(orderApp({ db: dbs.order, config: { token: TOKEN }, logger }), 0, '127.0.0.1'),
  ]);
  const [inventoryUrl, paymentUrl, orderUrl] = servers.map(
    (server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  );
  const { order, inventory, payment } = createServiceClients({
    inventoryUrl: inventoryUrl!,
    paymentUrl: paymentUrl!,
    orderUrl: orderUrl!,
    tokens: { inventory: TOKEN, payment: TOKEN, order: TOKEN },
    timeoutMs: 5_000,
  });

  const byCall: Record<string, number[]> = {};
  const perSaga: number[] = [];
  let cpuFrom = process.cpuUsage();
  try {
    for (let i = 0; i < warmup + sagas; i++) {
      const measured = i >= warmup;
      if (i === warmup) cpuFrom = process.cpuUsage();
      const orderId = `bench-${process.pid}-${i}`;
      const keyed = (step: string) => ({ idempotencyKey: `${orderId}:${step}` });
      const items = [{ sku: DEMO_CATALOGUE[i % DEMO_CATALOGUE.length]!.sku, quantity: 1 }];
      const timed = async <T>(call: string, fn: () => Promise<T>): Promise<T> => {
        const began = performance.now();
        const result = await fn();
        if (measured) (byCall[call] ??= []).push(performance.now() - began);
        return result;
      };
      const began = performance.now();
      const created = await timed('createOrder', () =>
        order.create({ orderId, customerId: 'bench', currency: 'EUR', items }, keyed('createOrder')),
      );
      await timed('reserveInventory', () => inventory.reserve({ orderId, items }, keyed('reserveInventory')));
      await timed('setOrderStatus', () => order.setStatus(orderId, { status: 'RESERVED' }, keyed('markReserved')));
      await timed('authorizePayment', () =>
        payment.authorize(
          { orderId, customerId: 'bench', amountMinor: created.totalMinor, currency: 'EUR', paymentMethod: 'tok_ok' },
          keyed('authorizePayment'),
        ),
      );
      await timed('capturePayment', () => payment.capture(orderId, keyed('capturePayment')));
      await timed('setOrderStatus', () => order.setStatus(orderId, { status: 'PAID' }, keyed('markPaid')));
      await timed('commitInventory', () => inventory.commit(orderId, keyed('commitInventory')));
      await timed('setOrderStatus', () => order.setStatus(orderId, { status: 'CONFIRMED' }, keyed('confirmOrder')));
      if (measured) perSaga.push(performance.now() - began);
    }
  } finally {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await Promise.all(Object.values(dbs).map((db) => db.close()));
    rmSync(dir, { recursive: true, force: true });
  }
  const cpu = process.cpuUsage(cpuFrom);
  emitResult({
    benchmark: 'services',
    sagas,
    warmup,
    sagaMs: summarize(perSaga),
    // Client and services share this process: the CPU of both sides of the eight calls.
    cpuMsPerSaga: round((cpu.user + cpu.system) / 1000 / sagas),
    callP50Ms: Object.fromEntries(Object.entries(byCall).map(([call, ms]) => [call, summarize(ms).p50])),
  });
}

runMain(main);
