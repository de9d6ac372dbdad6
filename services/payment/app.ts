import type { Express } from 'express';
import { createServiceApp } from '../../lib/http/service-app';
import type { Logger } from '../../lib/logger';
import type { TestCardConfig } from './behaviours';
import type { PaymentDb } from './db';
import { paymentRoutes } from './routes';

export interface PaymentConfig extends TestCardConfig {
  token: string;
  faultRate?: number;
}

/** The payment service as an Express app (no listen): authorize, capture, cancel, refund; a ledger row per movement. */
export function createApp({ db, config, logger }: { db: PaymentDb; config: PaymentConfig; logger: Logger }): Express {
  return createServiceApp({
    name: 'payment',
    token: config.token,
    faultRate: config.faultRate,
    logger,
    ping: db.ping,
    routes: paymentRoutes(db, config),
  });
}
