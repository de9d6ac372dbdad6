import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DbProvider } from './url';

/** One migration folder of Prisma's format: <dir>/<timestamp>_<name>/migration.sql. */
export interface MigrationFile {
  name: string;
  sql: string;
  /** SHA-256 (hex) of migration.sql as stored, like Prisma's `_prisma_migrations.checksum`. */
  checksum: string;
}

export function checksumOf(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * True when `checksum` is the file's checksum. Like Prisma, a checkout that only changed line endings
 * (CRLF vs LF) is not an edit.
 */
export function matchesChecksum(file: MigrationFile, checksum: string): boolean {
  if (file.checksum === checksum) return true;
  const lf = file.sql.replace(/\r\n/g, '\n');
  return checksumOf(lf) === checksum || checksumOf(lf.replace(/\n/g, '\r\n')) === checksum;
}

const PRISMA_PROVIDER: Record<DbProvider, string> = { sqlite: 'sqlite', postgres: 'postgresql' };

/** Reads the migrations in name order and checks migration_lock.toml names the expected provider. */
export function readMigrations(dir: string, provider: DbProvider): MigrationFile[] {
  if (!fs.existsSync(dir)) throw new Error(`No migrations directory at ${dir}`);
  const lockFile = path.join(dir, 'migration_lock.toml');
  if (fs.existsSync(lockFile)) {
    const locked = /^\s*provider\s*=\s*"([^"]+)"/m.exec(fs.readFileSync(lockFile, 'utf8'))?.[1];
    if (locked !== PRISMA_PROVIDER[provider]) {
      throw new Error(`${lockFile} is for provider "${locked}", not "${PRISMA_PROVIDER[provider]}"`);
    }
  }
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      if (!fs.existsSync(file)) throw new Error(`Migration ${name} has no migration.sql`);
      const bytes = fs.readFileSync(file);
      return { name, sql: bytes.toString('utf8'), checksum: checksumOf(bytes) };
    });
}
