import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { MigrationDriver } from './migration-driver';
import { matchesChecksum, readMigrations } from './migration-files';
import { postgresMigrationDriver } from './migration-postgres';
import { sqliteMigrationDriver } from './migration-sqlite';
import type { DbTarget } from './url';

/** The database's migration history disagrees with the migration folders; nothing was applied. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface MigrateOptions {
  target: DbTarget;
  /** prisma/<service>/<provider>/migrations */
  migrationsDir: string;
  logger?: Logger;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies pending Prisma migrations offline, keeping Prisma's `_prisma_migrations` bookkeeping exactly, so that
 * `prisma migrate deploy` on an online machine sees the same history as clean. In name order; refuses to go on
 * past a failed migration or one whose migration.sql changed after it was applied.
 */
export async function migrate({ target, migrationsDir, logger }: MigrateOptions): Promise<MigrateResult> {
  const files = readMigrations(migrationsDir, target.provider);
  const driver: MigrationDriver =
    target.provider === 'postgres' ? await postgresMigrationDriver(target.url) : sqliteMigrationDriver(target.file);
  try {
    await driver.lock();
    try {
      await driver.ensureTable();
      return await applyPending(driver, files, logger);
    } finally {
      await driver.unlock();
    }
  } finally {
    await driver.close();
  }
}

async function applyPending(
  driver: MigrationDriver,
  files: ReturnType<typeof readMigrations>,
  logger: Logger | undefined,
): Promise<MigrateResult> {
  const history = (await driver.applied()).filter((row) => !row.rolledBack);
  const failed = history.filter((row) => !row.finished);
  if (failed.length > 0) {
    const names = failed.map((row) => row.name).join(', ');
    throw new MigrationError(
      `Migration ${names} failed earlier (logs in _prisma_migrations). Fix the database by hand, then mark it ` +
        `rolled back (prisma migrate resolve --rolled-back <name>, or set rolled_back_at) before migrating again.`,
    );
  }
  const byName = new Map(history.map((row) => [row.name, row]));
  for (const file of files) {
    const row = byName.get(file.name);
    if (row && !matchesChecksum(file, row.checksum)) {
      throw new MigrationError(
        `Migration ${file.name} was edited after it was applied (checksum ${row.checksum.slice(0, 12)}… in the ` +
          `database, ${file.checksum.slice(0, 12)}… on disk). Restore the file and add a new migration instead.`,
      );
    }
  }
  const known = new Set(files.map((file) => file.name));
  for (const row of history) {
    if (!known.has(row.name))
      logger?.warn({ migration: row.name }, 'applied migration not found in the migrations folder');
  }

  const applied: string[] = [];
  for (const file of files) {
    if (byName.has(file.name)) continue;
    const id = randomUUID();
    await driver.start({ id, name: file.name, checksum: file.checksum });
    try {
      await driver.run(file.sql);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await driver.fail(id, message);
      throw new MigrationError(`Migration ${file.name} failed: ${message}`);
    }
    await driver.finish(id);
    applied.push(file.name);
    logger?.info({ migration: file.name }, 'migration applied');
  }
  return { applied, alreadyApplied: files.length - applied.length };
}
