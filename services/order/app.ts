import type { Express } from 'express';
import type { Logger } from '../../lib/logger';
import type { FaultConfig } from '../../lib/http/fault-injection';
import { createServiceApp } from '../../lib/http/service-app';
import type { OrderDb } from './db';
import { orderRoutes } from './routes';

export interface OrderConfig {
  token: string;
  faultRate?: number;
  /** Chaos faults (latency, lost responses, and the rate again); see lib/http/fault-injection.ts. */
  faults?: FaultConfig;
}

/** The order service as an Express app (no listen): orders priced from its own catalogue, a status state machine. */
export function createApp({ db, config, logger }: { db: OrderDb; config: OrderConfig; logger: Logger }): Express {
  return createServiceApp({
    name: 'order',
    token: config.token,
    faultRate: config.faultRate,
    faults: config.faults,
    logger,
    ping: db.ping,
    routes: orderRoutes(db),
  });
}
