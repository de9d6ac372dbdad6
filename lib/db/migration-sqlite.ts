import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { AppliedMigration, MigrationDriver } from './migration-driver';

// Prisma's own DDL for the table on SQLite (schema-engine sql-migration-connector).
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

interface Row {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
  logs: string | null;
}

/**
 * SQLite: scripts are `exec`uted as they are, not wrapped in another transaction (Prisma's table-rebuild
 * migrations toggle `PRAGMA foreign_keys`, which is a no-op inside a transaction). Timestamps are stored as
 * Unix milliseconds, as Prisma's engine writes them.
 */
export function sqliteMigrationDriver(file: string): MigrationDriver {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  return {
    lock: async () => undefined,
    unlock: async () => undefined,
    ensureTable: async () => {
      db.exec(CREATE_TABLE);
    },
    applied: async (): Promise<AppliedMigration[]> => {
      const rows = db
        .prepare('SELECT id, migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations')
        .all() as Row[];
      return rows.map((r) => ({
        id: r.id,
        name: r.migration_name,
        checksum: r.checksum,
        finished: r.finished_at !== null,
        rolledBack: r.rolled_back_at !== null,
        logs: r.logs,
      }));
    },
    start: async ({ id, name, checksum }) => {
      db.prepare(
        'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)',
      ).run(id, checksum, name, Date.now());
    },
    run: async (sql) => {
      db.exec(sql);
    },
    finish: async (id) => {
      db.prepare('UPDATE _prisma_migrations SET finished_at = ?, applied_steps_count = 1 WHERE id = ?').run(
        Date.now(),
        id,
      );
    },
    fail: async (id, logs) => {
      db.prepare('UPDATE _prisma_migrations SET logs = ? WHERE id = ?').run(logs, id);
    },
    close: async () => {
      db.close();
    },
  };
}
