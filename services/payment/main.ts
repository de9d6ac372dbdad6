import './tracing';
import { z } from 'zod';
import { parseEnv } from '../../lib/env';
import { runService, stopOnSignals } from '../../lib/http/run-service';
import { loadServiceEnv } from '../../lib/http/service-env';
import { createLogger } from '../../lib/logger';
import { createApp } from './app';
import { openPaymentDb, paymentMigrations, type PaymentTx } from './db';

export const PAYMENT_DEFAULT_PORT = 7102;

const testCardEnv = z.object({
  PAYMENT_SLOW_MS: z.coerce.number().int().min(0).max(600_000).default(3_000),
  PAYMENT_FLAKY_FAILURES: z.coerce.number().int().min(0).max(100).default(2),
});

async function main(): Promise<void> {
  const env = loadServiceEnv('payment', PAYMENT_DEFAULT_PORT);
  const cards = parseEnv(testCardEnv);
  const logger = createLogger({ service: 'payment' });
  logger.level = env.logLevel;
  const config = {
    token: env.token,
    faults: env.faults,
    slowMs: cards.PAYMENT_SLOW_MS,
    flakyFailures: cards.PAYMENT_FLAKY_FAILURES,
  };
  const service = await runService<PaymentTx>({
    name: 'payment',
    databaseUrl: env.databaseUrl,
    host: env.host,
    port: env.port,
    logger,
    migrationsDir: paymentMigrations,
    openDb: (target) => openPaymentDb(target),
    createApp: (db) => createApp({ db, config, logger }),
  });
  stopOnSignals(service, logger);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`payment: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
