import { WorkflowFailedError } from '@temporalio/client';
import type { RequestHandler } from 'express';
import type { OperationState } from '../../workflows/operations/types';
import { operationFailure, operationStateQuery, tally } from '../../workflows/operations/workflow';
import type { OrdersContext } from '../orders/common';
import type { OperationView } from '../schemas';
import { withDeadline } from '../temporal';
import { visibleOperation } from './common';

/** An operation's state as the API answers it. */
export function operationView(state: OperationState): OperationView {
  const { input } = state;
  const counts = tally(state);
  return {
    operationId: input.operationId,
    status: state.status,
    by: input.by,
    reason: input.reason,
    requestedAt: input.requestedAt,
    ...(state.finishedAt ? { finishedAt: state.finishedAt } : {}),
    ...(state.failure ? { failure: { ...state.failure } } : {}),
    filter: { ...input.filter },
    action: { ...input.action },
    concurrency: input.concurrency,
    ratePerSecond: input.ratePerSecond,
    counts: {
      targets: state.targets.length,
      done: counts.done,
      refused: counts.refused,
      skipped: counts.skipped,
      failed: counts.failed,
      notRun: counts['not-run'],
      pending: counts.pending,
    },
    results: state.results,
    events: state.events,
  };
}

/**
 * The operation's state: its own answer to the state Query while it runs, its result once it completed. A workflow
 * closed otherwise (one whose listing failed before operations could end FAILED, or one terminated by hand) answers
 * its last state as FAILED, with why it closed.
 */
export async function operationState({
  handle,
  description,
}: Awaited<ReturnType<typeof visibleOperation>>): Promise<OperationState> {
  const execution = description.status.name;
  if (execution === 'RUNNING') return handle.query(operationStateQuery);
  if (execution === 'COMPLETED') return (await handle.result()) as OperationState;
  const failure = await handle.result().then(
    () => undefined,
    (err: unknown) => (err instanceof WorkflowFailedError && err.cause ? operationFailure(err.cause) : undefined),
  );
  const state = await handle.query(operationStateQuery);
  const finishedAt = state.finishedAt ?? description.closeTime?.toISOString();
  return {
    ...state,
    status: 'FAILED',
    failure: failure ?? { message: `the operation's workflow closed ${execution}` },
    ...(finishedAt ? { finishedAt } : {}),
  };
}

/** GET /operations/{operationId} (operator): progress, every saga's outcome, the audit trail. */
export function getOperation(ctx: OrdersContext): RequestHandler {
  return async (req, res) => {
    const state = await withDeadline(ctx.client, ctx.config.TEMPORAL_RPC_TIMEOUT_MS, async () => {
      return operationState(await visibleOperation(ctx, req.apiKey!, String(req.params.id)));
    });
    res.json(operationView(state));
  };
}
