import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestHandler } from 'express';
import { ApiError } from '../errors';
import { openEventStream } from '../event-stream';
import type { OrdersContext } from '../orders/common';
import { waiterOf } from '../orders/common';
import type { OperationView } from '../schemas';
import { withDeadline } from '../temporal';
import { visibleOperation } from './common';
import { operationState, operationView } from './view';

/** How often the stream reads the operation's state (its results arrive at most a few per second per saga batch). */
const POLL_MS = 1_000;

/**
 * GET /operations/:id/events (operator): the operation as Server-Sent Events. A `progress` event with the whole
 * operation now and whenever it changes (a saga's outcome, a pause, a resume), then one `end` event once it has
 * ended, then the stream closes. Each event carries the whole operation, so a client that reconnects needs no event
 * id: its first event is the operation as it is.
 */
export function operationEvents(ctx: OrdersContext): RequestHandler {
  return async (req, res) => {
    const id = String(req.params.id);
    const read = async () => {
      const operation = await visibleOperation(ctx, req.apiKey!, id);
      const running = operation.description.status.name === 'RUNNING';
      return { running, view: operationView(await operationState(operation)) };
    };
    const deadline = () => withDeadline(ctx.client, ctx.config.TEMPORAL_RPC_TIMEOUT_MS, read);
    let current = await deadline();
    const release = ctx.waits.acquire(waiterOf(req.apiKey!));
    if (!release) {
      throw new ApiError('RATE_LIMITED', 'too many open event streams and waits; retry later', undefined, {
        'Retry-After': '5',
      });
    }
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    const end = openEventStream(req, res, 'operation');
    const send = (type: 'progress' | 'end', operation: OperationView) =>
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, operation })}\n\n`);
    const until = Date.now() + ctx.config.EVENTS_STREAM_MAX_SECONDS * 1_000;
    try {
      let sent = '';
      while (!closed.signal.aborted) {
        const text = JSON.stringify(current.view);
        if (!current.running) {
          send('end', current.view);
          break;
        }
        if (text !== sent) send('progress', current.view);
        sent = text;
        if (Date.now() + POLL_MS > until) break;
        await sleep(POLL_MS, undefined, { signal: closed.signal }).catch(() => undefined);
        if (!closed.signal.aborted) current = await deadline();
      }
      end();
    } catch (err) {
      end(err);
    } finally {
      release();
    }
  };
}
