// The answer of POST /orders with `Prefer: wait`: the order once its saga ended, without a read after the close.
// What describe() tells of an order's run (its memo, its start time) does not change, and the close event the history
// long-poll answers carries the rest: the saga's result and the close time.
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { Request } from 'express';
import type { OrderResult } from '../../workflows/order/types';
import type { OrderView } from '../schemas';
import { isDeadlineExceeded } from '../temporal';
import type { OrdersContext } from './common';
import { describeOrder, endsWithin, fromDescription, orderView, redactedFor, withResult } from './read-model';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const CLOSE_EVENT = temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;

/** The close event of the run once the server wrote it; undefined when the deadline came first. */
async function closeEventBy(
  client: Client,
  execution: { workflowId: string; runId: string },
  deadline: number,
): Promise<HistoryEvent | undefined> {
  let nextPageToken: Uint8Array | undefined;
  for (;;) {
    try {
      const { history, nextPageToken: next } = await client.connection.withDeadline(deadline, () =>
        client.workflowService.getWorkflowExecutionHistory({
          namespace: client.options.namespace,
          execution,
          waitNewEvent: true,
          historyEventFilterType: CLOSE_EVENT,
          skipArchival: true,
          nextPageToken,
        }),
      );
      const event = history?.events?.[0];
      if (event) return event;
      // The server answers an idle long-poll empty, with a token to poll on.
      nextPageToken = next ?? undefined;
    } catch (err) {
      if (isDeadlineExceeded(err)) return undefined;
      throw err;
    }
  }
}

/** The result and close time of a run that completed and continued nowhere; undefined for any other close. */
async function completion(client: Client, workflowId: string, event: HistoryEvent) {
  const completed = event.workflowExecutionCompletedEventAttributes;
  if (!completed || completed.newExecutionRunId) return undefined;
  const context = { type: 'workflow' as const, namespace: client.options.namespace, workflowId };
  const converter = client.options.loadedDataConverter;
  const result = await decodeFromPayloadsAtIndex<OrderResult>(converter, 0, completed.result?.payloads, context);
  return { result, closedAt: optionalTsToDate(event.eventTime)?.toISOString() };
}

/**
 * Waits up to `seconds` for the order's saga to end: its view then, or undefined while it still runs. describe()
 * comes first (a few ms, while the saga runs its steps), then the close of the run it described: a completed run is
 * answered from the two. Any other close (a restart's continue-as-new included: the wait goes on in the new run) is
 * read as a GET reads it.
 */
export async function outcomeWithin(
  ctx: OrdersContext,
  req: Request,
  orderId: string,
  seconds: number,
): Promise<OrderView | undefined> {
  const deadline = Date.now() + seconds * 1000;
  const description = await describeOrder(ctx, req.apiKey!, orderId);
  const execution = { workflowId: orderId, runId: description.runId };
  const event = await closeEventBy(ctx.client, execution, deadline);
  if (!event) return undefined;
  const completed = await completion(ctx.client, orderId, event);
  if (completed?.result?.state) {
    const base = {
      ...fromDescription(description),
      workflowStatus: 'COMPLETED' as const,
      closedAt: completed.closedAt,
    };
    return redactedFor(req.apiKey!, withResult(base, completed.result));
  }
  if (event.workflowExecutionContinuedAsNewEventAttributes) {
    const left = (deadline - Date.now()) / 1000;
    if (left <= 0 || !(await endsWithin(ctx, req, orderId, left))) return undefined;
  }
  return orderView(ctx, req, orderId);
}
