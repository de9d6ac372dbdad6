import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { Validator } from '@seriousme/openapi-schema-validator';
import { z } from 'zod';
import { ERROR_CODES } from '../../api/errors';
import { CreateOrderSchema } from '../../api/schemas';
import { componentSchemas } from '../../api/openapi/parts';
import type { TestApi } from './harness';
import { assertError, KEYS, newKey, startApi, validOrder } from './harness';
import { acceptsFaultTestCards } from '../../api/config';

// HTTP behaviour that needs no running Temporal: the client's connection points at a closed port, so any
// request that reaches Temporal answers 503 — which is itself one of the things tested here, and proves that
// validation, auth and routing failures are answered before Temporal is asked.
const deadConnection = Connection.lazy({ address: '127.0.0.1:1' });
const deadClient = new Client({ connection: deadConnection });
let api: TestApi;

before(async () => {
  api = await startApi(deadClient, { TEMPORAL_RPC_TIMEOUT_MS: '500' });
});
after(async () => {
  await api?.close();
  await deadConnection.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}, key: string = KEYS.client) =>
  api.request('POST', path, { key, body, headers });
/** `idempotencyKey: null` sends none. */
const createOrder = (body: unknown, idempotencyKey: string | null = newKey()) =>
  post('/orders', body, idempotencyKey === null ? {} : { 'Idempotency-Key': idempotencyKey });

