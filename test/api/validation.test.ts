import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import { CreateOrderSchema } from '../../api/schemas';
import type { OrderAccepted, OrderView } from '../../api/schemas';
import { createOrderBody } from '../../services/order/schemas';
import { reserveBody } from '../../services/inventory/schemas';
import { authorizeBody, PAYMENT_METHODS } from '../../services/payment/schemas';
import type { TestApi } from './harness';
import { apiOnDevServer, assertError, KEYS, newKey, pollUntil, startApi, validOrder } from './harness';

// POST /orders validates what the services validate (issue 13): an order a service would refuse as invalid is a
// 400 VALIDATION_ERROR and starts nothing. The API's schema is built from the services' schema pieces; these
// tests hold it to the services' own request schemas (order create, inventory reserve, payment authorize).

type Issue = { path: (string | number)[]; message: string };
const issuesOf = (body: unknown): Issue[] =>
  (CreateOrderSchema.safeParse(body).error?.issues ?? []).map(({ path, message }) => ({
    path: path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message,
  }));
const pathsOf = (body: unknown) => issuesOf(body).map((issue) => issue.path.join('.'));

/** What the services are sent for an order the API accepted (as the saga's activities build it). */
function serviceBodies(order: Record<string, unknown>) {
  const orderId = 'ord_0123456789abcdef01234567';
  return {
    createOrder: createOrderBody.safeParse({
      orderId,
      customerId: order.customerId,
      currency: order.currency,
      items: order.items,
    }),
    reserve: reserveBody.safeParse({ orderId, items: order.items }),
    authorize: authorizeBody.safeParse({
      orderId,
      customerId: order.customerId,
      amountMinor: 1_000,
      currency: order.currency,
      paymentMethod: order.paymentMethod,
    }),
  };
}

