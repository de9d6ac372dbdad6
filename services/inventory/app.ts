import type { Express } from 'express';
import type { Logger } from '../../lib/logger';
import type { FaultConfig } from '../../lib/http/fault-injection';
import { createServiceApp } from '../../lib/http/service-app';
import type { InventoryDb } from './db';
import { inventoryRoutes } from './routes';

export interface InventoryConfig {
  token: string;
  faultRate?: number;
  /** Chaos faults (latency, lost responses, and the rate again); see lib/http/fault-injection.ts. */
  faults?: FaultConfig;
}

/** The inventory service as an Express app (no listen): products with stock, reservations per order. */
export function createApp({
  db,
  config,
  logger,
}: {
  db: InventoryDb;
  config: InventoryConfig;
  logger: Logger;
}): Express {
  return createServiceApp({
    name: 'inventory',
    token: config.token,
    faultRate: config.faultRate,
    faults: config.faults,
    logger,
    ping: db.ping,
    routes: inventoryRoutes(db),
  });
}
