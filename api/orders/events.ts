import type { Request, RequestHandler, Response } from 'express';
import { ApiError } from '../errors';
import { openEventStream } from '../event-stream';
import { correlate } from '../request-id';
import type { OrderEvent } from '../schemas';
import { OrderEventsQuerySchema } from '../schemas';
import type { OrdersContext } from './common';
import { parseOrderId, waiterOf } from './common';
import { describeOrder } from './read-model';
import type { StatusChange } from './history-events';
import { statusChanges } from './history-events';
import { orderView } from './read-model';

async function toEvent(
  ctx: OrdersContext,
  req: Request,
  orderId: string,
  change: Exclude<StatusChange, { kind: 'idle' }>,
): Promise<OrderEvent> {
  const at = new Date(change.at).toISOString();
  if (change.kind === 'status') {
    return {
      id: change.id,
      type: 'status',
      orderId,
      status: change.status,
      ...(change.step ? { step: change.step } : {}),
      at,
    };
  }
  const order = await orderView(ctx, req, orderId);
  return { id: change.id, type: 'end', orderId, status: order.status, at, order };
}

function lastEventId(header: string | undefined): number | undefined {
  return header !== undefined && /^\d{1,12}$/.test(header.trim()) ? Number(header.trim()) : undefined;
}

const sse = (res: Response, event: OrderEvent) =>
  res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);

/**
 * GET /orders/:id/events — the order's status changes as Server-Sent Events (`status` events, then one `end`
 * event with the final order, then the stream closes), read from the workflow's history as the Temporal server
 * writes it. Resumes after `Last-Event-ID` (or `?after=`). With `?wait=N` it is a long-poll instead: JSON with
 * the events after `after`, as soon as there is one, or none after N seconds.
 */
export function orderEvents(ctx: OrdersContext): RequestHandler {
  return async (req, res) => {
    const orderId = parseOrderId(req.params.id);
    const query = OrderEventsQuerySchema.parse(req.query);
    correlate(req, orderId);
    const after = query.after ?? lastEventId(req.get('Last-Event-ID')) ?? 0;
    const description = await describeOrder(ctx, req.apiKey!, orderId);
    // Each stream or long-poll holds a history long-poll for minutes: capped per process and per tenant.
    const release = ctx.waits.acquire(waiterOf(req.apiKey!));
    if (!release) {
      throw new ApiError(
        'RATE_LIMITED',
        'too many open event streams and waits for this tenant; retry later',
        undefined,
        {
          'Retry-After': '5',
        },
      );
    }
    res.on('close', release);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    // wait=0 reads what there is and stops at the first `idle`, with no timer: a read cancelled mid-query interrupts
    // the dev server's SQLite query under it (and fails others on that connection for a moment).
    const seconds = query.wait ?? ctx.config.EVENTS_STREAM_MAX_SECONDS;
    const limit = seconds > 0 ? setTimeout(() => abort.abort(), seconds * 1000) : undefined;
    // From the chain's first run: event ids then stay the same whichever run is current when a client (re)connects.
    const firstRunId = description.raw.workflowExecutionInfo?.firstRunId || description.runId;
    const changes = statusChanges(ctx.client, orderId, firstRunId, abort.signal);
    try {
      if (query.wait !== undefined) {
        const events: OrderEvent[] = [];
        for await (const change of changes) {
          if (change.kind === 'idle') {
            if (events.length > 0 || query.wait === 0) break;
            continue;
          }
          if (change.id > after) events.push(await toEvent(ctx, req, orderId, change));
        }
        const ended = events.some((e) => e.type === 'end');
        res.json({ orderId, events, ended, lastEventId: events.at(-1)?.id ?? after });
        return;
      }
      const end = openEventStream(req, res, 'order');
      try {
        for await (const change of changes) {
          if (change.kind !== 'idle' && change.id > after) sse(res, await toEvent(ctx, req, orderId, change));
        }
        end();
      } catch (err) {
        end(err);
      }
    } finally {
      clearTimeout(limit);
      abort.abort();
      release();
    }
  };
}
