import type { ActivityOptions, Duration, LocalActivityOptions } from '@temporalio/common';
import type { SagaState, SagaStatus } from './state';

/** Any activity interface: named functions taking one input object. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ActivityInterface<A> = { [K in keyof A]: (input: any) => Promise<any> };

/** A declared activity invocation: which activity, with which options, built from the saga context. */
export interface ActivityCall<C> {
  activity: string;
  options: ActivityOptions;
  /** Runs the activity on `${the saga's task queue}-${lane}` (a bulkhead) instead of the saga's own queue. */
  lane?: string;
  /** Builds the activity's argument from the saga's context, the step's idempotency key and the state. */
  input: (ctx: C, idempotencyKey: string, state: SagaState) => unknown;
  /** Folds the activity's result into the saga context. */
  onResult?: (ctx: C, result: unknown) => void;
  /**
   * Runs the call as a Temporal local activity: in the worker that runs the saga's workflow task, recorded as a
   * marker in its history, with no task queue round trip (no lane: see `laneLimitedLocalActivities` for its bulkhead). A
   * boolean, or decided per saga from its context, which must come from the input (so a running saga never changes
   * its commands). Default: a regular activity.
   */
  localActivity?: boolean | ((ctx: C) => boolean);
  /** What a local activity takes beyond `options` (`heartbeatTimeout` and `taskQueue` do not apply to it). */
  localActivityOptions?: LocalActivityCallOptions;
}

/** Options of a call that runs as a local activity, beyond the ones it shares with a regular activity. */
export type LocalActivityCallOptions = Pick<LocalActivityOptions, 'localRetryThreshold' | 'scheduleToStartTimeout'>;

/** What a local step may tell the saga while it runs. */
export interface SagaControl {
  /** Reports what the step waits for (e.g. `AWAITING_APPROVAL`). */
  setStatus(status: SagaStatus): void;
}

/** A step run inside the workflow itself (a wait for a human, a deadline), not by an activity. */
export interface LocalAction<C> {
  /** The step's work, in the workflow: it succeeds when the promise resolves, fails when it rejects. */
  local: (ctx: C, saga: SagaControl) => Promise<void>;
}

/** One step of a saga: its action, its compensation, and the rules it runs by. */
export interface SagaStep<C> {
  name: string;
  /** Runs the step only when this returns true (default: always). */
  when?: (ctx: C) => boolean;
  action: ActivityCall<C> | LocalAction<C>;
  /** Undoes the action; registered before the action is dispatched, so it must be safe when nothing happened. */
  compensation?: ActivityCall<C>;
  /** The whole step, retries included, must finish within this; otherwise it fails with `STEP_DEADLINE_EXCEEDED`. */
  deadline?: Duration | ((ctx: C) => Duration);
  /**
   * Derives the step's idempotency key; default `${workflowId}:${runId}:${step}`, where `runId` is the first run id
   * of this workflow execution: a saga started again under the same workflow id (after the first one's history
   * was deleted by retention) never replays the stored answers of the first.
   */
  idempotencyKey?: (ids: { workflowId: string; runId: string; step: string }) => string;
  /**
   * Failure types with which the action proves it changed nothing that belongs to this saga (e.g. the resource
   * exists but another saga made it): its compensation is withdrawn, so the saga never undoes another's work.
   * A type added to a deployed saga changes the commands of the sagas already on that path: give it with the
   * `patched()` id that guards it (`{ type, patch }`), so histories recorded before keep compensating.
   */
  noEffectOn?: (string | { type: string; patch: string })[];
  /**
   * The point of no return: once this step has succeeded the saga only moves forward (later steps retry
   * until they succeed and are not compensated) and cancellation is refused.
   */
  pivot?: boolean;
  /**
   * Consecutive steps with the same group run at once: each compensation is registered (in declared order) before
   * any of them is dispatched, and the saga moves on once all have settled. A failure before the pivot compensates
   * every step of the group that ran, after the others have settled; after the pivot each failed step parks in turn.
   * For calls that need none of each other's results or effects. Not the pivot, not an in-workflow step. Grouping
   * steps of a deployed saga changes its commands: the engine guards it with `PATCHES.parallelGroups`.
   */
  group?: string;
}

/**
 * How compensations run: in reverse order one by one (default), all at once, or in declared groups
 * (groups run one after another, the steps of a group at once; steps named in no group run last, reversed).
 */
export type CompensationOrder = { kind: 'reverse' } | { kind: 'parallel' } | { kind: 'grouped'; groups: string[][] };

/** A saga: its steps in order, how compensations run, and what its services' answers mean for retries. */
export interface SagaDefinition<C> {
  name: string;
  steps: SagaStep<C>[];
  compensationOrder?: CompensationOrder;
  /**
   * Why a run that ended COMPENSATED may not be restarted (restarts of it are refused with this reason), when its
   * compensations are final at the services (e.g. a closed order is never reopened). Absent: it may.
   */
  noRestartAfterCompensation?: string;
  /**
   * Failure types after which a step's effect may stand although the activity failed for good: e.g. a service that
   * refuses a key reused with another request (`IDEMPOTENCY_KEY_REUSED`: the first request under it was applied).
   * A retry or restart of such a step keeps its key. Timeouts, exhausted retries, deadlines and cancels keep it anyway.
   */
  keepKeyOn?: readonly string[];
}

/**
 * Typed builder for an activity call against an activity interface `A`, optionally routing activities to lanes and
 * running them as local activities (`localActivity`, `localActivityOptions`: the default of every call it builds).
 */
export function activityCall<A extends ActivityInterface<A>, C>(
  lanes?: { [K in keyof A]?: string },
  defaults: Pick<ActivityCall<C>, 'localActivity' | 'localActivityOptions'> = {},
) {
  return <K extends keyof A & string>(
    activity: K,
    options: ActivityOptions,
    input: (ctx: C, idempotencyKey: string, state: SagaState) => Parameters<A[K]>[0],
    onResult?: (ctx: C, result: Awaited<ReturnType<A[K]>>) => void,
  ): ActivityCall<C> => ({
    ...defaults,
    activity,
    options,
    lane: lanes?.[activity],
    input,
    onResult: onResult as ActivityCall<C>['onResult'],
  });
}

/** A step's idempotency key unless it declares its own: `${workflowId}:${runId}:${step}` (runId: the first run's). */
export function defaultIdempotencyKey({
  workflowId,
  runId,
  step,
}: {
  workflowId: string;
  runId: string;
  step: string;
}): string {
  return `${workflowId}:${runId}:${step}`;
}
