import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { CreateOrderSchema, ErrorSchema, IdempotencyKeySchema, ORDER_ACTIONS, SAGA_STATUSES } from '../../api/schemas';
import { createLocalEnv } from '../helpers/temporal';
import type { ApiResponse, TestApi } from './harness';
import { KEYS, newKey, startApi, validOrder } from './harness';

// Property-based fuzzing of the public API (fast-check) on the real dev server: random and malformed bodies,
// headers, JSON, paths and query strings, and raw bytes on the socket. Whatever arrives, the API answers 4xx (or
// the success the request deserves), never 5xx; it starts a saga exactly for the requests it answered 202 (none
// for invalid input, checked in Temporal visibility); and it keeps answering. No worker polls the fuzz's task
// queue, so the sagas it does start just wait; the dev server goes away with the test. Bounded: a fixed number of
// runs per property, a fixed seed (FUZZ_SEED to vary it, FUZZ_RUNS to scale it).

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const params = (runs = RUNS): fc.Parameters<unknown> => ({ seed: SEED, numRuns: runs, endOnFailure: true });

let env: TestWorkflowEnvironment;
let api: TestApi;
const taskQueue = `api-fuzz-${process.pid}`;
/** Orders the API answered 202 for: exactly these may have a workflow. */
const started = new Set<string>();
const answered: Record<number, number> = {};

before(async () => {
  env = await createLocalEnv();
  // The rate limit is tested elsewhere; here it would only turn the fuzz's volume into 429s.
  api = await startApi(env.client, { TASK_QUEUE: taskQueue, RATE_LIMIT_PER_MINUTE: '1000000' });
});
after(async () => {
  await api?.close();
  await env?.teardown();
});

/** Every answer: never 5xx; an error has the one error shape; a 202 records its order. */
function expectSane(res: ApiResponse, what: string): void {
  answered[res.status] = (answered[res.status] ?? 0) + 1;
  assert.ok(res.status < 500, `${what} → ${res.status} ${res.text.slice(0, 500)}`);
  if (res.status >= 400) {
    const parsed = ErrorSchema.safeParse(res.body);
    assert.ok(parsed.success, `${what} → ${res.status} without the error shape: ${res.text.slice(0, 300)}`);
  }
  if (res.status === 202) started.add((res.body as { orderId: string }).orderId);
}

const createOrder = (body: { json?: unknown; raw?: string }, headers: Record<string, string>, key?: string) =>
  api.request('POST', '/orders', {
    key: key ?? KEYS.client,
    ...(body.raw !== undefined ? { raw: body.raw } : { body: body.json }),
    headers,
  });

// ── generators ──────────────────────────────────────────────────────────────────────────────────────

/** A field that is usually plausible and often not: the wrong type, out of range, empty, huge. */
const sometimes = <T>(plausible: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: plausible }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
/** Mostly the first, sometimes the second. */
const mostly = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: odd });

const itemFields = {
  sku: sometimes(mostly(fc.constantFrom('SKU-1', 'SKU-2'), fc.string({ maxLength: 80 }))),
  quantity: sometimes(
    mostly(fc.integer({ min: 1, max: 1_000 }), fc.oneof(fc.integer({ min: -5, max: 1_005 }), fc.double())),
  ),
};
/** An order line: both fields, or any of them missing and an unknown one. */
const item = mostly<Record<string, unknown>>(
  fc.record(itemFields),
  fc.record({ ...itemFields, extra: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }),
);

/** Orders near the valid shape: each field valid, missing, mistyped or out of range; sometimes extra fields. */
const orderFields = {
  customerId: sometimes(mostly(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 80 }))),
  currency: sometimes(mostly(fc.constantFrom('EUR', 'USD'), fc.stringMatching(/^[A-Za-z]{2,4}$/))),
  items: sometimes(
    mostly(fc.array(item, { minLength: 1, maxLength: 3 }), fc.array(sometimes(item), { maxLength: 55 })),
  ),
  paymentMethod: sometimes(mostly(fc.constant('tok_ok'), fc.string({ maxLength: 80 }))),
};
const orderish = mostly<Record<string, unknown>>(
  fc.record(orderFields),
  fc.record({ ...orderFields, note: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }),
);

/** Header values a client can send: Latin-1 without CR, LF and NUL. */
const headerValue = (maxLength = 250) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code === 0x7f ? 0x20 : code)),
    maxLength,
  });

const validKey = () => newKey('fuzz');

