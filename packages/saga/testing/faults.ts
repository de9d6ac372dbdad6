import { ApplicationFailure, Context } from '@temporalio/activity';

/** What an injected fault does to one call of an activity. */
export type StepFault =
  /** A non-retryable business failure of this type: nothing happened (the service refused). */
  | { kind: 'business'; type: string; message?: string; times?: number }
  /** A retryable failure before any effect (the service was down). */
  | { kind: 'transient'; times?: number }
  /** The effect happens, then the reply is lost: a retryable failure the service's idempotency must absorb. */
  | { kind: 'lostReply'; times?: number }
  /** No answer until the call is cancelled or times out: lets a step's deadline or timeout pass (skip time to it). */
  | { kind: 'hang'; times?: number };

/** Builders of faults; `times` limits a fault to the first calls it applies to (default: every call). */
export const fault = {
  /** A refusal of this type: non-retryable, nothing happened. */
  business: (type: string, options: { message?: string; times?: number } = {}): StepFault => ({
    kind: 'business',
    type,
    ...options,
  }),
  /** An outage before any effect: retried under the step's policy. */
  transient: (times?: number): StepFault => ({ kind: 'transient', ...(times !== undefined ? { times } : {}) }),
  /** The effect happens, then the reply is lost: retried, and the activity's idempotency must absorb it. */
  lostReply: (times?: number): StepFault => ({ kind: 'lostReply', ...(times !== undefined ? { times } : {}) }),
  /** No answer until the call times out or is cancelled. */
  hang: (times?: number): StepFault => ({ kind: 'hang', ...(times !== undefined ? { times } : {}) }),
};

/**
 * Where faults strike. `steps` and `compensations` name saga steps: a call belongs to a step through the
 * idempotency key the engine gave it (the default `${workflowId}:${runId}:${step}`, `:compensate` for its
 * compensation), read from the input's `idempotencyKey`. `activities` names activities, for every call of one.
 */
export interface FaultPlan {
  steps?: Record<string, StepFault>;
  compensations?: Record<string, StepFault>;
  activities?: Record<string, StepFault>;
}

/** One call of an activity, as the kit saw it. */
export interface CallRecord {
  activity: string;
  /** The saga step the call belongs to (from its key), when its key is the engine's default. */
  step?: string;
  compensation: boolean;
  idempotencyKey?: string;
  /** What the call did: `ok`, or the fault that struck it, or `error` when the activity itself threw. */
  outcome: 'ok' | StepFault['kind'] | 'error';
}

/** The kit's view of activities with faults: the wrapped activities, every call, and the plan (change it any time). */
export interface FaultyActivities<A> {
  activities: A;
  calls: CallRecord[];
  plan: FaultPlan;
}

// `${workflowId}:${uuid runId}:${step}[:compensate][:retry-N|:restart-N...]`
const DEFAULT_KEY = /:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:([^:]+)(:compensate)?/;

/** The step and phase of a call from its idempotency key, when the key is the engine's default. */
export function stepOfKey(key: string | undefined): { step?: string; compensation: boolean } {
  const match = key ? DEFAULT_KEY.exec(key) : null;
  return match ? { step: match[1]!, compensation: match[2] !== undefined } : { compensation: false };
}

/**
 * Wraps activities so that each call is recorded and may be struck by the fault the plan gives its step (or its
 * compensation, or its activity): the wrapped activity runs only when the fault lets the effect happen.
 */
export function withFaults<A extends object>(activities: A, plan: FaultPlan = {}): FaultyActivities<A> {
  const calls: CallRecord[] = [];
  const hits = new Map<StepFault, number>();
  const faulty: FaultyActivities<A> = { activities: {} as A, calls, plan };
  for (const [name, fn] of Object.entries(activities) as [string, (input: unknown) => Promise<unknown>][]) {
    (faulty.activities as Record<string, unknown>)[name] = async (input: unknown) => {
      const idempotencyKey = keyOf(input);
      const { step, compensation } = stepOfKey(idempotencyKey);
      const planned = faultFor(faulty.plan, name, step, compensation);
      const used = planned ? (hits.get(planned) ?? 0) : 0;
      const active = planned && (planned.times === undefined || used < planned.times) ? planned : undefined;
      if (active) hits.set(active, used + 1);
      const record: CallRecord = {
        activity: name,
        ...(step ? { step } : {}),
        compensation,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        outcome: active?.kind ?? 'ok',
      };
      calls.push(record);
      if (active?.kind === 'business')
        throw ApplicationFailure.nonRetryable(active.message ?? `${name}: ${active.type} (injected)`, active.type);
      if (active?.kind === 'transient') throw ApplicationFailure.retryable(`${name}: unavailable (injected)`);
      if (active?.kind === 'hang') return hangUntilCancelled();
      let result: unknown;
      try {
        result = await fn(input);
      } catch (err) {
        record.outcome = 'error';
        throw err;
      }
      if (active?.kind === 'lostReply') throw ApplicationFailure.retryable(`${name}: reply lost (injected)`);
      return result;
    };
  }
  return faulty;
}

function faultFor(plan: FaultPlan, activity: string, step: string | undefined, compensation: boolean) {
  const byStep = step === undefined ? undefined : compensation ? plan.compensations?.[step] : plan.steps?.[step];
  return byStep ?? plan.activities?.[activity];
}

function keyOf(input: unknown): string | undefined {
  const key = (input as { idempotencyKey?: unknown } | null)?.idempotencyKey;
  return typeof key === 'string' ? key : undefined;
}

/** Never answers: ends when the call is cancelled (a local activity's cancel, or a regular one's after a heartbeat). */
async function hangUntilCancelled(): Promise<never> {
  const context = Context.current();
  for (;;) {
    // A regular activity learns of its cancel through its heartbeat; a local one directly.
    if (!context.info.isLocal) context.heartbeat();
    await context.sleep(1_000);
  }
}
