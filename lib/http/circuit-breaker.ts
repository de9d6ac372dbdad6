import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { CIRCUIT_OPEN } from '@sagaflow/saga';
import type { CircuitOpenDetails } from '@sagaflow/saga';
import { ServiceError } from './client';

export interface BreakerOptions {
  /** Transient faults in a row (timeouts, network errors, 5xx) that open the circuit. */
  consecutiveFailures: number;
  /** How long it stays open before one probe call may try (half-open). */
  halfOpenAfterMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

const stateName = (state: CircuitState): BreakerState =>
  state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';

/**
 * A fault that says something about the service's health: retryable, not a cancellation, and not one the service
 * marks as caused by the request itself (`details.causedByRequest`, e.g. a tenant's test card that fails on
 * purpose), so that one tenant's input cannot open a circuit every tenant shares.
 */
const transient = (err: unknown) =>
  err instanceof ServiceError &&
  err.retryable &&
  err.code !== 'ABORTED' &&
  (err.details as { causedByRequest?: unknown } | null)?.causedByRequest !== true;

/**
 * One service's circuit breaker (cockatiel), shared by every call of a worker to that service. Business answers
 * (4xx, 409 conflicts) are successes to it: only faults count. While it is open, calls fail at once with a
 * CIRCUIT_OPEN ServiceError instead of reaching the service.
 */
export class ServiceBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(
    readonly service: string,
    private readonly options: BreakerOptions,
    onStateChange: (state: BreakerState) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.policy = circuitBreaker(handleWhen(transient), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.consecutiveFailures),
    });
    this.policy.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = this.now();
      onStateChange(stateName(state));
    });
  }

  /**
   * Runs the call through the breaker. On an open circuit it fails with CIRCUIT_OPEN without calling; so does a
   * failed half-open probe: the service is known to be down, so the caller should wait rather than spend a retry
   * attempt on it. Only the faults that open the circuit reach the caller as themselves.
   */
  async run<T>(call: () => Promise<T>): Promise<T> {
    const probing = this.policy.state !== CircuitState.Closed;
    try {
      return await this.policy.execute(call);
    } catch (err) {
      if (err instanceof BrokenCircuitError || (probing && transient(err))) throw this.openError();
      throw err;
    }
  }

  private openError(): ServiceError {
    // Half-open with the probe in flight: try again after about one probe.
    const retryAfterMs = Math.max(250, this.openedAt + this.options.halfOpenAfterMs - this.now());
    const details: CircuitOpenDetails = { service: this.service, retryAfterMs };
    return new ServiceError(
      0,
      CIRCUIT_OPEN,
      `${this.service}: circuit open (the service is failing; calls wait for its recovery)`,
      details,
    );
  }
}
