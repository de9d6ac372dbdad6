import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderAccepted, OrderSummary, OrderView } from '../../api/schemas';
import { OrderListSchema, OrderViewSchema } from '../../api/schemas';
import { apiOnDevServer, assertError, KEYS, newKey, pollUntil, validOrder } from './harness';

// On the real dev server (SQLite visibility, as operators run it): listing by search attributes, paging,
// and the full lifecycle through the API with a worker on this file's own task queue.
const suite = apiOnDevServer('list');
const { run } = suite;

async function create(body: Record<string, unknown>, key = newKey()): Promise<string> {
  const res = await suite.api.request<OrderAccepted>('POST', '/orders', {
    key: KEYS.client,
    body,
    headers: { 'Idempotency-Key': key },
  });
  assert.equal(res.status, 202, res.text);
  return res.body.orderId;
}

const get = async (orderId: string): Promise<OrderView> => {
  const res = await suite.api.request('GET', `/orders/${orderId}`, { key: KEYS.client });
  assert.equal(res.status, 200, res.text);
  return OrderViewSchema.parse(res.body);
};

async function list(query: string): Promise<{ orders: OrderSummary[]; nextPageToken: string | null }> {
  const res = await suite.api.request('GET', `/orders${query}`, { key: KEYS.client });
  assert.equal(res.status, 200, res.text);
  return OrderListSchema.parse(res.body);
}

/** Visibility is eventually consistent: poll the listing until it shows the expected ids. */
async function listIds(query: string, expected: string[]): Promise<string[]> {
  const page = await pollUntil(
    () => list(query),
    (p) =>
      p.orders
        .map((o) => o.orderId)
        .sort()
        .join() === [...expected].sort().join(),
    `listing ${query}`,
    () => new Promise((resolve) => setTimeout(resolve, 100)),
    100,
  );
  return page.orders.map((o) => o.orderId);
}

