import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderEvent } from '../../api/schemas';
import { OrderAcceptedSchema, OrderEventPageSchema, OrderEventSchema, OrderViewSchema } from '../../api/schemas';
import { apiOnDevServer, KEYS, newKey, pollUntil, readSse, validOrder } from './harness';

// Outcomes without polling, on the real dev server: POST /orders with Prefer: wait=N, the SSE stream of an
// order's status changes (read with fetch, as a browser's EventSource would), and the ?wait= long-poll.
const suite = apiOnDevServer('outcomes');
const { run } = suite;

/** 200 units at 1000 minor each reach the approval threshold: the saga waits for an operator. */
const large = () => validOrder({ items: [{ sku: 'SKU-BIG', quantity: 200 }] });

const create = (body: Record<string, unknown>, headers: Record<string, string> = {}, key = newKey('outcome')) =>
  suite.api.request('POST', '/orders', { key: KEYS.client, body, headers: { 'Idempotency-Key': key, ...headers } });

const approve = (orderId: string) =>
  suite.api.request('POST', `/orders/${orderId}/approve`, { key: KEYS.operator, body: { approved: true } });

/** Reads a text/event-stream response to its end (the server closes it after the end event). */
function readStream(res: Response, onEvent: (event: OrderEvent) => Promise<void> | void = () => undefined) {
  return readSse(res, async (message) => {
    if (message.event !== 'error') await onEvent(OrderEventSchema.parse(JSON.parse(message.data!)));
  });
}

const stream = (orderId: string, headers: Record<string, string> = {}) =>
  fetch(`${suite.api.url}/orders/${orderId}/events`, {
    headers: { authorization: `Bearer ${KEYS.client}`, accept: 'text/event-stream', ...headers },
  });

describe('outcomes without polling', () => {
  it('Prefer: wait=N answers 200 with the final order when the saga ends in time, also on a replay', () =>
    run(async () => {
      const key = newKey('wait');
      const res = await create(validOrder(), { Prefer: 'wait=20' }, key);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers.get('preference-applied'), 'wait=20');
      const view = OrderViewSchema.parse(res.body);
      assert.equal(view.status, 'COMPLETED');
      assert.equal(view.workflowStatus, 'COMPLETED');
      assert.equal(view.state?.completedSteps.at(-1), 'confirmOrder');

      const replay = await create(validOrder(), { Prefer: 'respond-async, wait=5' }, key);
      assert.equal(replay.status, 200, replay.text);
      assert.equal(replay.headers.get('idempotent-replay'), 'true');
      assert.equal(OrderViewSchema.parse(replay.body).orderId, view.orderId);
    }));

  it('Prefer: wait=N answers 202 as without it when the saga is still running after N seconds', () =>
    run(async () => {
      const res = await create(large(), { Prefer: 'wait=1' });
      assert.equal(res.status, 202, res.text);
      assert.equal(res.headers.get('preference-applied'), 'wait=1');
      const accepted = OrderAcceptedSchema.parse(res.body);
      const clamped = await create(large(), { Prefer: 'wait=100000' });
      assert.equal(clamped.headers.get('preference-applied'), 'wait=60', 'clamped to the longest wait');
      for (const orderId of [accepted.orderId, OrderAcceptedSchema.parse(clamped.body).orderId]) {
        assert.equal((await approve(orderId)).status, 200);
      }
    }));

  it('GET /orders/{id}/events streams each status change until the end, and resumes after Last-Event-ID', () =>
    run(async () => {
      const res = await create(large());
      const { orderId } = OrderAcceptedSchema.parse(res.body);
      const live = await stream(orderId);
      assert.equal(live.status, 200);
      assert.match(live.headers.get('content-type') ?? '', /^text\/event-stream/);
      const seen: OrderEvent[] = [];
      const messages = await readStream(live, async (event) => {
        seen.push(event);
        // The stream is live: the approval happens while it is open, and its consequences arrive on it.
        if (event.status === 'AWAITING_APPROVAL') assert.equal((await approve(orderId)).status, 200);
      });
      assert.deepEqual(
        seen.map((e) => `${e.type}:${e.status}`),
        ['status:RUNNING', 'status:AWAITING_APPROVAL', 'status:RUNNING', 'status:COMPLETED', 'end:COMPLETED'],
      );
      assert.deepEqual(
        messages.map((m) => m.event),
        ['status', 'status', 'status', 'status', 'end'],
      );
      const ids = seen.map((e) => e.id);
      assert.deepEqual(
        [...ids].sort((a, b) => a - b),
        ids,
        'ids grow',
      );
      assert.equal(messages[1]?.id, String(ids[1]));
      assert.equal(seen.at(-1)?.order?.status, 'COMPLETED', 'the end event carries the final order');
      // A client key sees who approved as a role, not the operator's name (issue 25, item 12).
      assert.equal(seen.at(-1)?.order?.approval?.by, 'operator');

      const resumed = await readStream(await stream(orderId, { 'Last-Event-ID': String(ids[1]) }));
      assert.deepEqual(
        resumed.map((m) => m.id),
        ids.slice(2).map(String),
        'after a reconnect: only what followed the last event seen',
      );
    }));

  it('?wait=N long-polls: the events after `after` as soon as there are any, an empty page after N seconds', () =>
    run(async () => {
      const { orderId } = OrderAcceptedSchema.parse((await create(large())).body);
      const page = async (query: string) => {
        const res = await suite.api.request('GET', `/orders/${orderId}/events${query}`, { key: KEYS.client });
        assert.equal(res.status, 200, res.text);
        return OrderEventPageSchema.parse(res.body);
      };
      const waiting = await pollUntil(
        () => page('?wait=0'),
        (p) => p.events.some((e) => e.status === 'AWAITING_APPROVAL'),
        'AWAITING_APPROVAL',
      );
      assert.equal(waiting.ended, false);
      const quiet = await page(`?wait=1&after=${waiting.lastEventId}`);
      assert.deepEqual(quiet.events, [], 'nothing happened in 1 s');
      assert.equal(quiet.lastEventId, waiting.lastEventId);

      const next = page(`?wait=30&after=${waiting.lastEventId}`);
      assert.equal((await approve(orderId)).status, 200);
      const woken = await next;
      assert.equal(woken.events[0]?.status, 'RUNNING', 'answered when the saga moved on');
      const rest = await pollUntil(
        () => page(`?wait=10&after=${woken.lastEventId}`),
        (p) => p.ended,
        'the end',
      );
      assert.equal(rest.events.at(-1)?.type, 'end');
    }));
});
