import { ApplicationFailure } from '@temporalio/workflow';
import { CIRCUIT_OPEN } from './circuit-open';
import type { CircuitOpenDetails } from './circuit-open';
import { activityCause } from './failures';

/** Waits longer than this are capped: the saga looks again at least this often. */
export const MAX_CIRCUIT_WAIT_MS = 60_000;

/** The open circuit an activity failed on (it was not called), or undefined for any other failure. */
export function circuitOpen(err: unknown): CircuitOpenDetails | undefined {
  const cause = activityCause(err);
  if (!(cause instanceof ApplicationFailure) || cause.type !== CIRCUIT_OPEN) return undefined;
  const details = cause.details?.[0] as Partial<CircuitOpenDetails> | undefined;
  const retryAfterMs = Math.min(Math.max(Number(details?.retryAfterMs) || 1_000, 100), MAX_CIRCUIT_WAIT_MS);
  return { service: String(details?.service ?? 'service'), retryAfterMs };
}
