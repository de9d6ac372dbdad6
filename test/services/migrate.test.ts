import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { migrate, MigrationError } from '../../lib/db/migrate';
import type { DbTarget } from '../../lib/db/url';
import { DB_PROVIDERS, migrationsDir, schemaFile } from '../../prisma/layout';
import { checkMigrations } from '../../scripts/db/migration-drift';
import { diffSql } from '../../scripts/db/schema-engine';
import { BACKENDS, freshDatabase, postgresAdminUrl, type Backend } from './helpers';

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished: boolean;
  rolled_back: boolean;
  logs: string | null;
  applied_steps_count: number;
}

async function history(target: DbTarget): Promise<MigrationRow[]> {
  const sql = `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back,
                      logs, applied_steps_count FROM _prisma_migrations ORDER BY started_at, migration_name`;
  if (target.provider === 'sqlite') {
    const db = new Database(target.file);
    try {
      return (db.prepare(sql).all() as MigrationRow[]).map((r) => ({
        ...r,
        finished: !!r.finished,
        rolled_back: !!r.rolled_back,
      }));
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    return (await client.query<MigrationRow>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function exec(target: DbTarget, sql: string): Promise<void> {
  if (target.provider === 'sqlite') {
    const db = new Database(target.file);
    db.exec(sql);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  await client.query(sql);
  await client.end();
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

const INIT = '20261123000000_init';

/**
 * A scratch folder holding one service's lock file and first migration only, to edit freely: these tests are about
 * the migrator, so the service's later migrations must not change what they expect.
 */
function copyMigrations(backend: Backend): string {
  const source = migrationsDir('inventory', backend);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  fs.copyFileSync(path.join(source, 'migration_lock.toml'), path.join(dir, 'migration_lock.toml'));
  fs.cpSync(path.join(source, INIT), path.join(dir, INIT), { recursive: true });
  return dir;
}

function addMigration(dir: string, name: string, sql: string): string {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  return path.join(dir, name, 'migration.sql');
}

for (const backend of BACKENDS) {
  describe(`migrator (${backend})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    const fresh = async () => {
      const db = await freshDatabase(backend, 'migrate');
      cleanups.push(db.drop);
      return db.target;
    };
    after(async () => {
      for (const cleanup of cleanups) await cleanup();
    });

    it("applies each migration once, recording Prisma's _prisma_migrations rows", async () => {
      const target = await fresh();
      const dir = copyMigrations(backend);
      const first = await migrate({ target, migrationsDir: dir });
      assert.deepEqual(first, { applied: ['20261123000000_init'], alreadyApplied: 0 });
      const rows = await history(target);
      assert.equal(rows.length, 1);
      assert.deepEqual(rows[0], {
        migration_name: '20261123000000_init',
        checksum: sha256(path.join(dir, INIT, 'migration.sql')),
        finished: true,
        rolled_back: false,
        logs: null,
        applied_steps_count: 1,
      });
      const second = await migrate({ target, migrationsDir: dir });
      assert.deepEqual(second, { applied: [], alreadyApplied: 1 });
      assert.equal((await history(target)).length, 1);
    });

    it('applies new migrations in name order after the applied ones', async () => {
      const target = await fresh();
      const dir = copyMigrations(backend);
      await migrate({ target, migrationsDir: dir });
      addMigration(dir, '20261201000000_b', 'CREATE TABLE "b_table" ("id" INTEGER NOT NULL PRIMARY KEY);');
      addMigration(dir, '20261130000000_a', 'CREATE TABLE "a_table" ("id" INTEGER NOT NULL PRIMARY KEY);');
      const result = await migrate({ target, migrationsDir: dir });
      assert.deepEqual(result.applied, ['20261130000000_a', '20261201000000_b']);
      await exec(target, 'INSERT INTO "a_table" ("id") VALUES (1); INSERT INTO "b_table" ("id") VALUES (1);');
    });

    it('refuses a migration edited after it was applied (a line-ending change is not an edit)', async () => {
      const target = await fresh();
      const dir = copyMigrations(backend);
      await migrate({ target, migrationsDir: dir });
      const file = path.join(dir, INIT, 'migration.sql');
      const original = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, original.replace(/\n/g, '\r\n'));
      assert.deepEqual((await migrate({ target, migrationsDir: dir })).applied, []);
      fs.writeFileSync(file, `${original}\n-- sneaky edit\n`);
      addMigration(dir, '20261201000000_next', 'CREATE TABLE "never" ("id" INTEGER);');
      await assert.rejects(migrate({ target, migrationsDir: dir }), (error: unknown) => {
        assert.ok(error instanceof MigrationError);
        assert.match(error.message, /20261123000000_init was edited after it was applied/);
        return true;
      });
      assert.equal((await history(target)).length, 1, 'nothing past the edited migration was applied');
    });

    it('records a failed migration and refuses to go on until it is marked rolled back', async () => {
      const target = await fresh();
      const dir = copyMigrations(backend);
      await migrate({ target, migrationsDir: dir });
      const file = addMigration(
        dir,
        '20261201000000_broken',
        'CREATE TABLE "half" ("id" INTEGER);\nSELECT * FROM "no_such_table";',
      );
      await assert.rejects(migrate({ target, migrationsDir: dir }), /Migration 20261201000000_broken failed/);
      const failed = (await history(target)).find((r) => r.migration_name === '20261201000000_broken');
      assert.ok(failed);
      assert.equal(failed.finished, false);
      assert.match(failed.logs ?? '', /no_such_table/);

      fs.writeFileSync(file, 'CREATE TABLE "whole" ("id" INTEGER);');
      await assert.rejects(migrate({ target, migrationsDir: dir }), /failed earlier/);
      // What `prisma migrate resolve --rolled-back` does, after fixing the database by hand:
      await exec(
        target,
        `DROP TABLE IF EXISTS "half"; UPDATE _prisma_migrations SET rolled_back_at = CURRENT_TIMESTAMP WHERE finished_at IS NULL;`,
      );
      assert.deepEqual((await migrate({ target, migrationsDir: dir })).applied, ['20261201000000_broken']);
      await exec(target, 'INSERT INTO "whole" ("id") VALUES (1);');
    });

    it('refuses migrations of the other provider', async () => {
      const target = await fresh();
      const other = DB_PROVIDERS.find((p) => p !== backend)!;
      await assert.rejects(
        migrate({ target, migrationsDir: migrationsDir('inventory', other) }),
        /migration_lock.toml is for provider/,
      );
    });

    it('detects a schema change that has no migration (WASM schema engine diff)', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-'));
      const changed = path.join(dir, 'schema.prisma');
      fs.writeFileSync(
        changed,
        fs
          .readFileSync(schemaFile('inventory', backend), 'utf8')
          .replace(
            '  committed  Int      @default(0)',
            '  committed  Int      @default(0)\n  damaged    Int      @default(0)',
          ),
      );
      const postgresUrl = backend === 'postgres' ? postgresAdminUrl() : undefined;
      const unchanged = await diffSql({
        provider: backend,
        from: { migrationsDir: migrationsDir('inventory', backend) },
        to: { schemaFile: schemaFile('inventory', backend) },
        postgresUrl,
      });
      assert.equal(unchanged, '');
      const missing = await diffSql({
        provider: backend,
        from: { migrationsDir: migrationsDir('inventory', backend) },
        to: { schemaFile: changed },
        postgresUrl,
      });
      assert.match(missing, /"damaged" INTEGER NOT NULL DEFAULT 0/);
    });
  });
}

describe('migrations (PostgreSQL-only checks)', () => {
  let adminUrl: string;
  before(() => {
    adminUrl = postgresAdminUrl();
  });

  it('concurrent migrators take the advisory lock: one applies, the others find it done', async () => {
    const db = await freshDatabase('postgres', 'migrate_lock');
    try {
      const dir = migrationsDir('order', 'postgres');
      const count = fs.readdirSync(dir).filter((name) => fs.statSync(path.join(dir, name)).isDirectory()).length;
      const results = await Promise.all(
        Array.from({ length: 4 }, () => migrate({ target: db.target, migrationsDir: dir })),
      );
      assert.equal(results.filter((r) => r.applied.length === count).length, 1);
      assert.equal(results.filter((r) => r.alreadyApplied === count).length, 3);
      assert.equal((await history(db.target)).length, count);
    } finally {
      await db.drop();
    }
  });

  it('CI check: every service schema has its migrations, and SQLite/PostgreSQL schemas agree', async () => {
    assert.deepEqual(await checkMigrations(adminUrl), []);
  });
});
