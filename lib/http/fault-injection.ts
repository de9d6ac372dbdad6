import type { RequestHandler } from 'express';
import { serviceUnavailable } from './errors';

/**
 * Chaos: answers a share `rate` (0..1) of mutating requests with 503 before any effect, so callers' retries are
 * exercised. Off (0) by default; set per service by INVENTORY_/PAYMENT_/ORDER_FAULT_RATE.
 */
export function faultInjection(rate: number, random: () => number = Math.random): RequestHandler {
  return (req, _res, next) => {
    if (rate > 0 && req.method !== 'GET' && random() < rate) {
      throw serviceUnavailable('Injected fault (fault rate)', { injected: true });
    }
    next();
  };
}
