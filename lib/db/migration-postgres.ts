import pg from 'pg';
import type { AppliedMigration, MigrationDriver } from './migration-driver';

/** The advisory lock key Prisma's migrate takes on PostgreSQL, so our migrator and Prisma's exclude each other. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

// Prisma's own DDL for the table on PostgreSQL (schema-engine sql-migration-connector).
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** PostgreSQL: each script is sent as one simple query (one implicit transaction) on a dedicated connection. */
export async function postgresMigrationDriver(url: string): Promise<MigrationDriver> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    lock: async () => {
      await client.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
    },
    unlock: async () => {
      await client.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK_KEY})`);
    },
    ensureTable: async () => {
      await client.query(CREATE_TABLE);
    },
    applied: async (): Promise<AppliedMigration[]> => {
      const { rows } = await client.query<{
        id: string;
        migration_name: string;
        checksum: string;
        finished: boolean;
        rolled_back: boolean;
        logs: string | null;
      }>(
        `SELECT id, migration_name, checksum, finished_at IS NOT NULL AS finished,
                rolled_back_at IS NOT NULL AS rolled_back, logs
           FROM _prisma_migrations`,
      );
      return rows.map((r) => ({
        id: r.id,
        name: r.migration_name,
        checksum: r.checksum,
        finished: r.finished,
        rolledBack: r.rolled_back,
        logs: r.logs,
      }));
    },
    start: async ({ id, name, checksum }) => {
      await client.query(
        'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
        [id, checksum, name],
      );
    },
    run: async (sql) => {
      await client.query(sql);
    },
    finish: async (id) => {
      await client.query('UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [
        id,
      ]);
    },
    fail: async (id, logs) => {
      await client.query('UPDATE _prisma_migrations SET logs = $1 WHERE id = $2', [logs, id]);
    },
    close: async () => {
      await client.end();
    },
  };
}
