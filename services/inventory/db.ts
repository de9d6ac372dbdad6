import { PrismaClient as PostgresClient } from '../../prisma/inventory/postgres/generated/client';
import { PrismaClient as SqliteClient } from '../../prisma/inventory/sqlite/generated/client';
import { migrationsDir } from '../../prisma/layout';
import type { DbProvider, DbTarget } from '../../lib/db/url';
import { openServiceDb, type ServiceDb } from '../../lib/db/service-db';
import type { IdempotencyTx } from '../../lib/http/idempotency';

export interface ProductRow {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
  totalStock: number;
  available: number;
  reserved: number;
  committed: number;
}

export interface ReservationItemRow {
  sku: string;
  quantity: number;
}

export interface ReservationRow {
  id: string;
  orderId: string;
  status: string;
  createdAt: Date;
  updatedAt: Date;
  items: ReservationItemRow[];
}

export interface RestockRow {
  id: string;
  returnId: string;
  orderId: string;
  status: string;
  createdAt: Date;
  updatedAt: Date;
  items: ReservationItemRow[];
}

type SkuWhere = { sku: string } | { sku: { in: string[] } };
type Count = { increment: number } | { decrement: number };
const withItems = { items: { orderBy: { sku: 'asc' } } } as const;
type WithItems = typeof withItems;

/**
 * The inventory's database calls, as a narrow interface both generated clients (SQLite, PostgreSQL) satisfy.
 */
export interface InventoryTx extends IdempotencyTx, RestockTx {
  product: {
    findMany(args: { where?: SkuWhere; orderBy: { sku: 'asc' } }): PromiseLike<ProductRow[]>;
    findUnique(args: { where: { sku: string } }): PromiseLike<ProductRow | null>;
    /** Conditional update: `available: { gte }` makes the decrement safe under concurrency (check `count`). */
    updateMany(args: {
      where: { sku: string; available?: { gte: number }; reserved?: { gte: number }; committed?: { gte: number } };
      data: { available?: Count; reserved?: Count; committed?: Count };
    }): PromiseLike<{ count: number }>;
    upsert(args: {
      where: { sku: string };
      create: Omit<ProductRow, 'reserved' | 'committed'>;
      update: { name: string; priceMinor: number; currency: string };
    }): PromiseLike<unknown>;
  };
  reservation: {
    findUnique(args: { where: { orderId: string }; include: WithItems }): PromiseLike<ReservationRow | null>;
    findMany(args: { where: { status: { in: string[] } }; include: WithItems }): PromiseLike<ReservationRow[]>;
    create(args: {
      data: { id: string; orderId: string; status: string; items?: { create: ReservationItemRow[] } };
      include: WithItems;
    }): PromiseLike<ReservationRow>;
    updateMany(args: {
      where: { id: string; status: string };
      data: { status: string };
    }): PromiseLike<{ count: number }>;
  };
}

/** Returned units back on sale (services/inventory/restocks.ts). */
export interface RestockTx {
  restock: {
    findUnique(args: { where: { returnId: string }; include: WithItems }): PromiseLike<RestockRow | null>;
    findMany(args: { where: { orderId?: string; status: string }; include: WithItems }): PromiseLike<RestockRow[]>;
    create(args: {
      data: { id: string; returnId: string; orderId: string; status: string; items: { create: ReservationItemRow[] } };
      include: WithItems;
    }): PromiseLike<RestockRow>;
    updateMany(args: {
      where: { id: string; status: string };
      data: { status: string };
    }): PromiseLike<{ count: number }>;
  };
  restockTombstone: {
    findUnique(args: { where: { returnId: string } }): PromiseLike<unknown>;
    create(args: { data: { returnId: string } }): PromiseLike<unknown>;
  };
}

export type InventoryDb = ServiceDb<InventoryTx>;
export const reservationInclude: WithItems = withItems;

export const inventoryMigrations = (provider: DbProvider) => migrationsDir('inventory', provider);

export function openInventoryDb(target: DbTarget, options?: { poolSize?: number }): InventoryDb {
  return openServiceDb<InventoryTx>(
    target,
    {
      sqlite: (adapter) => new SqliteClient({ adapter }),
      postgres: (adapter) => new PostgresClient({ adapter }),
    },
    options,
  );
}
