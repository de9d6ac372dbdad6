import type { RequestHandler } from 'express';
import type { OperationState } from '../../workflows/operations/types';
import { operationStateQuery, tally } from '../../workflows/operations/workflow';
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

/** The operation's state: its result once it ended, else its own answer to the state Query. */
export async function operationState(
  handle: Awaited<ReturnType<typeof visibleOperation>>['handle'],
  running: boolean,
): Promise<OperationState> {
  return running ? handle.query(operationStateQuery) : ((await handle.result()) as OperationState);
}

/** GET /operations/{operationId} (operator): progress, every saga's outcome, the audit trail. */
export function getOperation(ctx: OrdersContext): RequestHandler {
  return async (req, res) => {
    const state = await withDeadline(ctx.client, ctx.config.TEMPORAL_RPC_TIMEOUT_MS, async () => {
      const { handle, description } = await visibleOperation(ctx, req.apiKey!, String(req.params.id));
      return operationState(handle, description.status.name === 'RUNNING');
    });
    res.json(operationView(state));
  };
}
