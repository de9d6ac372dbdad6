import type { Express } from 'express';
import type { Server } from 'node:http';
import type { DbProvider, DbTarget } from '../db/url';
import { migrate } from '../db/migrate';
import type { ServiceDb } from '../db/service-db';
import { parseDatabaseUrl, redact } from '../db/url';
import type { Logger } from '../logger';
import { listen } from './listen';
import { activeTracing } from '../telemetry/tracing';

export interface RunServiceOptions<Tx> {
  name: string;
  databaseUrl: string;
  host: string;
  port: number;
  logger: Logger;
  migrationsDir: (provider: DbProvider) => string;
  openDb: (target: DbTarget) => ServiceDb<Tx>;
  seed?: (db: ServiceDb<Tx>) => Promise<void>;
  createApp: (db: ServiceDb<Tx>) => Express;
}

export interface RunningService {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Migrates, seeds, listens; stops gracefully (in-flight requests finish, then the database closes). */
export async function runService<Tx>(options: RunServiceOptions<Tx>): Promise<RunningService> {
  const { name, logger } = options;
  const target = parseDatabaseUrl(options.databaseUrl);
  logger.info({ provider: target.provider, database: redact(options.databaseUrl) }, 'migrating');
  const { applied } = await migrate({ target, migrationsDir: options.migrationsDir(target.provider), logger });
  const db = options.openDb(target);
  await options.seed?.(db);
  const app = options.createApp(db);
  const server = await listen(app, options.port, options.host);
  const address = server.address();
  const url = `http://${options.host}:${typeof address === 'object' && address ? address.port : options.port}`;
  logger.info({ url, migrationsApplied: applied.length }, `${name} service listening`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('stopping');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(deadline);
      await db.close();
      logger.info('stopped');
    })());
  return { server, url, stop };
}

/** For main.ts: run until SIGTERM/SIGINT, then stop gracefully and exit. */
export function stopOnSignals(service: RunningService, logger: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'signal received');
    service
      .stop()
      .then(() => activeTracing()?.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'unclean stop');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
