import type { SagaState } from '../index';

/** A saga's outcome in the terms a test asserts on. */
export interface SagaLedgerView {
  status: SagaState['status'];
  /** The steps that succeeded, in order. */
  done: string[];
  /** The steps whose compensation succeeded, in the order they ran. */
  compensated: string[];
  /** The steps whose compensation an operator skipped. */
  skipped: string[];
  /** The steps parked for an operator now. */
  parked: string[];
  /** What happened to steps after the pivot that failed for good: `step OUTCOME` in order (FAILED, RETRIED, RESOLVED). */
  recoveries: string[];
  /** The failure that made the saga compensate: `step TYPE`. */
  failure?: string;
}

/** The saga's ledger as plain lists, for `assert.deepEqual`. */
export function ledgerOf(state: SagaState): SagaLedgerView {
  const { compensations } = state;
  return {
    status: state.status,
    done: [...state.completedSteps],
    compensated: compensations.filter((c) => c.outcome === 'COMPENSATED').map((c) => c.step),
    skipped: compensations.filter((c) => c.outcome === 'SKIPPED').map((c) => c.step),
    parked: state.parked.map((p) => p.step),
    recoveries: (state.recoveries ?? []).map((r) => `${r.step} ${r.outcome}`),
    ...(state.failure ? { failure: `${state.failure.step} ${state.failure.type}` } : {}),
  };
}
