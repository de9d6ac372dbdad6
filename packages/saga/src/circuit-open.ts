/**
 * The failure type of an activity whose service's circuit breaker is open (e.g. lib/http/circuit-breaker.ts): nothing
 * was sent to the service. The engine then waits for the circuit instead of spending the step's attempts.
 */
export const CIRCUIT_OPEN = 'CIRCUIT_OPEN';

/** The failure's details: which service, and how long until the breaker lets a probe through. */
export interface CircuitOpenDetails {
  service: string;
  retryAfterMs: number;
}
