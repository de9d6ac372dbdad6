import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ManagedProcess } from '../stack/managed-process';
import type { ProcessEvent } from '../stack/managed-process';

// The cluster's PostgreSQL (Debian's, installed by scripts/postgres when missing), run in the foreground as a
// process the harness can stop and start again. Like compose's postgres image: the superuser is `temporal` with a
// password, and clients authenticate with passwords over TCP (scram-sha-256).

const root = path.resolve(__dirname, '..', '..');
export const POSTGRES_SUPERUSER = 'temporal';

export interface PostgresOptions {
  dir: string;
  port: number;
  password: string;
  /** fsync and full-page writes off: only for throwaway test clusters. */
  unsafeFast?: boolean;
  events: ProcessEvent[];
}

const isRoot = () => process.getuid?.() === 0;

function binDir(): string {
  return execFileSync('bash', [path.join(root, 'scripts', 'postgres'), 'bindir'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** initdb refuses to run as root: the server's files belong to the postgres user then. */
function asOwner(command: string, args: string[]): { command: string; args: string[] } {
  return isRoot() ? { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] } : { command, args };
}

function ensureOwner(target: string): void {
  if (!isRoot()) return;
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', 'postgres']);
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(target, uid, -1);
}

/** The postgres user must reach its directory: every ancestor gets search permission (x) for others if it lacks it. */
function ensureTraversable(target: string): void {
  if (!isRoot()) return;
  for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const { mode } = statSync(dir);
    if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
  }
}

/** Creates the data directory once (superuser `temporal` with the given password); true when it was new. */
export function initPostgres(options: Pick<PostgresOptions, 'dir' | 'password'>): boolean {
  const data = path.join(options.dir, 'data');
  if (existsSync(path.join(data, 'PG_VERSION'))) return false;
  mkdirSync(data, { recursive: true });
  ensureTraversable(options.dir);
  ensureOwner(options.dir);
  ensureOwner(data);
  const pwfile = path.join(options.dir, 'pwfile');
  writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
  ensureOwner(pwfile);
  const initdb = asOwner(path.join(binDir(), 'initdb'), [
    '-D',
    data,
    '-U',
    POSTGRES_SUPERUSER,
    '--pwfile',
    pwfile,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--no-sync',
  ]);
  execFileSync(initdb.command, initdb.args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return true;
}

export function postgresProcess(options: PostgresOptions): ManagedProcess {
  const bin = binDir();
  const data = path.join(options.dir, 'data');
  const settings = [
    'listen_addresses=127.0.0.1',
    // Two Temporal nodes (four services each, with their pools) and six service replicas.
    'max_connections=600',
    ...(options.unsafeFast ? ['fsync=off', 'full_page_writes=off', 'synchronous_commit=off'] : []),
  ];
  const server = asOwner(path.join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(options.port),
    '-k',
    options.dir,
    ...settings.flatMap((setting) => ['-c', setting]),
  ]);
  return new ManagedProcess(
    {
      name: 'postgres',
      ...server,
      logFile: path.join(options.dir, 'postgres.log'),
      ready: async () => {
        try {
          execFileSync(path.join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(options.port)]);
          return true;
        } catch {
          return false;
        }
      },
      readyTimeoutMs: 60_000,
      stopSignal: 'SIGINT',
    },
    options.events,
  );
}
