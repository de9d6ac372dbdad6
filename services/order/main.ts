import './tracing';
import { runService, stopOnSignals } from '../../lib/http/run-service';
import { loadServiceEnv } from '../../lib/http/service-env';
import { createLogger } from '../../lib/logger';
import { createApp } from './app';
import { orderMigrations, openOrderDb, type OrderTx } from './db';
import { seedCatalogue } from './seed';

export const ORDER_DEFAULT_PORT = 7103;

async function main(): Promise<void> {
  const env = loadServiceEnv('order', ORDER_DEFAULT_PORT);
  const logger = createLogger({ service: 'order' });
  logger.level = env.logLevel;
  const service = await runService<OrderTx>({
    name: 'order',
    databaseUrl: env.databaseUrl,
    host: env.host,
    port: env.port,
    logger,
    migrationsDir: orderMigrations,
    openDb: (target) => openOrderDb(target),
    seed: (db) => seedCatalogue(db),
    createApp: (db) => createApp({ db, config: { token: env.token, faults: env.faults }, logger }),
  });
  stopOnSignals(service, logger);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`order: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