describe('CreateOrderSchema enforces the services’ rules', () => {
  it('accepts every payment method the payment service takes', () => {
    for (const paymentMethod of PAYMENT_METHODS) {
      assert.deepEqual(issuesOf(validOrder({ paymentMethod })), [], paymentMethod);
      assert.ok(serviceBodies(validOrder({ paymentMethod })).authorize.success, paymentMethod);
    }
  });

  it('refuses payment methods the payment service refuses', () => {
    for (const paymentMethod of ['tok_gold', 'TOK_OK', 'tok_ok ', 'card_4242', 'x', '', 'tok_ok\n']) {
      assert.equal(serviceBodies(validOrder({ paymentMethod })).authorize.success, false, paymentMethod);
      assert.deepEqual(pathsOf(validOrder({ paymentMethod })), ['paymentMethod'], JSON.stringify(paymentMethod));
    }
  });

  it('skus: the characters the services take (letters, digits, . _ -), 1-64 of them', () => {
    for (const sku of ['SKU-1', 'a', 'sku.v2_large-RED', '0', 'S'.repeat(64), '..', '-_-']) {
      assert.deepEqual(issuesOf(validOrder({ items: [{ sku, quantity: 1 }] })), [], sku);
    }
    const refused = ['', 'SKU 1', 'sku/1', 'sku:1', 'sku#1', 'ß', 'SKU\u00a01', 'sku\n', 'S'.repeat(65), "x' OR 1=1"];
    for (const sku of refused) {
      const body = validOrder({ items: [{ sku, quantity: 1 }] });
      assert.equal(serviceBodies(body).reserve.success, false, `the inventory refuses ${sku}`);
      assert.deepEqual([...new Set(pathsOf(body))], ['items.0.sku'], JSON.stringify(sku));
    }
  });

  it('duplicate skus are refused at the line that repeats one, with a message saying so', () => {
    const body = validOrder({
      items: [
        { sku: 'SKU-1', quantity: 1 },
        { sku: 'SKU-2', quantity: 1 },
        { sku: 'SKU-1', quantity: 3 },
        { sku: 'SKU-2', quantity: 1 },
        { sku: 'SKU-1', quantity: 1 },
      ],
    });
    const issues = issuesOf(body);
    assert.deepEqual(
      issues.map((issue) => issue.path.join('.')),
      ['items.2.sku', 'items.3.sku', 'items.4.sku'],
    );
    assert.match(issues[0]!.message, /duplicate sku: the same as item 0; each sku at most once/);
    assert.match(issues[1]!.message, /the same as item 1/);
    assert.ok(!issues[0]!.message.includes('SKU-1'), 'the message does not echo the input');
    // The services refuse it the same way: one rule, one definition.
    const { createOrder, reserve } = serviceBodies(body);
    assert.deepEqual(
      createOrder.error?.issues.map((issue) => issue.path.join('.')),
      ['items.2.sku', 'items.3.sku', 'items.4.sku'],
    );
    assert.deepEqual(reserve.error?.issues, createOrder.error?.issues);
    // Skus are compared as given: case and separators make different skus, as in the catalogue.
    assert.deepEqual(
      issuesOf(
        validOrder({
          items: [
            { sku: 'SKU-1', quantity: 1 },
            { sku: 'sku-1', quantity: 1 },
            { sku: 'SKU_1', quantity: 1 },
          ],
        }),
      ),
      [],
    );
  });

  it('quantity: an integer 1-1000 (stricter than the services’ 10 000); currency as the services say', () => {
    for (const quantity of [0, -1, 1.5, 1001, 10_000, '2', null]) {
      assert.deepEqual(pathsOf(validOrder({ items: [{ sku: 'A', quantity }] })), ['items.0.quantity'], `${quantity}`);
    }
    assert.deepEqual(issuesOf(validOrder({ items: [{ sku: 'A', quantity: 1000 }] })), []);
    for (const currency of ['eur', 'EURO', 'E1R', '']) {
      assert.deepEqual(pathsOf(validOrder({ currency })), ['currency'], currency);
      assert.equal(serviceBodies(validOrder({ currency })).createOrder.success, false, currency);
    }
  });

  it('property: every order the API accepts is accepted by the order, inventory and payment services', () => {
    /** Mostly a value the API may accept, sometimes anything: the property is about the accepted ones. */
    const mostly = <T>(usual: fc.Arbitrary<T>, ...odd: fc.Arbitrary<T>[]) =>
      fc.oneof({ weight: 4, arbitrary: usual }, ...odd.map((arbitrary) => ({ weight: 1, arbitrary })));
    const sku = mostly(
      fc.constantFrom('SKU-1', 'SKU-2', 'SKU-3', 'a.b_c'),
      fc.string({ maxLength: 70 }),
      fc.stringMatching(/^[A-Za-z0-9._ /:-]{0,66}$/),
    );
    const order = fc.record({
      customerId: mostly(fc.constant('cust-1'), fc.string({ maxLength: 70 })),
      currency: mostly(fc.constantFrom('EUR', 'USD'), fc.string({ maxLength: 4 })),
      items: fc.array(
        fc.record({ sku, quantity: mostly(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: -1, max: 12_000 })) }),
        { minLength: 1, maxLength: 4 },
      ),
      paymentMethod: mostly(fc.constantFrom(...PAYMENT_METHODS), fc.string({ maxLength: 20 })),
    });
    let accepted = 0;
    fc.assert(
      fc.property(order, (body) => {
        if (!CreateOrderSchema.safeParse(body).success) return;
        accepted += 1;
        for (const [service, parsed] of Object.entries(serviceBodies(body))) {
          assert.ok(parsed.success, `${service} refuses ${JSON.stringify(body)}: ${parsed.error?.message}`);
        }
      }),
      { seed: 20260613, numRuns: 2_000 },
    );
    assert.ok(accepted > 50, `the property saw accepted orders (${accepted})`);
  });
});