describe('orders API on the dev server', () => {
  it('start, poll to COMPLETED, replay: one workflow for the key (visibility count)', async () => {
    await run(async () => {
      const key = newKey('dev');
      const body = validOrder({ customerId: `cust-dev-${process.pid}` });
      const orderId = await create(body, key);
      const done = await pollUntil(
        () => get(orderId),
        (view) => view.workflowStatus === 'COMPLETED' && view.status === 'COMPLETED',
        'COMPLETED',
      );
      assert.equal(done.statusSource, 'last-published', 'the final state the saga published, no worker asked');
      assert.equal(done.state?.completedSteps.length, 8);
      assert.equal(await create(body, key), orderId);
      const { count } = await suite.env.client.workflow.count(`WorkflowId = "${orderId}"`);
      assert.equal(count, 1);
    });
  });

  it('lists by customerId and status through search attributes, and pages with nextPageToken', async () => {
    const customer = `cust-list-${process.pid}`;
    const other = `cust-other-${process.pid}`;
    await run(async () => {
      const small1 = await create(validOrder({ customerId: customer }));
      const small2 = await create(validOrder({ customerId: customer }));
      const big = await create(validOrder({ customerId: customer, items: [{ sku: 'BIG', quantity: 200 }] }));
      const theirs = await create(validOrder({ customerId: other }));
      for (const id of [small1, small2, theirs]) {
        await pollUntil(
          () => get(id),
          (view) => view.workflowStatus === 'COMPLETED' && view.status === 'COMPLETED',
          'COMPLETED',
        );
      }
      await pollUntil(
        () => get(big),
        (view) => view.status === 'AWAITING_APPROVAL',
        'AWAITING_APPROVAL',
      );

      await listIds(`?customerId=${customer}`, [small1, small2, big]);
      await listIds(`?customerId=${customer}&status=COMPLETED`, [small1, small2]);
      const waiting = await listIds(`?customerId=${customer}&status=AWAITING_APPROVAL`, [big]);
      assert.deepEqual(waiting, [big]);
      await listIds(`?customerId=${other}`, [theirs]);
      await listIds(`?customerId=${customer}&status=CANCELLED`, []);

      const page = await list(`?customerId=${customer}&status=AWAITING_APPROVAL`);
      const summary = page.orders[0]!;
      assert.equal(summary.status, 'AWAITING_APPROVAL');
      assert.equal(summary.workflowStatus, 'RUNNING');
      assert.equal(summary.customerId, customer);
      assert.equal(summary.currency, 'EUR');
      assert.equal(summary.step, 'awaitApproval');
      assert.equal(summary.totalMinor, 200_000);
      assert.equal(summary.closedAt, undefined);
      assert.ok(Date.parse(summary.startedAt) > 0);
      const completed = (await list(`?customerId=${customer}&status=COMPLETED`)).orders[0]!;
      assert.equal(completed.workflowStatus, 'COMPLETED');
      assert.ok(completed.closedAt);

      // Pages of one: every order exactly once, then no token.
      const seen: string[] = [];
      let token: string | null = null;
      for (let i = 0; i < 5; i++) {
        const next: { orders: OrderSummary[]; nextPageToken: string | null } = await list(
          `?customerId=${customer}&pageSize=1${token ? `&nextPageToken=${token}` : ''}`,
        );
        seen.push(...next.orders.map((o) => o.orderId));
        assert.ok(next.orders.length <= 1);
        token = next.nextPageToken;
        if (!token) break;
      }
      assert.deepEqual(seen.sort(), [small1, small2, big].sort());
      assert.equal(token, null);

      // A token the API did not issue, or issued for another filter, is a client error, not a 5xx.
      const first = await list(`?customerId=${customer}&pageSize=1`);
      assert.ok(first.nextPageToken);
      const forged = `${Buffer.from('garbage').toString('base64url')}.${first.nextPageToken.split('.')[1]}`;
      for (const query of [
        `?customerId=${customer}&nextPageToken=${forged}`,
        `?customerId=${other}&nextPageToken=${first.nextPageToken}`,
      ]) {
        assertError(await suite.api.request('GET', `/orders${query}`, { key: KEYS.client }), 400, 'VALIDATION_ERROR');
      }

      const cancel = await suite.api.request('POST', `/orders/${big}/cancel`, {
        key: KEYS.client,
        body: { reason: 'cleanup' },
      });
      assert.equal(cancel.status, 200, cancel.text);
      await listIds(`?customerId=${customer}&status=CANCELLED`, [big]);
    });
  });

  it('lists the orders parked on a step for one cause (parkedStep, parkedReason), and drops one once resolved', async () => {
    const customer = `cust-parked-${process.pid}`;
    await run(async () => {
      suite.fakes.faults.set('commitInventory', { kind: 'business', code: 'RESERVATION_RELEASED' });
      const parked: string[] = [];
      try {
        for (let i = 0; i < 3; i++) parked.push(await create(validOrder({ customerId: customer })));
        for (const id of parked)
          await pollUntil(
            () => get(id),
            (view) => view.status === 'FORWARD_FAILED',
            'parked',
          );
      } finally {
        suite.fakes.faults.delete('commitInventory');
      }
      const done = await create(validOrder({ customerId: customer }));
      await pollUntil(
        () => get(done),
        (view) => view.status === 'COMPLETED',
        'COMPLETED',
      );

      const cause = `?customerId=${customer}&parkedStep=commitInventory&parkedReason=RESERVATION_RELEASED`;
      await listIds(cause, parked);
      const page = await list(cause);
      for (const order of page.orders) {
        assert.deepEqual([order.parkedSteps, order.parkedReasons], [['commitInventory'], ['RESERVATION_RELEASED']]);
      }
      assert.deepEqual((await list(`?customerId=${customer}&parkedReason=PAYMENT_DECLINED`)).orders, []);
      assert.deepEqual((await list(`?customerId=${customer}&parkedStep=markPaid`)).orders, []);

      // Resolved by hand: it runs on, and is no longer parked on anything.
      const resolved = await suite.api.request('POST', `/orders/${parked[0]}/resolve-step`, {
        key: KEYS.operator,
        body: { reason: 'committed by hand' },
      });
      assert.equal(resolved.status, 200, resolved.text);
      await listIds(cause, parked.slice(1));
      const completed = await pollUntil(
        () => list(`?customerId=${customer}&status=COMPLETED`),
        (p) => p.orders.some((o) => o.orderId === parked[0]),
        'listed COMPLETED',
        () => new Promise((resolve) => setTimeout(resolve, 100)),
        100,
      );
      const after = completed.orders.find((o) => o.orderId === parked[0])!;
      assert.deepEqual([after.parkedSteps, after.parkedReasons], [undefined, undefined]);

      // Only names go into the visibility query.
      for (const query of ['?parkedStep=commit"Inventory', '?parkedReason=a%20OR%20b', '?parkedStep=']) {
        assertError(await suite.api.request('GET', `/orders${query}`, { key: KEYS.client }), 400, 'VALIDATION_ERROR');
      }
    });
  });

  it('GET /ready is 200 while the dev server answers', async () => {
    const res = await suite.api.request('GET', '/ready');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ready', temporal: { namespace: 'default' } });
  });
});
