import type { SagaDefinition } from './definition';
import type { SagaState, SagaStatus } from './state';

/**
 * What became of one step in a run: `DONE` (its effect stands), `SKIPPED` (its `when` said no), `FAILED` (it
 * started and did not complete: failed, cancelled, or parked after the pivot) or `UNDONE` (its compensation ran or
 * an operator skipped it as fixed by hand). `key` is the idempotency key it last ran under.
 */
export interface StepRecord {
  outcome: 'DONE' | 'SKIPPED' | 'FAILED' | 'UNDONE';
  key?: string;
  /** FAILED after the pivot without a definite refusal: its effect may stand under `key`, so a restart keeps it. */
  effectMayStand?: true;
}

/** What a run knows of its steps that a restart needs: its status, each step's outcome and key, how many restarts came before. */
export interface SagaCheckpoint {
  status: SagaStatus;
  steps: Record<string, StepRecord>;
  restarts: number;
}

/** An operator's request to restart a saga from step `from`. */
export interface RestartRequest {
  from: string;
  /** Who asked (recorded in the restarted run's `state.restart`). */
  by: string;
  reason?: string;
}

/** A run that restarts an earlier one: the request and that run's checkpoint. */
export interface SagaRestart extends RestartRequest {
  checkpoint: SagaCheckpoint;
}

/** What a restarted workflow is started with: the restart, and the earlier run's context (its steps' results). */
export interface SagaRestartInput<C> extends SagaRestart {
  context: C;
}

/** How a restarted run begins: where, which steps it takes as done, and the keys of the steps it runs again. */
export interface RestartPlan {
  fromIndex: number;
  /** Steps before `from` whose effect stands (their results are in the carried context). */
  carried: string[];
  /** The idempotency key of each step that ran before: the same where its effect stands, a fresh one where not. */
  keys: Map<string, string>;
  pivotPassed: boolean;
  /** What the restarted run shows of it (`state.restart`). */
  record: NonNullable<SagaState['restart']>;
}

/** The key a step ran under, without the suffix of an earlier restart. */
const baseKey = (key: string) => key.replace(/:restart-\d+$/, '');

/**
 * Why restarting the run that left `checkpoint` from step `from` would be refused, or undefined when it may. A
 * restart must know for certain which effects stand: after the pivot (FORWARD_FAILED) everything before the parked
 * step stands, so a run may restart from any step after the pivot up to the parked one; a COMPENSATED run may
 * restart from its first undone step or before (what came before it still stands, e.g. an approval). A parked
 * compensation (COMPENSATION_FAILED) may or may not have undone its step: retry or skip it first.
 */
export function restartRefusal<C>(
  definition: SagaDefinition<C>,
  checkpoint: SagaCheckpoint | undefined,
  from: string,
): string | undefined {
  const fromIndex = definition.steps.findIndex((s) => s.name === from);
  if (fromIndex < 0) return `the saga has no step ${from}`;
  if (!checkpoint) return 'the saga recorded no checkpoint (it ran before restarts existed)';
  const { status } = checkpoint;
  if (status === 'COMPENSATED' && definition.noRestartAfterCompensation !== undefined) {
    return definition.noRestartAfterCompensation;
  }
  if (status !== 'FORWARD_FAILED' && status !== 'COMPENSATED') {
    return `only a saga parked after its point of no return (FORWARD_FAILED) or one that ended COMPENSATED restarts; this one is ${status}`;
  }
  const outcome = (name: string) => checkpoint.steps[name]?.outcome;
  if (status === 'FORWARD_FAILED') {
    const pivot = definition.steps.findIndex((s) => s.pivot && outcome(s.name) === 'DONE');
    const parked = definition.steps.findIndex((s, i) => i > pivot && outcome(s.name) === 'FAILED');
    if (fromIndex <= pivot) {
      return `the saga passed its point of no return at ${definition.steps[pivot]!.name}; restart from a step after it`;
    }
    if (parked >= 0 && fromIndex > parked) {
      return `step ${definition.steps[parked]!.name} is parked; restart from it or an earlier step after the pivot`;
    }
  }
  for (const step of definition.steps.slice(0, fromIndex)) {
    const was = outcome(step.name);
    if (was === 'DONE' || was === 'SKIPPED') continue;
    const what = was === 'UNDONE' ? 'was undone' : was === 'FAILED' ? 'did not complete' : 'never ran';
    return `step ${step.name} (before ${from}) ${what}; restart from it or an earlier step`;
  }
  return undefined;
}

/** The plan of a restart the refusal above allowed. */
export function restartPlan<C>(definition: SagaDefinition<C>, restart: SagaRestart): RestartPlan {
  const fromIndex = definition.steps.findIndex((s) => s.name === restart.from);
  const attempt = restart.checkpoint.restarts + 1;
  const keys = new Map<string, string>();
  // After compensations a step that has a compensation may have been undone: it runs again under a fresh key. A step
  // without one was never undone by the saga, so a DONE one keeps its key (a fresh key would repeat its effect: a
  // second receipt, a second fee). After the pivot nothing was undone: a step whose effect stands, or may stand (it
  // failed without a definite refusal), keeps its key, so its service answers what it did the first time instead of
  // doing it twice.
  const compensated = restart.checkpoint.status === 'COMPENSATED';
  const compensable = new Set(definition.steps.filter((s) => s.compensation).map((s) => s.name));
  for (const [name, record] of Object.entries(restart.checkpoint.steps)) {
    if (record.key === undefined) continue;
    const stands = compensated
      ? record.outcome === 'DONE' && !compensable.has(name)
      : record.outcome === 'DONE' || record.effectMayStand === true;
    keys.set(name, stands ? record.key : `${baseKey(record.key)}:restart-${attempt}`);
  }
  const before = definition.steps.slice(0, fromIndex);
  return {
    fromIndex,
    carried: before.filter((s) => restart.checkpoint.steps[s.name]?.outcome === 'DONE').map((s) => s.name),
    keys,
    pivotPassed: before.some((s) => s.pivot && restart.checkpoint.steps[s.name]?.outcome === 'DONE'),
    record: {
      from: restart.from,
      by: restart.by,
      ...(restart.reason ? { reason: restart.reason } : {}),
      count: attempt,
      at: Date.now(),
    },
  };
}