describe('API over HTTP without Temporal', () => {
  it('GET /health is 200 and GET /ready is 503 with Retry-After while Temporal is down', async () => {
    const health = await api.request('GET', '/health');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    const ready = await api.request('GET', '/ready');
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body, { status: 'unavailable', temporal: { namespace: 'default' } });
    assert.equal(ready.headers.get('retry-after'), '5');
  });

  it('Temporal unreachable: every route that needs it answers 503 TEMPORAL_UNAVAILABLE with Retry-After: 5', async () => {
    const started = Date.now();
    const responses = await Promise.all([
      createOrder(validOrder()),
      api.request('GET', '/orders/ord_0123456789abcdef01234567', { key: KEYS.client }),
      api.request('GET', '/orders?status=RUNNING', { key: KEYS.client }),
      post('/orders/ord_0123456789abcdef01234567/cancel', { reason: 'changed my mind' }),
      post('/orders/ord_0123456789abcdef01234567/approve', { approved: true }, {}, KEYS.operator),
    ]);
    for (const res of responses) {
      const error = assertError(res, 503, 'TEMPORAL_UNAVAILABLE');
      assert.match(error.message, /unreachable/);
      assert.equal(res.headers.get('retry-after'), '5');
    }
    assert.ok(Date.now() - started < 10_000, 'answers within the RPC deadline, not after the SDK retries');
  });

  describe('request ids', () => {
    it('echoes a sane X-Request-Id in the header and in error bodies', async () => {
      const res = await api.request('GET', '/nope', { headers: { 'X-Request-Id': 'trace-abc.123:4' } });
      assert.equal(res.headers.get('x-request-id'), 'trace-abc.123:4');
      assert.equal(
        assertError(res, 404, 'NOT_FOUND') && (res.body as { requestId: string }).requestId,
        'trace-abc.123:4',
      );
    });

    it('replaces an insane one with a generated UUID, and generates one when absent', async () => {
      const insane = await api.request('GET', '/health', { headers: { 'X-Request-Id': 'has spaces and "quotes"' } });
      assert.match(insane.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      const tooLong = await api.request('GET', '/health', { headers: { 'X-Request-Id': 'a'.repeat(129) } });
      assert.match(tooLong.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
      const [a, b] = await Promise.all([api.request('GET', '/health'), api.request('GET', '/health')]);
      assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
    });

    it('sends the order id as the correlation header X-Workflow-Id', async () => {
      const key = newKey();
      const res = await createOrder(validOrder(), key);
      assert.match(res.headers.get('x-workflow-id') ?? '', /^ord_[0-9a-f]{24}$/);
    });
  });

  describe('routing', () => {
    it('unknown routes are 404 NOT_FOUND, without needing a key', async () => {
      assertError(await api.request('GET', '/nope'), 404, 'NOT_FOUND');
      assertError(await api.request('POST', '/orders/x/explode', { key: KEYS.client, body: {} }), 404, 'NOT_FOUND');
    });

    it('a known path with the wrong method is 405 METHOD_NOT_ALLOWED with Allow', async () => {
      const res = await api.request('DELETE', '/orders/ord_0123456789abcdef01234567', { key: KEYS.client });
      assertError(res, 405, 'METHOD_NOT_ALLOWED');
      assert.equal(res.headers.get('allow'), 'GET');
      const cancel = await api.request('GET', '/orders/ord_0123456789abcdef01234567/cancel', { key: KEYS.client });
      assertError(cancel, 405, 'METHOD_NOT_ALLOWED');
      assert.equal(cancel.headers.get('allow'), 'POST');
    });

    it('order ids that cannot exist are 404 ORDER_NOT_FOUND without asking Temporal', async () => {
      // Including ids that are not even valid percent-encoding (the router cannot decode them).
      for (const id of ['has%20space', '%22%20OR%201%3D1', 'a'.repeat(101), 'semi;colon', '%E0%A4%A', '%', 'a%zz']) {
        assertError(await api.request('GET', `/orders/${id}`, { key: KEYS.client }), 404, 'ORDER_NOT_FOUND');
        assertError(await post(`/orders/${id}/cancel`, { reason: 'x' }), 404, 'ORDER_NOT_FOUND');
      }
    });
  });

  describe('authentication and roles', () => {
    const id = 'ord_0123456789abcdef01234567';
    const rid = 'ret_0123456789abcdef01234567';
    const routes: { method: string; path: string; body?: unknown; role: 'client' | 'operator' }[] = [
      { method: 'POST', path: '/orders', body: validOrder(), role: 'client' },
      { method: 'GET', path: '/orders', role: 'client' },
      { method: 'GET', path: `/orders/${id}`, role: 'client' },
      { method: 'GET', path: `/orders/${id}/events?wait=0`, role: 'client' },
      { method: 'POST', path: `/orders/${id}/cancel`, body: { reason: 'r' }, role: 'client' },
      { method: 'POST', path: `/orders/${id}/approve`, body: { approved: true }, role: 'operator' },
      { method: 'POST', path: `/orders/${id}/retry-compensation`, body: {}, role: 'operator' },
      { method: 'POST', path: `/orders/${id}/skip-compensation`, body: { reason: 'fixed by hand' }, role: 'operator' },
      { method: 'POST', path: `/orders/${id}/retry-step`, body: {}, role: 'operator' },
      { method: 'POST', path: `/orders/${id}/resolve-step`, body: { reason: 'done by hand' }, role: 'operator' },
      { method: 'POST', path: `/orders/${id}/restart`, body: { fromStep: 'markPaid' }, role: 'operator' },
      { method: 'POST', path: `/orders/${id}/returns/${rid}/restart`, body: { fromStep: 'refund' }, role: 'operator' },
      {
        method: 'POST',
        path: `/orders/${id}/returns`,
        body: { items: [{ sku: 'SKU-1', quantity: 1 }] },
        role: 'client',
      },
      { method: 'GET', path: `/orders/${id}/returns/${rid}`, role: 'client' },
      { method: 'POST', path: `/orders/${id}/returns/${rid}/cancel`, body: { reason: 'r' }, role: 'client' },
      { method: 'POST', path: `/orders/${id}/returns/${rid}/approve`, body: { approved: true }, role: 'operator' },
      { method: 'POST', path: `/orders/${id}/returns/${rid}/parcel-received`, body: {}, role: 'operator' },
      { method: 'POST', path: `/orders/${id}/returns/${rid}/retry-step`, body: {}, role: 'operator' },
      { method: 'POST', path: `/orders/${id}/returns/${rid}/resolve-step`, body: { reason: 'x' }, role: 'operator' },
      { method: 'POST', path: `/orders/${id}/returns/${rid}/retry-compensation`, body: {}, role: 'operator' },
      {
        method: 'POST',
        path: `/orders/${id}/returns/${rid}/skip-compensation`,
        body: { reason: 'x' },
        role: 'operator',
      },
    ];

    it('every order route is 401 UNAUTHORIZED without a key, with an unknown key, or a malformed header', async () => {
      for (const route of routes) {
        const headers = { 'Idempotency-Key': newKey() };
        const none = await api.request(route.method, route.path, { body: route.body, headers });
        assertError(none, 401, 'UNAUTHORIZED');
        assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
        const unknown = await api.request(route.method, route.path, {
          key: 'sk_not_a_key_0000',
          body: route.body,
          headers,
        });
        assertError(unknown, 401, 'UNAUTHORIZED');
        const basic = await api.request(route.method, route.path, {
          body: route.body,
          headers: { ...headers, Authorization: `Basic ${Buffer.from(`u:${KEYS.client}`).toString('base64')}` },
        });
        assertError(basic, 401, 'UNAUTHORIZED');
      }
    });

    it('operator routes are 403 FORBIDDEN for a client key; client routes pass auth for both roles (creating needs a tenant)', async () => {
      const checks = routes.flatMap((route) =>
        [KEYS.client, KEYS.operator, KEYS.otherOperator].map(async (key) => {
          const res = await api.request(route.method, route.path, {
            key,
            body: route.body,
            headers: { 'Idempotency-Key': newKey() },
          });
          if (route.role === 'operator' && key === KEYS.client) {
            const error = assertError(res, 403, 'FORBIDDEN');
            assert.match(error.message, /operator/);
          } else if (
            route.method === 'POST' &&
            /^\/orders(\/[^/]+\/returns)?$/.test(route.path) &&
            key === KEYS.operator
          ) {
            // A global operator belongs to no tenant, so it has no orders of its own to create.
            const error = assertError(res, 403, 'FORBIDDEN');
            assert.match(error.message, /global operator/);
          } else {
            // Authorized: the request reached Temporal, which is down.
            assertError(res, 503, 'TEMPORAL_UNAVAILABLE');
          }
        }),
      );
      await Promise.all(checks);
    });

    it('accepts the key as X-API-Key too', async () => {
      const res = await api.request('GET', '/orders', { headers: { 'X-API-Key': KEYS.client } });
      assertError(res, 503, 'TEMPORAL_UNAVAILABLE');
    });

    it('the docs, the OpenAPI document, health and readiness need no key', async () => {
      assert.equal((await api.request('GET', '/openapi.json')).status, 200);
      assert.equal((await api.request('GET', '/docs')).status, 200);
      assert.equal((await api.request('GET', '/health')).status, 200);
    });
  });

  describe('validation of POST /orders', () => {
    it('the Idempotency-Key header is required, 1-200 printable characters', async () => {
      const missing = assertError(await createOrder(validOrder(), null), 400, 'INVALID_IDEMPOTENCY_KEY');
      assert.match(missing.message, /required/);
      assertError(await createOrder(validOrder(), ''), 400, 'INVALID_IDEMPOTENCY_KEY');
      assertError(await createOrder(validOrder(), '   '), 400, 'INVALID_IDEMPOTENCY_KEY');
      assertError(await createOrder(validOrder(), 'k'.repeat(201)), 400, 'INVALID_IDEMPOTENCY_KEY');
      assertError(await createOrder(validOrder(), 'k'.repeat(200)), 503, 'TEMPORAL_UNAVAILABLE');
    });

    const invalid: [string, unknown, string][] = [
      ['empty body', {}, 'customerId'],
      ['customerId not a string', validOrder({ customerId: 42 }), 'customerId'],
      ['customerId with quotes (query injection)', validOrder({ customerId: 'x" OR "1"="1' }), 'customerId'],
      ['customerId too long', validOrder({ customerId: 'c'.repeat(65) }), 'customerId'],
      ['currency lowercase', validOrder({ currency: 'eur' }), 'currency'],
      ['currency too long', validOrder({ currency: 'EURO' }), 'currency'],
      ['items missing', validOrder({ items: undefined }), 'items'],
      ['items empty', validOrder({ items: [] }), 'items'],
      [
        '51 items',
        validOrder({ items: Array.from({ length: 51 }, (_, i) => ({ sku: `S${i}`, quantity: 1 })) }),
        'items',
      ],
      ['quantity zero', validOrder({ items: [{ sku: 'A', quantity: 0 }] }), 'items.0.quantity'],
      ['quantity negative', validOrder({ items: [{ sku: 'A', quantity: -3 }] }), 'items.0.quantity'],
      ['quantity fractional', validOrder({ items: [{ sku: 'A', quantity: 1.5 }] }), 'items.0.quantity'],
      ['quantity as string', validOrder({ items: [{ sku: 'A', quantity: '2' }] }), 'items.0.quantity'],
      ['quantity above 1000', validOrder({ items: [{ sku: 'A', quantity: 1001 }] }), 'items.0.quantity'],
      ['sku empty', validOrder({ items: [{ sku: '', quantity: 1 }] }), 'items.0.sku'],
      ['unknown item field', validOrder({ items: [{ sku: 'A', quantity: 1, price: 1 }] }), 'items.0'],
      ['unknown top-level field', validOrder({ approvalThresholdMinor: 0 }), ''],
      ['paymentMethod missing', validOrder({ paymentMethod: undefined }), 'paymentMethod'],
      ['array instead of object', [validOrder()], ''],
    ];
    for (const [name, body, path] of invalid) {
      it(`${name} → 400 VALIDATION_ERROR naming ${path || 'the body'}`, async () => {
        const error = assertError(await createOrder(body), 400, 'VALIDATION_ERROR');
        const issues = (error.details as { issues: { path: string; message: string }[] }).issues;
        assert.ok(issues.length > 0);
        assert.ok(
          issues.some((issue) => issue.path === path),
          `an issue at "${path}": ${JSON.stringify(issues)}`,
        );
      });
    }

    it('malformed JSON → 400 INVALID_JSON', async () => {
      const res = await api.request('POST', '/orders', {
        key: KEYS.client,
        raw: '{"customerId": "c1", ',
        headers: { 'Idempotency-Key': newKey() },
      });
      assertError(res, 400, 'INVALID_JSON');
    });

    it('a body over 64kb → 413 PAYLOAD_TOO_LARGE', async () => {
      const huge = validOrder({ paymentMethod: 'x'.repeat(70 * 1024) });
      assertError(await createOrder(huge), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('a body that is not JSON → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const res = await api.request('POST', '/orders', {
        key: KEYS.client,
        raw: 'customerId=c1',
        headers: { 'Idempotency-Key': newKey(), 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      assertError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  // Issue 25, item 9: the payment service's cards that fail or stall on purpose let one tenant make the shared
  // payment lane slow or failing for all; outside development they are refused.
  describe('fault-injecting test cards (tok_flaky, tok_slow)', () => {
    it('are refused with FAULT_TEST_CARDS=false (the default with NODE_ENV=production), and nothing starts', async () => {
      const strict = await startApi(deadClient, { TEMPORAL_RPC_TIMEOUT_MS: '500', FAULT_TEST_CARDS: 'false' });
      try {
        for (const card of ['tok_flaky', 'tok_slow']) {
          const res = await strict.request('POST', '/orders', {
            key: KEYS.client,
            body: validOrder({ paymentMethod: card }),
            headers: { 'Idempotency-Key': newKey() },
          });
          const error = assertError(res, 400, 'VALIDATION_ERROR');
          assert.match(JSON.stringify(error.details), /paymentMethod.*fails or stalls on purpose/);
        }
        // An ordinary card passes validation (then finds Temporal unreachable here).
        const ok = await strict.request('POST', '/orders', {
          key: KEYS.client,
          body: validOrder({ paymentMethod: 'tok_ok' }),
          headers: { 'Idempotency-Key': newKey() },
        });
        assertError(ok, 503, 'TEMPORAL_UNAVAILABLE');
      } finally {
        await strict.close();
      }
    });

    it('are accepted in development by default, refused in production by default', () => {
      assert.equal(acceptsFaultTestCards({ NODE_ENV: undefined, FAULT_TEST_CARDS: undefined }), true);
      assert.equal(acceptsFaultTestCards({ NODE_ENV: 'production', FAULT_TEST_CARDS: undefined }), false);
      assert.equal(acceptsFaultTestCards({ NODE_ENV: 'production', FAULT_TEST_CARDS: 'true' }), true);
    });
  });

  describe('validation of the other routes', () => {
    const id = 'ord_0123456789abcdef01234567';
    const cases: [string, string, unknown, string][] = [
      ['cancel without reason', `/orders/${id}/cancel`, {}, 'reason'],
      ['cancel with a blank reason', `/orders/${id}/cancel`, { reason: '   ' }, 'reason'],
      ['cancel with a reason over 500', `/orders/${id}/cancel`, { reason: 'r'.repeat(501) }, 'reason'],
      ['approve with approved as string', `/orders/${id}/approve`, { approved: 'yes' }, 'approved'],
      ['approve with an unknown field', `/orders/${id}/approve`, { approved: true, by: 'mallory' }, ''],
      ['skip without reason', `/orders/${id}/skip-compensation`, { step: 'reserveInventory' }, 'reason'],
      ['retry with a numeric step', `/orders/${id}/retry-compensation`, { step: 3 }, 'step'],
    ];
    for (const [name, path, body, field] of cases) {
      it(`${name} → 400 VALIDATION_ERROR`, async () => {
        const error = assertError(await post(path, body, {}, KEYS.operator), 400, 'VALIDATION_ERROR');
        const issues = (error.details as { issues: { path: string }[] }).issues;
        assert.ok(
          issues.some((issue) => issue.path === field),
          JSON.stringify(issues),
        );
      });
    }

    it('retry-compensation takes an empty body (every parked compensation)', async () => {
      const res = await api.request('POST', `/orders/${id}/retry-compensation`, { key: KEYS.operator });
      assertError(res, 503, 'TEMPORAL_UNAVAILABLE');
    });

    it('an action Idempotency-Key must be sane too', async () => {
      assertError(
        await post(`/orders/${id}/cancel`, { reason: 'r' }, { 'Idempotency-Key': 'k'.repeat(201) }),
        400,
        'INVALID_IDEMPOTENCY_KEY',
      );
    });

    const listCases: [string, string][] = [
      ['an unknown status', '?status=DONE'],
      ['a status with a quote', '?status=RUNNING%22%20OR%20%221'],
      ['a customerId with a quote', '?customerId=a%22%20OR%20WorkflowType%3D%22x'],
      ['pageSize 0', '?pageSize=0'],
      ['pageSize 101', '?pageSize=101'],
      ['pageSize not a number', '?pageSize=ten'],
      ['a repeated status', '?status=RUNNING&status=COMPLETED'],
      ['an unknown parameter', '?state=RUNNING'],
      ['a malformed nextPageToken', '?nextPageToken=not%20a%20token'],
    ];
    for (const [name, query] of listCases) {
      it(`GET /orders with ${name} → 400 VALIDATION_ERROR`, async () => {
        assertError(await api.request('GET', `/orders${query}`, { key: KEYS.client }), 400, 'VALIDATION_ERROR');
      });
    }
  });

  describe('rate limiting', () => {
    it('each key gets RATE_LIMIT_PER_MINUTE requests, then 429 RATE_LIMITED with Retry-After; other keys unaffected', async () => {
      const limited = await startApi(deadClient, { RATE_LIMIT_PER_MINUTE: '3' });
      try {
        const get = (key: string) => limited.request('GET', '/orders/not%20an%20id', { key });
        for (let i = 0; i < 3; i++) {
          const res = await get(KEYS.client);
          assertError(res, 404, 'ORDER_NOT_FOUND');
          assert.equal(res.headers.get('ratelimit-remaining'), String(2 - i));
        }
        const refused = await get(KEYS.client);
        const error = assertError(refused, 429, 'RATE_LIMITED');
        assert.match(error.message, /shop/);
        const retryAfter = Number(refused.headers.get('retry-after'));
        assert.ok(retryAfter >= 1 && retryAfter <= 20, `Retry-After ${retryAfter}: one token refills in 20 s`);
        assertError(await get(KEYS.operator), 404, 'ORDER_NOT_FOUND');
        // Unauthenticated requests are refused before the limiter and do not spend anyone's tokens.
        assertError(await limited.request('GET', '/orders'), 401, 'UNAUTHORIZED');
        assertError(await get(KEYS.otherClient), 404, 'ORDER_NOT_FOUND');
      } finally {
        await limited.close();
      }
    });

    it('AUTH_FAILURES_PER_MINUTE failed authentications from an address, then 429 for it, but for the keys that authenticated there', async () => {
      const limited = await startApi(deadClient, { AUTH_FAILURES_PER_MINUTE: '2' });
      try {
        const get = (key?: string) => limited.request('GET', '/orders/not%20an%20id', key ? { key } : {});
        assertError(await get(KEYS.client), 404, 'ORDER_NOT_FOUND');
        assertError(await get('sk_guessed_secret_1'), 401, 'UNAUTHORIZED');
        assertError(await get(), 401, 'UNAUTHORIZED');
        // The client key authenticated from this address before: the others' failures do not lock it out.
        assertError(await get(KEYS.client), 404, 'ORDER_NOT_FOUND');
        const refused = await get(KEYS.operator);
        const error = assertError(refused, 429, 'RATE_LIMITED');
        assert.match(error.message, /failed authentications/);
        assert.equal(refused.headers.get('retry-after'), '30', 'one failure refills in 30 s at 2 a minute');
        assertError(await get('sk_guessed_secret_2'), 429, 'RATE_LIMITED');
      } finally {
        await limited.close();
      }
    });
  });

  describe('OpenAPI', () => {
    it('GET /openapi.json is a valid OpenAPI 3.1 document with a path for every route', async () => {
      const res = await api.request<Record<string, unknown>>('GET', '/openapi.json');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      const doc = JSON.parse(res.text) as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
        components: { schemas: Record<string, unknown> };
      };
      assert.equal(doc.openapi, '3.1.0');
      const validator = new Validator();
      const result = await validator.validate(doc);
      assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1));

      const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      );
      assert.deepEqual(
        operations.sort(),
        [
          'GET /docs',
          'GET /health',
          'GET /openapi.json',
          'GET /orders',
          'GET /orders/{orderId}',
          'GET /orders/{orderId}/events',
          'GET /ready',
          'POST /operations',
          'GET /operations/{operationId}',
          'GET /operations/{operationId}/events',
          'POST /operations/{operationId}/pause',
          'POST /operations/{operationId}/resume',
          'POST /operations/{operationId}/cancel',
          'POST /orders',
          'POST /orders/{orderId}/approve',
          'POST /orders/{orderId}/cancel',
          'POST /orders/{orderId}/resolve-step',
          'POST /orders/{orderId}/retry-compensation',
          'POST /orders/{orderId}/retry-step',
          'POST /orders/{orderId}/skip-compensation',
          'POST /orders/{orderId}/restart',
          'POST /orders/{orderId}/returns/{returnId}/restart',
          'GET /orders/{orderId}/returns/{returnId}',
          'POST /orders/{orderId}/returns',
          'POST /orders/{orderId}/returns/{returnId}/approve',
          'POST /orders/{orderId}/returns/{returnId}/cancel',
          'POST /orders/{orderId}/returns/{returnId}/parcel-received',
          'POST /orders/{orderId}/returns/{returnId}/resolve-step',
          'POST /orders/{orderId}/returns/{returnId}/retry-compensation',
          'POST /orders/{orderId}/returns/{returnId}/retry-step',
          'POST /orders/{orderId}/returns/{returnId}/skip-compensation',
        ].sort(),
      );

      // Every $ref points at a schema that exists.
      const refs = [...res.text.matchAll(/"\$ref":"#\/components\/(schemas|parameters)\/([^"]+)"/g)];
      assert.ok(refs.length > 10);
      for (const [, kind, name] of refs) {
        assert.ok((doc.components as Record<string, Record<string, unknown>>)[kind!]![name!], `${kind}/${name}`);
      }
    });

    it('component schemas are derived from the zod schemas', async () => {
      const doc = (await api.request('GET', '/openapi.json')).body as {
        components: { schemas: Record<string, Record<string, unknown>> };
      };
      const create = doc.components.schemas.CreateOrder!;
      assert.deepEqual(create, componentSchemas().CreateOrder);
      assert.equal(create.additionalProperties, false);
      assert.deepEqual(create.required, ['customerId', 'currency', 'items', 'paymentMethod']);
      const generated = z.toJSONSchema(CreateOrderSchema, { io: 'input' }) as { properties: Record<string, unknown> };
      assert.deepEqual(
        (create.properties as Record<string, unknown>).currency,
        generated.properties.currency,
        'the same JSON Schema zod generates',
      );
      const item = doc.components.schemas.OrderItem as { properties: { quantity: Record<string, unknown> } };
      assert.deepEqual(item.properties.quantity, { type: 'integer', minimum: 1, maximum: 1000 });
      const error = doc.components.schemas.Error as {
        properties: { error: { properties: { code: { enum: string[] } } } };
      };
      assert.deepEqual(error.properties.error.properties.code.enum, ERROR_CODES);
      for (const name of ['Order', 'OrderList', 'OrderSummary', 'ActionResult', 'SagaState', 'CancelOrder']) {
        assert.ok(doc.components.schemas[name], name);
      }
    });

    it('GET /docs serves the Swagger UI page and its assets from the package, no CDN', async () => {
      const page = await api.request('GET', '/docs');
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.doesNotMatch(page.text, /https?:\/\//);
      for (const asset of ['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/init.js']) {
        assert.ok(page.text.includes(asset), asset);
        const res = await fetch(api.url + asset);
        assert.equal(res.status, 200, asset);
        assert.ok((await res.arrayBuffer()).byteLength > 0);
      }
      assert.match(await (await fetch(`${api.url}/docs/init.js`)).text(), /\/openapi\.json/);
    });
  });
});
