import './tracing';
import { runService, stopOnSignals } from '../../lib/http/run-service';
import { loadServiceEnv } from '../../lib/http/service-env';
import { createLogger } from '../../lib/logger';
import { createApp } from './app';
import { inventoryMigrations, openInventoryDb, type InventoryTx } from './db';
import { seedInventory } from './seed';

export const INVENTORY_DEFAULT_PORT = 7101;

async function main(): Promise<void> {
  const env = loadServiceEnv('inventory', INVENTORY_DEFAULT_PORT);
  const logger = createLogger({ service: 'inventory' });
  logger.level = env.logLevel;
  const service = await runService<InventoryTx>({
    name: 'inventory',
    databaseUrl: env.databaseUrl,
    host: env.host,
    port: env.port,
    logger,
    migrationsDir: inventoryMigrations,
    openDb: (target) => openInventoryDb(target),
    seed: (db) => seedInventory(db),
    createApp: (db) => createApp({ db, config: { token: env.token, faults: env.faults }, logger }),
  });
  stopOnSignals(service, logger);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`inventory: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
