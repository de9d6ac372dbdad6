import type { Express } from 'express';
import type { FaultConfig } from '../../lib/http/fault-injection';
import { createServiceApp } from '../../lib/http/service-app';
import type { Logger } from '../../lib/logger';
import type { TestCardConfig } from './behaviours';
import type { PaymentDb } from './db';
import { paymentRoutes } from './routes';

export interface PaymentConfig extends TestCardConfig {
  token: string;
  faultRate?: number;
  /** Chaos faults (latency, lost responses, and the rate again); see lib/http/fault-injection.ts. */
  faults?: FaultConfig;
}

/** The payment service as an Express app (no listen): authorize, capture, cancel, refund; a ledger row per movement. */
export function createApp({ db, config, logger }: { db: PaymentDb; config: PaymentConfig; logger: Logger }): Express {
  return createServiceApp({
    name: 'payment',
    token: config.token,
    faultRate: config.faultRate,
    faults: config.faults,
    logger,
    ping: db.ping,
    routes: paymentRoutes(db, config),
  });
}
