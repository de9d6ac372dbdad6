import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../lib/search-attributes';
import { listOperationTargets as listTargets, TooManyTargets } from '../lib/operation-targets';
import { sagaUpdateFor } from '../workflows/operations/types';
import type { SagaState } from '@sagaflow/saga';
import type { OperationAction, OperationFilter, TargetResult } from '../workflows/operations/types';

export interface ApplyOperationInput {
  operationId: string;
  workflowId: string;
  filter: OperationFilter;
  action: OperationAction;
  by: string;
  reason: string;
}

/** The Update ID an operation sends each saga: Temporal runs an Update once per ID, so a retried activity never twice. */
export const operationUpdateId = (operationId: string) => `operation:${operationId}`;

/**
 * The activities of bulk operations (workflows/operations): they list sagas and send them Updates through a client.
 * `maxTargets` (MAX_OPERATION_TARGETS unless a test narrows it) bounds what one operation acts on.
 */
export function createOperationActivities({ client, maxTargets }: { client: Client; maxTargets?: number }) {
  return {
    /** The ids of the running sagas the query matches, all pages; more than the limit fails the operation. */
    async listOperationTargets({ query }: { query: string }): Promise<string[]> {
      try {
        return await listTargets(client, query, (count) => Context.current().heartbeat(count), maxTargets);
      } catch (err) {
        if (err instanceof TooManyTargets) throw ApplicationFailure.nonRetryable(err.message, 'TOO_MANY_TARGETS');
        throw err;
      }
    },

    /**
     * Sends one saga the operation's Update, under the operation's Update ID. A saga that no longer matches the filter
     * (it ended, or an operator or a retry moved it on) is skipped without an Update; a refusal carries the saga's
     * reason. After a lost attempt (a worker killed mid-call) the retry sends the same ID again: Temporal answers the
     * first outcome, and once the saga has ended its history says whether this operation's Update was the one.
     */
    async applyOperation(input: ApplyOperationInput): Promise<TargetResult> {
      // An Update may wait long (a cancel answers once the compensations ran): heartbeats tell Temporal the worker
      // lives, so one that dies is noticed within the heartbeat timeout and the attempt retried elsewhere.
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), 1_000);
      try {
        return await apply(client, input);
      } finally {
        clearInterval(beat);
      }
    },
  };
}

/** One saga's Update, as `applyOperation` describes it. */
async function apply(client: Client, input: ApplyOperationInput): Promise<TargetResult> {
  const { operationId, workflowId, filter, action, by, reason } = input;
  const handle = client.workflow.getHandle(workflowId);
  const updateId = operationUpdateId(operationId);
  const result = (outcome: TargetResult['outcome'], detail?: string): TargetResult => ({
    workflowId,
    outcome,
    ...(detail ? { detail } : {}),
    at: new Date().toISOString(),
  });
  const moved = await movedOn(handle, filter);
  if (moved) {
    if (Context.current().info.attempt > 1 && (await sentBefore(handle, updateId))) return result('done', moved);
    return result('skipped', moved);
  }
  const update = sagaUpdateFor(action, by, reason);
  try {
    const state = await handle.executeUpdate<SagaState, [Record<string, unknown>]>(update.name, {
      args: [update.args],
      updateId,
    });
    return result('done', state.status);
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError)) throw err;
    const why = err.cause instanceof Error ? err.cause.message : err.message;
    return result((await movedOn(handle, filter)) ? 'skipped' : 'refused', why);
  }
}

export type OperationActivities = ReturnType<typeof createOperationActivities>;

type Handle = ReturnType<Client['workflow']['getHandle']>;

/** Why the saga no longer matches the filter, or undefined while it does. */
async function movedOn(handle: Handle, filter: OperationFilter): Promise<string | undefined> {
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'no longer exists';
    throw err;
  }
  if (description.status.name !== 'RUNNING') return `ended ${description.status.name}`;
  const attributes = description.typedSearchAttributes;
  const status = attributes.get(SEARCH_ATTRIBUTES.OrderStatus);
  if (status !== filter.status) return `now ${status ?? 'unknown'}`;
  const steps = attributes.get(SEARCH_ATTRIBUTES.ParkedStep) ?? [];
  if (filter.parkedStep && !steps.includes(filter.parkedStep)) return `no longer parked on ${filter.parkedStep}`;
  const reasons = attributes.get(SEARCH_ATTRIBUTES.ParkedReason) ?? [];
  if (filter.parkedReason && !reasons.includes(filter.parkedReason))
    return `no longer parked for ${filter.parkedReason}`;
  return undefined;
}

/** Whether the saga's history (its latest run) has an Update accepted under this ID. */
async function sentBefore(handle: Handle, updateId: string): Promise<boolean> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).some(
    (event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId === updateId,
  );
}
