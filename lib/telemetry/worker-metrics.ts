import type { MetricMeter } from '@temporalio/common';
import type { TelemetryOptions } from '@temporalio/worker';
import type { BreakerState } from '../http/circuit-breaker';
import { SAGA_METRICS } from '@sagaflow/saga';

/** Milliseconds: from a quick local step to a saga's longest waits (approval, circuit). */
const STEP_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 3_600_000];

/**
 * The worker's Prometheus endpoint, served by the SDK runtime itself: the SDK's worker, workflow and activity
 * metrics (`temporal_*`), and what the sagas and the activities emit through its meters.
 */
export function workerTelemetry(address: string): TelemetryOptions {
  return {
    metrics: {
      prometheus: {
        bindAddress: address,
        countersTotalSuffix: true,
        useSecondsForDurations: true,
        histogramBucketOverrides: { [SAGA_METRICS.stepDuration]: STEP_BUCKETS_MS },
      },
    },
  };
}

const BREAKER_STATES: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Each service's circuit as a gauge (0 closed, 1 half-open, 2 open) and a counter of its transitions. */
export function breakerMetrics(meter: MetricMeter, services: readonly string[]) {
  const state = meter.createGauge(
    'sagaflow_circuit_state',
    'int',
    '',
    'Circuit per service: 0 closed, 1 half-open, 2 open',
  );
  const transitions = meter.createCounter(
    'sagaflow_circuit_transitions',
    '',
    'Circuit state changes by service and new state',
  );
  for (const service of services) state.set(0, { service });
  return (service: string, to: BreakerState) => {
    state.set(BREAKER_STATES[to], { service });
    transitions.add(1, { service, state: to });
  };
}
