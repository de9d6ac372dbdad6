import type { Request, RequestHandler } from 'express';
import type { ServiceDb } from '../db/service-db';
import { findReplay, idempotentRequest, runIdempotent, type IdempotencyTx, type Outcome } from './idempotency';

export interface MutationOptions<Tx extends IdempotencyTx, I> {
  db: ServiceDb<Tx>;
  /** Validates params and body (throws 400). Runs before the key is looked at. */
  input: (req: Request) => I;
  /** Runs only for a new key, before the transaction (e.g. a test card's delay or transient failure). */
  before?: (input: I, req: Request) => Promise<void>;
  /** The effect, in the transaction that also stores the key and its answer. */
  effect: (tx: Tx, input: I, req: Request) => Promise<Outcome>;
  /** The entity the effect reads then writes: effects on the same one never interleave (`ServiceDb.lock`). */
  lock?: (input: I) => string;
}

/** A mutating route: validated input, required Idempotency-Key, effect and answer stored once, replays. */
export function mutation<Tx extends IdempotencyTx, I>(options: MutationOptions<Tx, I>): RequestHandler {
  return async (req, res) => {
    const input = options.input(req);
    const request = idempotentRequest(req);
    let outcome: Outcome & { replayed: boolean };
    // Inserting the key is the lookup: a key stored before fails the insert and runIdempotent replays its answer,
    // so a new request (nearly all of them) makes one statement less. A route with `before` looks first, because
    // `before` runs for new keys only.
    const stored = options.before ? await findReplay(options.db, request) : undefined;
    if (stored) {
      outcome = stored;
    } else {
      await options.before?.(input, req);
      const { db, lock, effect } = options;
      outcome = await runIdempotent(
        db,
        request,
        async (tx) => {
          if (lock) await db.lock(tx, lock(input));
          return effect(tx, input, req);
        },
        { lookedUp: true },
      );
    }
    if (outcome.replayed) res.set('Idempotent-Replayed', 'true');
    res.status(outcome.status).json(outcome.body);
  };
}
