import { setTimeout as sleep } from 'node:timers/promises';
import { conflict, serviceUnavailable } from '../../lib/http/errors';
import type { PaymentDb } from './db';
import type { AuthorizeInput } from './schemas';

export interface TestCardConfig {
  /** tok_slow: delay before approving (PAYMENT_SLOW_MS, default 3000). */
  slowMs: number;
  /** tok_flaky: attempts per order answered 503 before approving (PAYMENT_FLAKY_FAILURES, default 2). */
  flakyFailures: number;
}

/** Before the transaction (only for a new Idempotency-Key): tok_slow waits, tok_flaky fails transiently. */
export async function beforeAuthorize(db: PaymentDb, config: TestCardConfig, input: AuthorizeInput): Promise<void> {
  if (input.paymentMethod === 'tok_slow') await sleep(config.slowMs);
  if (input.paymentMethod === 'tok_flaky') {
    const { attempts } = await db.client.flakyAttempt.upsert({
      where: { orderId: input.orderId },
      create: { orderId: input.orderId, attempts: 1 },
      update: { attempts: { increment: 1 } },
    });
    if (attempts <= config.flakyFailures) {
      // Caused by this request's own payment method, not by the service's health: a caller's circuit breaker shared
      // by every tenant must not count it (lib/http/circuit-breaker.ts).
      throw serviceUnavailable(`tok_flaky: transient failure ${attempts} of ${config.flakyFailures}`, {
        attempt: attempts,
        failures: config.flakyFailures,
        causedByRequest: true,
      });
    }
  }
}

/** The issuer's answer: declines are business conflicts, stored as the key's answer. */
export function issuerDecision(input: AuthorizeInput): void {
  if (input.paymentMethod === 'tok_declined') {
    throw conflict('PAYMENT_DECLINED', 'The card was declined', { orderId: input.orderId });
  }
  if (input.paymentMethod === 'tok_insufficient_funds') {
    throw conflict('INSUFFICIENT_FUNDS', 'Insufficient funds', {
      orderId: input.orderId,
      amountMinor: input.amountMinor,
    });
  }
}
