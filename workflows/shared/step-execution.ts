import type { LocalActivityCallOptions } from '@sagaflow/saga';

/**
 * How a saga runs its service calls: `local`, as local activities in the worker that runs its workflow task (no
 * task queue round trip per call; each call's bulkhead is its lane's limit in that worker); `remote`, as activities
 * on each service's lane task queue. Part of the saga's input, chosen by its starter (the API's
 * SAGA_STEP_EXECUTION), so a running saga never changes its commands; absent, `remote`: sagas started before local
 * steps existed replay as they ran.
 */
export type StepExecution = 'local' | 'remote';

/** The saga's calls run as local activities when its input says so. */
export const localWhenAsked = (ctx: { input: { stepExecution?: StepExecution } }): boolean =>
  ctx.input.stepExecution === 'local';

/**
 * A failed attempt whose backoff is longer than this waits on a durable timer in the workflow, not in the worker:
 * the first retry (1 s) stays in the workflow task, later ones free it, so a cancel, an Update or a worker crash
 * during a long retry is handled as with regular activities.
 */
export const LOCAL_STEP_OPTIONS: LocalActivityCallOptions = { localRetryThreshold: '1 second' };

/** What the sagas' activity-call builders take: local activities when the input asks, with those options. */
export const STEP_EXECUTION = { localActivity: localWhenAsked, localActivityOptions: LOCAL_STEP_OPTIONS } as const;
