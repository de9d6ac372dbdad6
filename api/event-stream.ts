import type { Request, Response } from 'express';
import { toApiError } from './errors';

const KEEPALIVE_MS = 15_000;
/** What an EventSource waits before it reconnects once a stream closed. */
const RECONNECT_MS = 2_000;

/**
 * Starts a Server-Sent Events answer (headers, the client's reconnect delay, a keepalive comment every 15 s) and
 * returns what ends it: with `err`, after an `error` event in the API's error shape (the client reconnects).
 */
export function openEventStream(req: Request, res: Response, what: string): (err?: unknown) => void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write(`retry: ${RECONNECT_MS}\n\n`);
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  return (err?: unknown) => {
    clearInterval(keepalive);
    if (err !== undefined) {
      req.log.warn({ err }, `${what} event stream failed`);
      const known = toApiError(err);
      const error = {
        code: known?.code ?? 'INTERNAL',
        message: known?.message ?? 'the event stream failed; reconnect',
      };
      res.write(`event: error\ndata: ${JSON.stringify({ type: 'error', error, requestId: req.id })}\n\n`);
    }
    res.end();
  };
}
