/** A row of Prisma's `_prisma_migrations` table, as the migrator needs it. */
export interface AppliedMigration {
  id: string;
  name: string;
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
  logs: string | null;
}

/**
 * The database side of the migrator: Prisma's `_prisma_migrations` bookkeeping plus running a script.
 * One implementation per provider (migration-sqlite.ts, migration-postgres.ts).
 */
export interface MigrationDriver {
  /** Serializes migrators on the same database (Prisma's advisory lock on PostgreSQL). */
  lock(): Promise<void>;
  unlock(): Promise<void>;
  ensureTable(): Promise<void>;
  applied(): Promise<AppliedMigration[]>;
  /** Inserts the row of a migration about to run (finished_at NULL), like Prisma does. */
  start(row: { id: string; name: string; checksum: string }): Promise<void>;
  /** Runs one migration script as a whole. */
  run(sql: string): Promise<void>;
  finish(id: string): Promise<void>;
  fail(id: string, logs: string): Promise<void>;
  close(): Promise<void>;
}
