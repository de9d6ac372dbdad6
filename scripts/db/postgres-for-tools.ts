import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A PostgreSQL server for the migration tools (the WASM engine replays migrations on a shadow database there):
 * $POSTGRES_ADMIN_URL or $TEST_POSTGRES_URL when set, else a throwaway cluster from scripts/postgres.
 */
export async function withToolPostgres<T>(fn: (adminUrl: string) => Promise<T>): Promise<T> {
  const given = process.env.POSTGRES_ADMIN_URL ?? process.env.TEST_POSTGRES_URL;
  if (given) return fn(given);
  const root = path.resolve(__dirname, '../..');
  const dir = path.join(root, '.data', `tools-postgres-${process.pid}`);
  const script = path.join(root, 'scripts/postgres');
  const url = execFileSync('bash', [script, 'start', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  try {
    return await fn(url);
  } finally {
    execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
