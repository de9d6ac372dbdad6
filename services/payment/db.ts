import { PrismaClient as PostgresClient } from '../../prisma/payment/postgres/generated/client';
import { PrismaClient as SqliteClient } from '../../prisma/payment/sqlite/generated/client';
import { migrationsDir } from '../../prisma/layout';
import type { DbProvider, DbTarget } from '../../lib/db/url';
import { openServiceDb, type ServiceDb } from '../../lib/db/service-db';
import type { IdempotencyTx } from '../../lib/http/idempotency';

export type LedgerKind = 'AUTHORIZE' | 'CAPTURE' | 'VOID' | 'REFUND';

export interface LedgerRow {
  id: number;
  kind: string;
  amountMinor: number;
  currency: string;
  reference: string | null;
  createdAt: Date;
}

export interface PaymentRow {
  id: string;
  orderId: string;
  customerId: string;
  currency: string;
  paymentMethod: string;
  status: string;
  authorizedMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  createdAt: Date;
  updatedAt: Date;
  ledger: LedgerRow[];
}

type NewLedger = { kind: LedgerKind; amountMinor: number; currency: string; orderId: string; reference?: string };
const withLedger = { ledger: { orderBy: { id: 'asc' } } } as const;
type WithLedger = typeof withLedger;

/** The payment service's database calls, as a narrow interface both generated clients satisfy. */
export interface PaymentTx extends IdempotencyTx {
  payment: {
    findUnique(args: { where: { orderId: string }; include: WithLedger }): PromiseLike<PaymentRow | null>;
    create(args: {
      data: Omit<PaymentRow, 'capturedMinor' | 'refundedMinor' | 'createdAt' | 'updatedAt' | 'ledger'> & {
        ledger: { create: Omit<NewLedger, 'orderId'> & { orderId: string } };
      };
      include: WithLedger;
    }): PromiseLike<PaymentRow>;
    /** Optimistic update: `where` pins the state read; `count` 0 means another transaction changed it first. */
    updateMany(args: {
      where: { id: string; status: string; refundedMinor?: number };
      data: { status: string; capturedMinor?: number; refundedMinor?: number; updatedAt?: Date };
    }): PromiseLike<{ count: number }>;
  };
  ledgerEntry: {
    create(args: { data: NewLedger & { paymentId: string } }): PromiseLike<LedgerRow>;
    findMany(args: { orderBy: { id: 'asc' } }): PromiseLike<(LedgerRow & { orderId: string })[]>;
  };
  paymentTombstone: {
    findUnique(args: { where: { orderId: string } }): PromiseLike<{ orderId: string } | null>;
    create(args: { data: { orderId: string } }): PromiseLike<unknown>;
  };
  flakyAttempt: {
    upsert(args: {
      where: { orderId: string };
      create: { orderId: string; attempts: number };
      update: { attempts: { increment: number } };
    }): PromiseLike<{ orderId: string; attempts: number }>;
  };
}

export type PaymentDb = ServiceDb<PaymentTx>;
export const paymentInclude: WithLedger = withLedger;

export const paymentMigrations = (provider: DbProvider) => migrationsDir('payment', provider);

export function openPaymentDb(target: DbTarget, options?: { poolSize?: number }): PaymentDb {
  return openServiceDb<PaymentTx>(
    target,
    {
      sqlite: (adapter) => new SqliteClient({ adapter }),
      postgres: (adapter) => new PostgresClient({ adapter }),
    },
    options,
  );
}
