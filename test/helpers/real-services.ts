import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OrderActivities } from '../../activities/types';
import { createOrderActivities } from '../../activities/order';
import type { ReturnActivities } from '../../activities/return-types';
import { createReturnActivities } from '../../activities/returns';
import { createServiceClients } from '../../activities/service-clients';
import type { ServiceClients, ServicesConfig } from '../../activities/service-clients';
import { ServiceError } from '../../lib/http/client';
import { createApp as inventoryApp } from '../../services/inventory/app';
import { inventoryMigrations, openInventoryDb } from '../../services/inventory/db';
import type { InventoryTx } from '../../services/inventory/db';
import { seedInventory } from '../../services/inventory/seed';
import { createApp as orderApp } from '../../services/order/app';
import { openOrderDb, orderMigrations } from '../../services/order/db';
import type { OrderTx } from '../../services/order/db';
import { seedCatalogue } from '../../services/order/seed';
import { createApp as paymentApp } from '../../services/payment/app';
import { openPaymentDb, paymentMigrations } from '../../services/payment/db';
import type { PaymentTx } from '../../services/payment/db';
import type { Backend, ServiceUnderTest } from '../services/helpers';
import { silentLogger, startService, TOKEN } from '../services/helpers';
import { createTimeSkippingEnv } from './temporal';

/** The three real services as the tests start them: migrated, seeded with the demo catalogue. */
export const INVENTORY_SERVICE: ServiceUnderTest<InventoryTx> = {
  label: 'inventory',
  migrationsDir: inventoryMigrations,
  open: openInventoryDb,
  seed: (db) => seedInventory(db),
  app: (db) => inventoryApp({ db, config: { token: TOKEN }, logger: silentLogger }),
};

export const PAYMENT_SERVICE: ServiceUnderTest<PaymentTx> = {
  label: 'payment',
  migrationsDir: paymentMigrations,
  open: openPaymentDb,
  app: (db) => paymentApp({ db, config: { token: TOKEN, slowMs: 50, flakyFailures: 2 }, logger: silentLogger }),
};

export const ORDER_SERVICE: ServiceUnderTest<OrderTx> = {
  label: 'order',
  migrationsDir: orderMigrations,
  open: openOrderDb,
  seed: (db) => seedCatalogue(db),
  app: (db) => orderApp({ db, config: { token: TOKEN }, logger: silentLogger }),
};

/** What the three services hold about one order (undefined: the service has no record of it). */
export interface OrderSnapshot {
  order?: string;
  reservation?: string;
  payment?: { status: string; capturedMinor: number; refundedMinor: number; ledger: string[] };
}

export interface ReturnSnapshot {
  return?: string;
  label?: string;
  restock?: string;
  /** The order payment's refunded total. */
  refundedMinor?: number;
}

export interface RealServices {
  config: ServicesConfig;
  clients: ServiceClients;
  /** The saga's activities over these services; `fetch` replaces the transport (fault injection). */
  activities(
    fetch?: typeof globalThis.fetch,
    options?: Partial<Pick<ServicesConfig, 'timeoutMs' | 'breaker'>>,
  ): OrderActivities;
  /** The returns saga's activities over these services. */
  returnActivities(
    fetch?: typeof globalThis.fetch,
    options?: Partial<Pick<ServicesConfig, 'timeoutMs' | 'breaker'>>,
  ): ReturnActivities;
  snapshot(orderId: string): Promise<OrderSnapshot>;
  /** What the services hold about one return of an order. */
  returnSnapshot(returnId: string, orderId: string): Promise<ReturnSnapshot>;
  /** Available units of a product in the inventory service. */
  available(sku: string): Promise<number>;
  stop(): Promise<void>;
}

const absent = (err: unknown) => {
  if (err instanceof ServiceError && err.status === 404) return undefined;
  throw err;
};

const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;

export async function startRealServices(backend: Backend = 'sqlite'): Promise<RealServices> {
  const inventory = await startService(backend, INVENTORY_SERVICE);
  const payment = await startService(backend, PAYMENT_SERVICE).catch(async (err: unknown) => {
    await inventory.stop();
    throw err;
  });
  const order = await startService(backend, ORDER_SERVICE).catch(async (err: unknown) => {
    await Promise.all([inventory.stop(), payment.stop()]);
    throw err;
  });
  const config: ServicesConfig = {
    inventoryUrl: inventory.url,
    paymentUrl: payment.url,
    orderUrl: order.url,
    tokens: { inventory: TOKEN, payment: TOKEN, order: TOKEN },
    timeoutMs: 60_000,
  };
  const clients = createServiceClients(config);
  return {
    config,
    clients,
    activities: (fetch, options) => createOrderActivities(createServiceClients({ ...config, ...options }, { fetch })),
    returnActivities: (fetch, options) =>
      createReturnActivities(createServiceClients({ ...config, ...options }, { fetch })),
    async returnSnapshot(returnId, orderId) {
      const [view, restock, paymentView] = await Promise.all([
        clients.order.getReturn(returnId).catch(absent),
        clients.inventory.getRestock(returnId).catch(absent),
        clients.payment.getPayment(orderId).catch(absent),
      ]);
      return withoutUndefined({
        return: view?.status,
        label: view?.label?.status,
        restock: restock?.status,
        refundedMinor: paymentView?.refundedMinor,
      });
    },
    async snapshot(orderId) {
      const [orderView, reservation, paymentView] = await Promise.all([
        clients.order.get(orderId).catch(absent),
        clients.inventory.getReservation(orderId).catch(absent),
        clients.payment.getPayment(orderId).catch(absent),
      ]);
      return withoutUndefined({
        order: orderView?.status,
        reservation: reservation?.status,
        payment: paymentView && {
          status: paymentView.status,
          capturedMinor: paymentView.capturedMinor,
          refundedMinor: paymentView.refundedMinor,
          ledger: paymentView.ledger.map((row) => row.kind),
        },
      });
    },
    async available(sku) {
      return (await clients.inventory.getProduct(sku)).available;
    },
    stop: async () => {
      await Promise.all([inventory.stop(), payment.stop(), order.stop()]);
    },
  };
}

/** A test file's time-skipping environment and real services (SQLite), set up before and torn down after it. */
export function realServicesSuite(): { env: TestWorkflowEnvironment; services: RealServices } {
  const suite = {} as { env: TestWorkflowEnvironment; services: RealServices };
  before(async () => {
    [suite.env, suite.services] = await Promise.all([createTimeSkippingEnv(), startRealServices('sqlite')]);
  });
  after(async () => {
    await Promise.all([suite.env?.teardown(), suite.services?.stop()]);
  });
  return suite;
}