// Over HTTP with Temporal unreachable: a refused order is answered 400 before Temporal is asked (anything that
// reached Temporal would be 503), so it cannot have started a saga; a valid one gets as far as Temporal.
describe('POST /orders refuses them over HTTP before asking Temporal', () => {
  const deadConnection = Connection.lazy({ address: '127.0.0.1:1' });
  let api: TestApi;
  before(async () => {
    api = await startApi(new Client({ connection: deadConnection }), { TEMPORAL_RPC_TIMEOUT_MS: '500' });
  });
  after(async () => {
    await api?.close();
    await deadConnection.close();
  });
  const createOrder = (body: unknown) =>
    api.request('POST', '/orders', { key: KEYS.client, body, headers: { 'Idempotency-Key': newKey('validation') } });

  const refused: [string, Record<string, unknown>, string][] = [
    [
      'duplicate sku',
      validOrder({
        items: [
          { sku: 'SKU-1', quantity: 2 },
          { sku: 'SKU-1', quantity: 1 },
        ],
      }),
      'items.1.sku',
    ],
    ['sku with a space', validOrder({ items: [{ sku: 'SKU 1', quantity: 1 }] }), 'items.0.sku'],
    ['sku with a slash', validOrder({ items: [{ sku: '../admin', quantity: 1 }] }), 'items.0.sku'],
    ['unknown payment method', validOrder({ paymentMethod: 'tok_gold' }), 'paymentMethod'],
  ];
  for (const [name, body, path] of refused) {
    it(`${name} → 400 VALIDATION_ERROR at ${path}`, async () => {
      const error = assertError(await createOrder(body), 400, 'VALIDATION_ERROR');
      const issues = (error.details as { issues: { path: string; message: string }[] }).issues;
      assert.deepEqual(
        issues.map((issue) => issue.path),
        [path],
        JSON.stringify(issues),
      );
    });
  }

  it('the duplicate-sku issue says what is wrong', async () => {
    const error = assertError(
      await createOrder(
        validOrder({
          items: [
            { sku: 'SKU-1', quantity: 2 },
            { sku: 'SKU-1', quantity: 1 },
          ],
        }),
      ),
      400,
      'VALIDATION_ERROR',
    );
    const [issue] = (error.details as { issues: { path: string; message: string; code: string }[] }).issues;
    assert.deepEqual(issue, {
      path: 'items.1.sku',
      message: 'duplicate sku: the same as item 0; each sku at most once (order its total quantity once)',
      code: 'custom',
    });
  });

  it('every payment method the payment service takes passes validation (and reaches Temporal: 503)', async () => {
    const responses = await Promise.all(
      PAYMENT_METHODS.map((paymentMethod) => createOrder(validOrder({ paymentMethod }))),
    );
    for (const res of responses) assertError(res, 503, 'TEMPORAL_UNAVAILABLE');
  });
});

// On the real dev server: the refused order started no workflow. Its Idempotency-Key derives the order id, so had it
// started one, the valid order sent next with the same key would be a replay or a 422, not a new 202.
describe('POST /orders with a duplicate sku on the dev server', () => {
  const suite = apiOnDevServer('validation');

  it('is 400 and starts no workflow; the corrected order with the same key starts the only one', async () => {
    await suite.run(async () => {
      const key = newKey('dup');
      const send = (items: unknown) =>
        suite.api.request<OrderAccepted>('POST', '/orders', {
          key: KEYS.client,
          body: validOrder({ customerId: 'cust-dup', items }),
          headers: { 'Idempotency-Key': key },
        });
      const duplicate = await send([
        { sku: 'SKU-1', quantity: 1 },
        { sku: 'SKU-2', quantity: 1 },
        { sku: 'SKU-1', quantity: 1 },
      ]);
      const error = assertError(duplicate, 400, 'VALIDATION_ERROR');
      assert.deepEqual(
        (error.details as { issues: { path: string }[] }).issues.map((issue) => issue.path),
        ['items.2.sku'],
      );

      const corrected = await send([
        { sku: 'SKU-1', quantity: 2 },
        { sku: 'SKU-2', quantity: 1 },
      ]);
      assert.equal(corrected.status, 202, corrected.text);
      assert.equal(corrected.headers.get('idempotent-replay'), null, 'a first start for this key, not a replay');
      const { orderId } = corrected.body;

      const done = await pollUntil(
        async () => {
          const res = await suite.api.request<OrderView>('GET', `/orders/${orderId}`, { key: KEYS.client });
          assert.equal(res.status, 200, res.text);
          return res.body;
        },
        (view) => view.workflowStatus === 'COMPLETED',
        `${orderId} closed`,
      );
      assert.equal(done.status, 'COMPLETED');

      // Visibility holds one workflow on this API's task queue: the corrected order's.
      const query = `TaskQueue = "${suite.api.config.TASK_QUEUE}"`;
      const ids = async () => {
        const found: string[] = [];
        for await (const workflow of suite.env.client.workflow.list({ query })) found.push(workflow.workflowId);
        return found;
      };
      assert.deepEqual(await pollUntil(ids, (found) => found.includes(orderId), 'the order listed'), [orderId]);
    });
  });
});
