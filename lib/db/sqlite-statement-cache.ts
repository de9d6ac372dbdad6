import type { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';

/** A statement with its arguments, as the adapter uses it. */
interface StatementCall {
  readonly reader: boolean;
  columns(): ReturnType<Statement['columns']>;
  run(): unknown;
  raw(): { all(): unknown[] };
}

/**
 * What Prisma's better-sqlite3 adapter (7.x) calls on its client: `prepare(sql).bind(args)` then runs it, or
 * `prepare(sql).run()` for a statement without arguments (BEGIN).
 */
interface AdapterClient {
  prepare(sql: string): StatementCall & { bind(args: unknown[]): StatementCall };
  exec(sql: string): unknown;
  close(): unknown;
}

function call(stmt: Statement<unknown[]>, args: unknown[]): StatementCall {
  return {
    reader: stmt.reader,
    columns: () => stmt.columns(),
    run: () => stmt.run(args),
    raw: () => ({ all: () => stmt.raw(true).all(args) }),
  };
}

/** How many statements a connection keeps compiled: the services' queries have a few dozen shapes. */
export const STATEMENT_CACHE_SIZE = 256;

/**
 * The adapter compiles every query's SQL again (`prepare`), about a tenth of a service's CPU under load. This
 * client keeps the compiled statements, least recently used out first, and binds each query's arguments at the
 * call instead of to the statement, so one statement serves every call. better-sqlite3 runs a statement to its
 * end synchronously, so calls cannot interleave on it; SQLite recompiles a kept statement itself when the schema
 * changes.
 */
export function cachingClient(db: Database, capacity = STATEMENT_CACHE_SIZE): AdapterClient & { compiled(): number } {
  const statements = new Map<string, Statement<unknown[]>>();
  let compiled = 0;
  const statement = (sql: string): Statement<unknown[]> => {
    const kept = statements.get(sql);
    if (kept) {
      statements.delete(sql);
      statements.set(sql, kept);
      return kept;
    }
    const fresh = db.prepare<unknown[]>(sql);
    compiled++;
    statements.set(sql, fresh);
    if (statements.size > capacity) statements.delete(statements.keys().next().value!);
    return fresh;
  };
  return {
    prepare: (sql) => {
      const stmt = statement(sql);
      return { ...call(stmt, []), bind: (args) => call(stmt, args) };
    },
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    compiled: () => compiled,
  };
}

/** The adapter as `connect()` returns it: its client is a plain property (not in its public types). */
interface AdapterWithClient {
  client?: unknown;
}

/** Makes every adapter the factory connects use a `cachingClient` over its better-sqlite3 database. */
export function withStatementCache(factory: PrismaBetterSqlite3, capacity = STATEMENT_CACHE_SIZE): PrismaBetterSqlite3 {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const holder = adapter as unknown as AdapterWithClient;
    const db = holder.client as Database | undefined;
    if (typeof db?.prepare !== 'function' || typeof db.exec !== 'function') {
      throw new Error(
        '@prisma/adapter-better-sqlite3 no longer keeps its client in `client`: see sqlite-statement-cache.ts',
      );
    }
    holder.client = cachingClient(db, capacity);
    return adapter;
  };
  return factory;
}
