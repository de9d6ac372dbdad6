import type { RequestHandler } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { serviceUnavailable } from './errors';

/** Faults a service injects into its own mutating requests (chaos tests); everything off by default. */
export interface FaultConfig {
  /** Share (0..1) of mutating requests answered 503 before any effect: <NAME>_FAULT_RATE. */
  rate?: number;
  /** Each mutating request waits a uniformly random 0..latencyMs ms before it is handled: <NAME>_FAULT_LATENCY_MS. */
  latencyMs?: number;
  /**
   * Share (0..1) of mutating requests whose effect is applied (and its answer stored with the Idempotency-Key) but
   * whose success answer is replaced by a 503, as when a response is lost: <NAME>_FAULT_LOST_RESPONSE_RATE.
   */
  lostResponseRate?: number;
}

/**
 * Chaos: delays mutating requests by up to `latencyMs`, answers a share `rate` of them with 503 before any effect,
 * and a share `lostResponseRate` with 503 after the effect, so callers' retries and the services' idempotency are
 * exercised. Reads (GET) pass untouched. A bare number is the `rate` alone.
 */
export function faultInjection(faults: FaultConfig | number, random: () => number = Math.random): RequestHandler {
  const { rate = 0, latencyMs = 0, lostResponseRate = 0 } = typeof faults === 'number' ? { rate: faults } : faults;
  return async (req, res, next) => {
    if (req.method === 'GET') return next();
    if (latencyMs > 0) await sleep(Math.floor(random() * (latencyMs + 1)));
    if (rate > 0 && random() < rate) {
      throw serviceUnavailable('Injected fault (fault rate)', { injected: true });
    }
    if (lostResponseRate > 0 && random() < lostResponseRate) {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        if (res.statusCode >= 300) return json(body);
        res.status(503);
        return json(
          serviceUnavailable('Injected fault (response lost after the effect)', {
            injected: true,
            afterEffect: true,
          }).toBody(),
        );
      };
    }
    next();
  };
}
