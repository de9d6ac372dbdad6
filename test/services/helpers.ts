import type { Express } from 'express';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createPostgresDatabase, dropPostgresDatabase } from '../../lib/db/postgres-admin';
import pino from 'pino';
import { migrate } from '../../lib/db/migrate';
import type { ServiceDb } from '../../lib/db/service-db';
import { parseDatabaseUrl, type DbProvider, type DbTarget } from '../../lib/db/url';
import type { Logger } from '../../lib/logger';
import { listen } from '../../lib/http/listen';

export type Backend = DbProvider;
export const BACKENDS: readonly Backend[] = ['sqlite', 'postgres'];
export const TOKEN = 'test-service-token';
export const silentLogger: Logger = pino({ level: 'silent' });

/** The admin URL of the test PostgreSQL; a clear failure (not a skip) when the tests were not started by scripts/test. */
export function postgresAdminUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) {
    throw new Error(
      'TEST_POSTGRES_URL is not set: the PostgreSQL variants need a server. Run the tests with `bash scripts/test` ' +
        '(it starts a throwaway PostgreSQL), or set TEST_POSTGRES_URL to an admin URL of a server you own.',
    );
  }
  return url;
}

/** A fresh, empty database: a temp SQLite file, or a new database on the test PostgreSQL. */
export async function freshDatabase(
  backend: Backend,
  label: string,
): Promise<{ target: DbTarget; drop(): Promise<void> }> {
  const name = `${label}_${randomUUID().replace(/-/g, '').slice(0, 12)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (backend === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagaflow-'));
    return {
      target: parseDatabaseUrl(`file:${path.join(dir, `${name}.db`)}`),
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const adminUrl = postgresAdminUrl();
  return {
    target: parseDatabaseUrl(await createPostgresDatabase(adminUrl, name)),
    drop: () => dropPostgresDatabase(adminUrl, name),
  };
}

// Test answers are read field by field; their shapes are asserted, not trusted.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface HttpAnswer<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  key?: string;
  token?: string | null;
  headers?: Record<string, string>;
  /** A raw body string (sent as is, with content-type application/json). */
  raw?: string;
}

/** A service under test: a real socket on 127.0.0.1 (port 0), its database, and a raw HTTP helper. */
export interface TestService<Tx> {
  url: string;
  db: ServiceDb<Tx>;
  backend: Backend;
  get<T = Json>(path: string, options?: RequestOptions): Promise<HttpAnswer<T>>;
  post<T = Json>(path: string, body?: unknown, options?: RequestOptions): Promise<HttpAnswer<T>>;
  stop(): Promise<void>;
}

export interface ServiceUnderTest<Tx> {
  label: string;
  migrationsDir(provider: DbProvider): string;
  open(target: DbTarget, options?: { poolSize?: number }): ServiceDb<Tx>;
  seed?(db: ServiceDb<Tx>): Promise<void>;
  app(db: ServiceDb<Tx>): Express;
}

/** Migrates a fresh database (with the project's migrator), seeds it, and serves the app on an ephemeral port. */
export async function startService<Tx>(backend: Backend, service: ServiceUnderTest<Tx>): Promise<TestService<Tx>> {
  const database = await freshDatabase(backend, `test_${service.label}`);
  await migrate({ target: database.target, migrationsDir: service.migrationsDir(backend) });
  const db = service.open(database.target, { poolSize: 20 });
  await service.seed?.(db);
  const server = await listen(service.app(db), 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const send = async (method: string, path: string, body: unknown, options: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
    if (options.key) headers['idempotency-key'] = options.key;
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${url}${path}`, { method, headers, body: payload });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  };

  return {
    url,
    db,
    backend,
    get: (p, options) => send('GET', p, undefined, options),
    post: (p, body, options) => send('POST', p, body ?? {}, options),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
      await database.drop();
    },
  };
}

let keys = 0;
/** A unique Idempotency-Key. */
export const newKey = (prefix = 'key') => `${prefix}-${process.pid}-${++keys}-${randomUUID().slice(0, 8)}`;

/** A unique order id. */
export const newOrderId = (prefix = 'order') => `${prefix}-${randomUUID().slice(0, 12)}`;
