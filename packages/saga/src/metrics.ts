import { metricMeter } from '@temporalio/workflow';
import type { ParkedPhase } from './state';

/** Names of the saga metrics; the worker's Prometheus endpoint serves them next to the SDK's own. */
export const SAGA_METRICS = {
  started: 'sagaflow_sagas_started',
  finished: 'sagaflow_sagas_finished',
  parked: 'sagaflow_saga_steps_parked',
  compensations: 'sagaflow_compensation_attempts',
  stepDuration: 'sagaflow_step_duration',
} as const;

/**
 * The saga's metrics, through the workflow's own meter: the SDK drops what a workflow emits while it replays, so
 * a saga replayed on another worker is not counted twice, and no command is added to its history.
 */
export function sagaMetrics(saga: string) {
  const meter = metricMeter.withTags({ saga });
  const started = meter.createCounter(SAGA_METRICS.started, 'sagas', 'Sagas that started');
  const finished = meter.createCounter(SAGA_METRICS.finished, 'sagas', 'Sagas that ended, by final status');
  const parked = meter.createCounter(SAGA_METRICS.parked, 'steps', 'Steps parked for an operator, by phase');
  const compensations = meter.createCounter(
    SAGA_METRICS.compensations,
    'attempts',
    'Compensation attempts by step and outcome (COMPENSATED, FAILED, SKIPPED)',
  );
  const stepDuration = meter.createHistogram(
    SAGA_METRICS.stepDuration,
    'int',
    'ms',
    'Time from dispatching a step to its outcome, retries and circuit waits included, by step and outcome',
  );
  return {
    started: () => started.add(1),
    finished: (status: string) => finished.add(1, { status }),
    parked: (step: string, phase: ParkedPhase) => parked.add(1, { step, phase }),
    compensation: (step: string, outcome: string) => compensations.add(1, { step, outcome }),
    step: (step: string, outcome: 'ok' | 'failed', ms: number) => stepDuration.record(ms, { step, outcome }),
  };
}

export type SagaMetrics = ReturnType<typeof sagaMetrics>;
