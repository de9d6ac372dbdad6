import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { withStatementCache } from './sqlite-statement-cache';
import type { DbProvider, DbTarget } from './url';

/** The client calls every service needs besides its models (both generated clients have them). */
export interface PrismaLike<Tx> {
  $transaction<R>(fn: (tx: Tx) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
  $queryRawUnsafe(sql: string): PromiseLike<unknown>;
  $disconnect(): Promise<void>;
}

/**
 * A service's database, whichever the provider. `Tx` is the service's narrow interface of the model calls it
 * makes: the SQLite and PostgreSQL clients generated from the same models both satisfy it (their full types
 * differ in provider-specific options, so the service code is written against the narrow one).
 */
export interface ServiceDb<Tx> {
  provider: DbProvider;
  /** Queries outside a transaction. */
  client: Tx;
  transaction<R>(fn: (tx: Tx) => Promise<R>): Promise<R>;
  /**
   * Serializes the transactions that touch one entity (e.g. all payment writes of an order) until `tx` ends:
   * on PostgreSQL a transaction-scoped advisory lock, so a read-then-write on rows that do not exist yet (a
   * tombstone against a create) cannot interleave under READ COMMITTED; SQLite already runs one write
   * transaction at a time.
   */
  lock(tx: Tx, key: string): Promise<void>;
  /** Throws when the database is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The raw call of a transaction client that `lock` uses (both generated clients' transactions have it). */
interface RawTx {
  $executeRawUnsafe(sql: string, ...values: unknown[]): PromiseLike<number>;
}

export interface ClientFactories<Tx> {
  sqlite(adapter: PrismaBetterSqlite3): PrismaLike<Tx> & Tx;
  postgres(adapter: PrismaPg): PrismaLike<Tx> & Tx;
}

export interface OpenOptions {
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/** Opens the Prisma client of the right provider with its driver adapter. */
export function openServiceDb<Tx>(
  target: DbTarget,
  clients: ClientFactories<Tx>,
  options: OpenOptions = {},
): ServiceDb<Tx> {
  const client =
    target.provider === 'postgres'
      ? clients.postgres(
          new PrismaPg({ connectionString: target.url, max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 }),
        )
      : clients.sqlite(withStatementCache(new PrismaBetterSqlite3({ url: target.file, timeout: 10_000 })));
  return {
    provider: target.provider,
    client,
    // Waiting for a connection/lock under load is normal; a transaction itself stays short.
    transaction: (fn) => client.$transaction(fn, { maxWait: 10_000, timeout: 15_000 }),
    lock: async (tx, key) => {
      if (target.provider !== 'postgres') return;
      await (tx as unknown as RawTx).$executeRawUnsafe('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', key);
    },
    ping: async () => {
      await client.$queryRawUnsafe('SELECT 1');
    },
    close: () => client.$disconnect(),
  };
}
