import { PrismaClient as PostgresClient } from '../../prisma/order/postgres/generated/client';
import { PrismaClient as SqliteClient } from '../../prisma/order/sqlite/generated/client';
import { migrationsDir } from '../../prisma/layout';
import type { DbProvider, DbTarget } from '../../lib/db/url';
import { openServiceDb, type ServiceDb } from '../../lib/db/service-db';
import type { IdempotencyTx } from '../../lib/http/idempotency';

export interface CatalogueRow {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
}

export interface OrderItemRow {
  sku: string;
  quantity: number;
  unitPriceMinor: number;
  lineTotalMinor: number;
}

export interface StatusChangeRow {
  fromStatus: string | null;
  toStatus: string;
  reason: string | null;
  createdAt: Date;
}

export interface OrderRow {
  id: string;
  customerId: string;
  currency: string;
  status: string;
  totalMinor: number;
  createdAt: Date;
  updatedAt: Date;
  items: OrderItemRow[];
  history: StatusChangeRow[];
}

const withDetails = { items: { orderBy: { sku: 'asc' } }, history: { orderBy: { id: 'asc' } } } as const;
type WithDetails = typeof withDetails;

/** The order service's database calls, as a narrow interface both generated clients satisfy. */
export interface OrderTx extends IdempotencyTx, ReturnTx {
  catalogueItem: {
    findMany(args: { where?: { sku: { in: string[] } }; orderBy: { sku: 'asc' } }): PromiseLike<CatalogueRow[]>;
    upsert(args: {
      where: { sku: string };
      create: CatalogueRow;
      update: Omit<CatalogueRow, 'sku'>;
    }): PromiseLike<unknown>;
  };
  order: {
    findUnique(args: { where: { id: string }; include: WithDetails }): PromiseLike<OrderRow | null>;
    findMany(args: {
      where: { customerId?: string; status?: string };
      orderBy: ({ createdAt: 'desc' } | { id: 'desc' })[];
      take: number;
      include: WithDetails;
    }): PromiseLike<OrderRow[]>;
    create(args: {
      data: Omit<OrderRow, 'createdAt' | 'updatedAt' | 'items' | 'history'> & {
        items: { create: OrderItemRow[] };
        history: { create: { fromStatus: null; toStatus: string } };
      };
      include: WithDetails;
    }): PromiseLike<OrderRow>;
    /** Optimistic transition: `where` pins the status read; `count` 0 means another transaction moved it first. */
    updateMany(args: {
      where: { id: string; status: string };
      data: { status: string; updatedAt: Date };
    }): PromiseLike<{ count: number }>;
  };
  statusChange: {
    create(args: {
      data: { orderId: string; fromStatus: string; toStatus: string; reason: string | null };
    }): PromiseLike<StatusChangeRow>;
  };
  /** Orders closed before they existed: a late create of one is refused (409 ORDER_CLOSED). */
  orderTombstone: {
    findUnique(args: { where: { orderId: string } }): PromiseLike<OrderTombstoneRow | null>;
    create(args: { data: { orderId: string; status: string; reason: string | null } }): PromiseLike<unknown>;
  };
}

export interface ReturnItemRow {
  sku: string;
  quantity: number;
  unitPriceMinor: number;
}

export interface ReturnRow {
  id: string;
  orderId: string;
  status: string;
  reason: string | null;
  refundMinor: number;
  currency: string;
  trackingNumber: string | null;
  labelStatus: string | null;
  createdAt: Date;
  updatedAt: Date;
  items: ReturnItemRow[];
}

const returnItems = { items: { orderBy: { sku: 'asc' } } } as const;
type ReturnItems = typeof returnItems;
export const returnInclude: ReturnItems = returnItems;

/** The returns' tables (services/order/returns.ts). */
export interface ReturnTx {
  return: {
    findUnique(args: { where: { id: string }; include: ReturnItems }): PromiseLike<ReturnRow | null>;
    findMany(args: {
      where: { orderId: string; status?: { notIn: string[] } };
      orderBy?: { createdAt: 'asc' };
      include: ReturnItems;
    }): PromiseLike<ReturnRow[]>;
    create(args: {
      data: Omit<ReturnRow, 'createdAt' | 'updatedAt' | 'items' | 'trackingNumber' | 'labelStatus'> & {
        items: { create: ReturnItemRow[] };
      };
      include: ReturnItems;
    }): PromiseLike<ReturnRow>;
    /** Optimistic transition: `where` pins the status read; `count` 0 means another transaction moved it first. */
    updateMany(args: {
      where: { id: string; status: string; labelStatus?: string | null };
      data: { status?: string; trackingNumber?: string; labelStatus?: string };
    }): PromiseLike<{ count: number }>;
  };
  /** Returns closed before they were requested: a late request of one is refused (409 RETURN_CLOSED). */
  returnTombstone: {
    findUnique(args: { where: { returnId: string } }): PromiseLike<{ status: string } | null>;
    create(args: { data: { returnId: string; status: string; reason: string | null } }): PromiseLike<unknown>;
  };
}

export interface OrderTombstoneRow {
  orderId: string;
  status: string;
  reason: string | null;
  createdAt: Date;
}

export type OrderDb = ServiceDb<OrderTx>;
export const orderInclude: WithDetails = withDetails;

export const orderMigrations = (provider: DbProvider) => migrationsDir('order', provider);

export function openOrderDb(target: DbTarget, options?: { poolSize?: number }): OrderDb {
  return openServiceDb<OrderTx>(
    target,
    {
      sqlite: (adapter) => new SqliteClient({ adapter }),
      postgres: (adapter) => new PostgresClient({ adapter }),
    },
    options,
  );
}
