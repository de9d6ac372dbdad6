import path from 'node:path';

export type DbProvider = 'sqlite' | 'postgres';

/** Where a service's database lives: a SQLite file (absolute path) or a PostgreSQL connection string. */
export type DbTarget = { provider: 'sqlite'; file: string; url: string } | { provider: 'postgres'; url: string };

/**
 * Picks the database by URL: `postgres://` / `postgresql://` is PostgreSQL; `file:<path>` or a bare path is a
 * SQLite file (relative paths resolve against `cwd`).
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DbTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { provider: 'postgres', url };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new Error(`Unsupported database URL scheme: ${redact(url)}`);
  const raw = url.startsWith('file:') ? url.slice('file:'.length) : url;
  if (raw === '' || raw === ':memory:') {
    throw new Error('SQLite needs a file path (an in-memory database is not shared between connections)');
  }
  const file = path.resolve(cwd, raw);
  return { provider: 'sqlite', file, url: `file:${file}` };
}

/** The URL without its password, for logs and error messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
