import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import type { ServiceDb } from '../db/service-db';
import { canonicalJson } from './canonical-json';
import { HttpError } from './errors';
import { parseInput } from './validate';

/** What a mutating request answered: replayed as is for the same Idempotency-Key. */
export interface Outcome {
  status: number;
  body: unknown;
}

export interface IdempotencyRow {
  key: string;
  requestHash: string;
  status: number;
  body: string;
}

/** The Prisma calls the idempotency store makes (every service schema has the same idempotency_keys model). */
export interface IdempotencyTx {
  idempotencyKey: {
    findUnique(args: { where: { key: string } }): PromiseLike<IdempotencyRow | null>;
    create(args: { data: IdempotencyRow }): PromiseLike<unknown>;
    update(args: { where: { key: string }; data: { status: number; body: string } }): PromiseLike<unknown>;
  };
}

export interface IdempotentRequest {
  key: string;
  /** SHA-256 of method, path and canonical body. */
  hash: string;
}

const keySchema = z
  .string({ error: 'Idempotency-Key header is required' })
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** Reads the Idempotency-Key header (required: 400 without it) and fingerprints the request. */
export function idempotentRequest(req: Request): IdempotentRequest {
  const key = parseInput(keySchema, req.get('idempotency-key'), 'headers.idempotency-key');
  const hash = createHash('sha256')
    .update(`${req.method} ${req.baseUrl}${req.path}\n${canonicalJson(req.body ?? null)}`)
    .digest('hex');
  return { key, hash };
}

export type Replay = Outcome & { replayed: true };

function replay(row: IdempotencyRow, request: IdempotentRequest): Replay {
  if (row.requestHash !== request.hash) {
    throw new HttpError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request', {
      key: request.key,
    });
  }
  return { status: row.status, body: JSON.parse(row.body) as unknown, replayed: true };
}

/** A unique-constraint violation (Prisma P2002), e.g. a concurrent request with the same key committed first. */
function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'P2002';
}

/** The stored answer for this key, if any (422 when it was for another request). */
export async function findReplay<Tx extends IdempotencyTx>(
  db: ServiceDb<Tx>,
  request: IdempotentRequest,
): Promise<Replay | undefined> {
  const row = await db.client.idempotencyKey.findUnique({ where: { key: request.key } });
  return row ? replay(row, request) : undefined;
}

/**
 * Runs `effect` at most once per Idempotency-Key. The key is inserted first in the same transaction as the effect
 * (a concurrent duplicate blocks on the unique key, then replays the committed answer). A 409 business conflict
 * rolls the effect back and is stored as the answer of the key too; other errors (400, 404, 5xx) are not stored,
 * so a retry with the same key tries again. `lookedUp`: the first attempt goes straight to the transaction, because
 * the caller has just found no answer for the key or lets the insert find it: a key already stored fails the insert
 * (unique), and the next attempt replays its answer.
 */
export async function runIdempotent<Tx extends IdempotencyTx>(
  db: ServiceDb<Tx>,
  request: IdempotentRequest,
  effect: (tx: Tx) => Promise<Outcome>,
  { lookedUp = false }: { lookedUp?: boolean } = {},
): Promise<Outcome & { replayed: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const stored = attempt === 0 && lookedUp ? undefined : await findReplay(db, request);
    if (stored) return stored;
    try {
      const outcome = await db.transaction(async (tx) => {
        await tx.idempotencyKey.create({ data: { key: request.key, requestHash: request.hash, status: 0, body: '' } });
        const result = await effect(tx);
        await tx.idempotencyKey.update({
          where: { key: request.key },
          data: { status: result.status, body: JSON.stringify(result.body) },
        });
        return result;
      });
      return { ...outcome, replayed: false };
    } catch (error) {
      if (error instanceof HttpError && error.status === 409) {
        const outcome: Outcome = { status: 409, body: error.toBody() };
        try {
          await db.client.idempotencyKey.create({
            data: { key: request.key, requestHash: request.hash, ...outcome, body: JSON.stringify(outcome.body) },
          });
          return { ...outcome, replayed: false };
        } catch (storeError) {
          if (!isUniqueViolation(storeError) || attempt > 0) throw storeError;
          continue;
        }
      }
      // Lost a race: the same key (replay next turn) or the same entity (the effect now sees it) committed first.
      if (isUniqueViolation(error) && attempt < 2) continue;
      throw error;
    }
  }
}
