import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineQuery,
  defineUpdate,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { OperationActivities } from '../../activities/operations';
import { operationTargetsQuery } from '../../lib/operation-query';
import { mdCode, mdText } from '../shared/markdown';
import type { OperationInput, OperationState, TargetResult } from './types';

export const operationStateQuery = defineQuery<OperationState>('operationState');
export interface OperationControl {
  by: string;
  reason?: string;
}
export const pauseOperationUpdate = defineUpdate<OperationState, [OperationControl]>('pauseOperation');
export const resumeOperationUpdate = defineUpdate<OperationState, [OperationControl]>('resumeOperation');
export const cancelOperationUpdate = defineUpdate<OperationState, [OperationControl]>('cancelOperation');

/** Patch id: a listing that fails for good ends the operation FAILED, with why (before: the workflow failed). */
export const LISTING_FAILURE_PATCH = 'operation-listing-failure';

const { listOperationTargets } = proxyActivities<OperationActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});
const { applyOperation } = proxyActivities<OperationActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * A bulk operation on sagas: lists its targets once (the same query as its dry run), then sends each the action's
 * Update, at most `concurrency` at once and `ratePerSecond` started per second, recording every saga's outcome.
 * Operators pause, resume or cancel it (the sagas not reached are reported `not-run`); a worker that dies mid-way
 * costs nothing: the activity retries under the same Update ID, which Temporal runs once per saga.
 */
export async function bulkOperation(input: OperationInput): Promise<OperationState> {
  const state: OperationState = { input, status: 'LISTING', targets: [], results: [], events: [] };
  let paused = false;
  let cancelled = false;
  const publish = () => setCurrentDetails(renderOperation(state));
  /** An operator's pause, resume or cancel: kept in the audit trail, applied, published; the Update answers the state. */
  const control = (action: 'pause' | 'resume' | 'cancel', { by, reason }: OperationControl, apply: () => void) => {
    state.events.push({ action, by, ...(reason ? { reason } : {}), at: new Date().toISOString() });
    apply();
    publish();
    return state;
  };
  const open = () => !ENDED.includes(state.status) && !cancelled;
  setHandler(operationStateQuery, () => state);
  setHandler(
    pauseOperationUpdate,
    (request) =>
      control('pause', request, () => {
        paused = true;
        if (state.status === 'RUNNING') state.status = 'PAUSED';
      }),
    { validator: (request) => validate(request, open() && !paused, 'the operation is not running') },
  );
  setHandler(
    resumeOperationUpdate,
    (request) =>
      control('resume', request, () => {
        paused = false;
        if (state.status === 'PAUSED') state.status = 'RUNNING';
      }),
    { validator: (request) => validate(request, open() && paused, 'the operation is not paused') },
  );
  setHandler(cancelOperationUpdate, (request) => control('cancel', request, () => (cancelled = true)), {
    validator: (request) => validate(request, open(), 'the operation has ended'),
  });

  publish();
  try {
    state.targets = await listOperationTargets({ query: operationTargetsQuery(input.filter) });
  } catch (err) {
    if (!patched(LISTING_FAILURE_PATCH)) throw err;
    // Nothing was sent to any saga: the operation ends, saying why, and answers like any other that ended.
    state.status = 'FAILED';
    state.failure = operationFailure(err);
    state.finishedAt = new Date().toISOString();
    publish();
    return state;
  }
  if (state.status === 'LISTING') state.status = paused ? 'PAUSED' : 'RUNNING';
  publish();
  let next = 0;
  while (next < state.targets.length) {
    await condition(() => !paused || cancelled);
    if (cancelled) break;
    const began = Date.now();
    const batch = state.targets.slice(next, next + input.ratePerSecond);
    next += batch.length;
    for (let i = 0; i < batch.length; i += input.concurrency) {
      const results = await Promise.all(batch.slice(i, i + input.concurrency).map((id) => apply(input, id)));
      state.results.push(...results);
      publish();
    }
    const spent = Date.now() - began;
    if (next < state.targets.length && spent < 1_000) await sleep(1_000 - spent);
  }
  const at = new Date().toISOString();
  for (const workflowId of state.targets.slice(next)) state.results.push({ workflowId, outcome: 'not-run', at });
  state.status = cancelled ? 'CANCELLED' : 'COMPLETED';
  state.finishedAt = at;
  publish();
  return state;
}

const ENDED: OperationState['status'][] = ['CANCELLED', 'COMPLETED', 'FAILED'];

/**
 * Why an operation failed, as it reports it: the failure's own type and message (TOO_MANY_TARGETS, the last attempt's
 * error, a termination's reason), not the SDK's activity wrapper.
 */
export function operationFailure(err: unknown): NonNullable<OperationState['failure']> {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  const type = cause instanceof ApplicationFailure ? cause.type : undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  return type ? { type, message } : { message };
}

function apply(input: OperationInput, workflowId: string): Promise<TargetResult> {
  const { operationId, filter, action, by, reason } = input;
  return applyOperation({ operationId, workflowId, filter, action, by, reason }).catch((err: unknown) => ({
    workflowId,
    outcome: 'failed' as const,
    detail: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err),
    at: new Date().toISOString(),
  }));
}

function validate({ by }: OperationControl, allowed: boolean, refusal: string): void {
  if (!by?.trim()) throw ApplicationFailure.nonRetryable('who pauses, resumes or cancels (by) is required');
  if (!allowed) throw ApplicationFailure.nonRetryable(refusal);
}

/** Counts of each outcome so far. */
export function tally(state: OperationState): Record<TargetResult['outcome'] | 'pending', number> {
  const counts = { done: 0, refused: 0, skipped: 0, failed: 0, 'not-run': 0, pending: 0 };
  for (const result of state.results) counts[result.outcome]++;
  counts.pending = state.targets.length - state.results.length;
  return counts;
}

/** The operation's current details in the Web UI (Markdown; the operator's reason escaped). */
function renderOperation(state: OperationState): string {
  const { input } = state;
  const counts = tally(state);
  return [
    `**Bulk ${mdCode(input.action.kind)}** on ${input.filter.sagaType} sagas ${mdCode(input.filter.status)}` +
      (input.filter.parkedStep ? ` parked on ${mdCode(input.filter.parkedStep)}` : '') +
      (input.filter.parkedReason ? ` for ${mdCode(input.filter.parkedReason)}` : ''),
    `- status: **${state.status}**, ${state.targets.length} targets` +
      (state.failure ? `: ${mdText(state.failure.message)}` : ''),
    `- done ${counts.done}, refused ${counts.refused}, skipped ${counts.skipped}, failed ${counts.failed}, ` +
      `not run ${counts['not-run']}, pending ${counts.pending}`,
    `- by ${mdText(input.by)} at ${input.requestedAt}: ${mdText(input.reason)}`,
  ].join('\n');
}
