/**
 * The failure type of an activity whose service's circuit breaker is open (lib/http/circuit-breaker.ts): nothing
 * was sent to the service. Workflows import this module, so it holds only constants and types.
 */
export const CIRCUIT_OPEN = 'CIRCUIT_OPEN';

/** The failure's details: which service, and how long until the breaker lets a probe through. */
export interface CircuitOpenDetails {
  service: string;
  retryAfterMs: number;
}