describe('API fuzz (fast-check)', () => {
  it('POST /orders with bodies near the valid shape: 202 exactly when the body is valid, else 400', async () => {
    await fc.assert(
      fc.asyncProperty(orderish, async (body) => {
        const json = JSON.parse(JSON.stringify(body)) as unknown;
        const res = await createOrder({ json }, { 'Idempotency-Key': validKey() });
        expectSane(res, `POST /orders ${JSON.stringify(json).slice(0, 300)}`);
        const valid = CreateOrderSchema.safeParse(json).success;
        assert.equal(res.status, valid ? 202 : 400, `${JSON.stringify(json).slice(0, 300)} → ${res.text}`);
      }),
      params(),
    );
  });

  it('POST /orders with any JSON value as the body: never a saga unless it is a valid order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (json) => {
        const res = await createOrder({ json }, { 'Idempotency-Key': validKey() });
        expectSane(res, `POST /orders ${JSON.stringify(json).slice(0, 300)}`);
        if (!CreateOrderSchema.safeParse(json).success) assert.notEqual(res.status, 202);
      }),
      params(),
    );
  });

  it('POST /orders with malformed JSON and arbitrary bytes: 4xx', async () => {
    const valid = JSON.stringify(validOrder());
    const mangled = fc
      .tuple(fc.nat({ max: valid.length }), fc.nat({ max: 20 }), fc.string({ maxLength: 20 }))
      .map(([at, cut, insert]) => valid.slice(0, at) + insert + valid.slice(at + cut));
    const raw = fc.oneof(
      mangled,
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constantFrom(
        '',
        ' ',
        'null',
        '[]',
        '{}',
        '"x"',
        '1e999',
        '{"a":',
        '\u0000',
        '{"items":[{"sku":"S","quantity":1e400}]}',
        valid.replace('{', '{"__proto__":{"role":"operator"},'),
        valid.replace('{', '{"constructor":{"prototype":{"x":1}},'),
        `[${valid}]`,
        valid + valid,
      ),
    );
    await fc.assert(
      fc.asyncProperty(raw, async (text) => {
        const res = await createOrder({ raw: text }, { 'Idempotency-Key': validKey() });
        expectSane(res, `POST /orders raw ${JSON.stringify(text).slice(0, 300)}`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        if (!CreateOrderSchema.safeParse(parsed).success) assert.notEqual(res.status, 202);
      }),
      params(),
    );
  });

  it('POST /orders with random headers (keys, idempotency keys, content types): 4xx unless all are right', async () => {
    const header = fc.oneof(headerValue(), fc.constant(undefined));
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/vnd.api+json',
        '',
      ),
      headerValue(60),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          authorization: fc.oneof(
            fc.constant(`Bearer ${KEYS.client}`),
            fc.constant(`bearer   ${KEYS.operator}  `),
            headerValue(),
            fc.constant(undefined),
          ),
          apiKey: header,
          // A fresh key per run when it is a valid one, so a run never replays another's order.
          idempotencyKey: fc.oneof(
            fc.constant(null).map(() => validKey()),
            header,
          ),
          contentType,
          json: fc.boolean(),
        }),
        async (h) => {
          const headers: Record<string, string> = { 'content-type': h.contentType };
          if (h.authorization !== undefined) headers.authorization = h.authorization;
          if (h.apiKey !== undefined) headers['x-api-key'] = h.apiKey;
          if (h.idempotencyKey !== undefined) headers['idempotency-key'] = h.idempotencyKey;
          const body = h.json ? JSON.stringify(validOrder()) : 'customerId=a&currency=EUR';
          const res = await api.request('POST', '/orders', { raw: body, headers });
          expectSane(res, `POST /orders headers ${JSON.stringify(headers).slice(0, 300)}`);
          const keyOk =
            h.idempotencyKey !== undefined && IdempotencyKeySchema.safeParse(h.idempotencyKey.trim()).success;
          if (!h.json || !keyOk) assert.notEqual(res.status, 202, JSON.stringify(headers));
        },
      ),
      params(),
    );
  });

  it('reads, listings and actions with random ids, queries and bodies: never 5xx', async () => {
    const id = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/),
      fc.string({ maxLength: 120 }).map(encodeURIComponent),
      fc.constantFrom('ord_000000000000000000000000', '..', '%2e%2e', '%00', 'a%2Fb', '%E0%A4%A'),
    );
    const query = fc.dictionary(
      fc.oneof(fc.constantFrom('status', 'customerId', 'pageSize', 'nextPageToken'), fc.string({ maxLength: 12 })),
      fc.oneof(fc.constantFrom(...SAGA_STATUSES, '0', '101', '-1', '1e3', 'abc.def', ''), fc.string({ maxLength: 60 })),
      { maxKeys: 4 },
    );
    const request = fc.oneof(
      id.map((orderId) => ({ method: 'GET', path: `/orders/${orderId}` })),
      query.map((q) => ({ method: 'GET', path: `/orders?${new URLSearchParams(q).toString()}` })),
      fc.string({ maxLength: 40 }).map((q) => ({ method: 'GET', path: `/orders?${q.replace(/#/g, '')}` })),
      fc
        .tuple(id, fc.constantFrom(...ORDER_ACTIONS), fc.jsonValue({ maxDepth: 2 }))
        .map(([orderId, action, body]) => ({ method: 'POST', path: `/orders/${orderId}/${action}`, body })),
      fc
        .tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS'), fc.constantFrom('/orders', '/orders/x', '/health'))
        .map(([method, path]) => ({ method, path })),
    );
    await fc.assert(
      fc.asyncProperty(request, async (r: { method: string; path: string; body?: unknown }) => {
        const res = await api.request(r.method, r.path, {
          key: KEYS.operator,
          ...(r.body === undefined ? {} : { body: r.body }),
          headers: { 'Idempotency-Key': validKey() },
        });
        expectSane(res, `${r.method} ${r.path} ${JSON.stringify(r.body ?? null).slice(0, 200)}`);
        assert.notEqual(res.status, 202, 'no action can be in progress on an order that does not exist');
      }),
      params(),
    );
  });

  it('raw bytes on the socket: the server answers 4xx or hangs up, and keeps serving', async () => {
    const port = Number(new URL(api.url).port);
    const send = (payload: Buffer): Promise<string> =>
      new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        let answer = '';
        socket.setTimeout(3_000, () => socket.destroy());
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(answer));
        socket.on('connect', () => {
          socket.write(payload);
          // Half-close: whatever the server makes of it, it must answer or hang up.
          socket.end();
        });
      });
    const auth = `Authorization: Bearer ${KEYS.client}\r\n`;
    const body = JSON.stringify(validOrder());
    const requestLike = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ maxLength: 200 }).map((s) => Buffer.from(`POST /orders HTTP/1.1\r\nHost: x\r\n${auth}${s}\r\n\r\n`)),
      fc
        .tuple(fc.integer({ min: -5, max: 500 }), fc.string({ maxLength: 100 }))
        .map(([length, text]) =>
          Buffer.from(
            `POST /orders HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nIdempotency-Key: ${validKey()}\r\nContent-Length: ${length}\r\n\r\n${text}`,
          ),
        ),
      fc
        .string({ maxLength: 30 })
        .map((size) =>
          Buffer.from(
            `POST /orders HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nIdempotency-Key: ${validKey()}\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\n${body}\r\n0\r\n\r\n`,
          ),
        ),
    );
    await fc.assert(
      fc.asyncProperty(requestLike, async (payload) => {
        const answer = await send(payload);
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1];
        if (status) {
          answered[Number(status)] = (answered[Number(status)] ?? 0) + 1;
          assert.ok(
            Number(status) < 500,
            `${JSON.stringify(payload.toString('latin1')).slice(0, 300)} → ${answer.slice(0, 300)}`,
          );
          if (status === '202') {
            const orderId = /"orderId":"(ord_[0-9a-f]+)"/.exec(answer)?.[1];
            if (orderId) started.add(orderId);
          }
        }
        const health = await api.request('GET', '/health');
        assert.equal(health.status, 200, 'still serving');
      }),
      params(Math.max(20, Math.round(RUNS / 2))),
    );
  });

  it('afterwards: the API still serves, and Temporal has a saga for exactly the orders answered 202', async (t) => {
    assert.equal((await api.request('GET', '/health')).status, 200);
    const last = await createOrder({ json: validOrder() }, { 'Idempotency-Key': validKey() });
    expectSane(last, 'a valid order after the fuzz');
    assert.equal(last.status, 202);
    assert.ok(Object.keys(answered).length > 3, `a variety of answers: ${JSON.stringify(answered)}`);

    const query = `TaskQueue = "${taskQueue}"`;
    let ids: string[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      ids = [];
      for await (const execution of env.client.workflow.list({ query })) ids.push(execution.workflowId);
      if (ids.length >= started.size) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(ids.sort(), [...started].sort(), `answers: ${JSON.stringify(answered)}`);
    assert.equal(new Set(ids).size, ids.length, 'one workflow per order');
    t.diagnostic(`answers by status: ${JSON.stringify(answered)}; sagas started: ${started.size}`);
  });
});
