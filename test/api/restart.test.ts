import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrderAccepted, OrderView } from '../../api/schemas';
import { ActionResultSchema, OrderViewSchema } from '../../api/schemas';
import { apiOnDevServer, assertError, KEYS, newKey, pollUntil, validOrder } from './harness';

// Restarting a parked order over HTTP, on the real dev server (continue-as-new, memo and search attributes carried
// by the server), with the saga workers over in-memory services.
const suite = apiOnDevServer('restart');
const { fakes, run } = suite;

const create = async (body = validOrder()): Promise<string> => {
  const res = await suite.api.request<OrderAccepted>('POST', '/orders', {
    key: KEYS.client,
    body,
    headers: { 'Idempotency-Key': newKey('restart') },
  });
  assert.equal(res.status, 202, res.text);
  return res.body.orderId;
};

const view = (orderId: string, secret: string = KEYS.client) =>
  pollUntil(
    async () => OrderViewSchema.parse((await suite.api.request('GET', `/orders/${orderId}`, { key: secret })).body),
    () => true,
    'read',
  );

const until = (orderId: string, done: (order: OrderView) => boolean, what: string) =>
  pollUntil(
    async () =>
      OrderViewSchema.parse((await suite.api.request('GET', `/orders/${orderId}`, { key: KEYS.client })).body),
    done,
    what,
  );

const restart = (orderId: string, body: unknown, secret: string = KEYS.operator) =>
  suite.api.request('POST', `/orders/${orderId}/restart`, { key: secret, body });

describe('restart over HTTP', () => {
  it('an order parked after the pivot is restarted from its parked step by an operator, and completes', () =>
    run(async () => {
      // The inventory refuses the commit once (say a bug), after the payment was captured: the order parks.
      fakes.faults.set('commitInventory', { kind: 'business', code: 'RESERVATION_RELEASED', times: 1 });
      const orderId = await create();
      const parked = await until(orderId, (o) => o.status === 'FORWARD_FAILED', 'parked');
      assert.deepEqual(
        parked.state?.parked.map((p) => p.step),
        ['commitInventory'],
      );
      type Events = { events: { id: number; type: string; status: string }[]; ended: boolean; lastEventId: number };
      const events = async (after: number) =>
        (await suite.api.request('GET', `/orders/${orderId}/events?wait=0&after=${after}`, { key: KEYS.client }))
          .body as Events;
      const whileParked = await events(0);
      assert.equal(whileParked.events.at(-1)?.status, 'FORWARD_FAILED');

      assertError(await restart(orderId, { fromStep: 'commitInventory' }, KEYS.client), 403, 'FORBIDDEN');
      assertError(await restart(orderId, { fromStep: 'commitInventory' }, KEYS.otherOperator), 404, 'ORDER_NOT_FOUND');
      assertError(await restart(orderId, { from: 'commitInventory' }), 400, 'VALIDATION_ERROR');
      const early = assertError(await restart(orderId, { fromStep: 'capturePayment' }), 409, 'RESTART_REFUSED');
      assert.match(early.message, /point of no return at capturePayment; restart from a step after it/);
      const late = assertError(await restart(orderId, { fromStep: 'confirmOrder' }), 409, 'RESTART_REFUSED');
      assert.match(late.message, /step commitInventory is parked/);

      const res = await restart(orderId, { fromStep: 'commitInventory', reason: 'inventory fixed' });
      assert.equal(res.status, 200, res.text);
      const answer = ActionResultSchema.parse(res.body);
      assert.deepEqual(
        [answer.action, answer.status, answer.state?.currentStep],
        ['restart', 'RUNNING', 'commitInventory'],
      );

      const done = await until(orderId, (o) => o.workflowStatus === 'COMPLETED', 'completed');
      assert.equal(done.status, 'COMPLETED');
      // The client sees that the order was restarted, not who did it or why (issue 25, item 12); the operator does.
      assert.deepEqual(done.state?.restart && { ...done.state.restart, at: 0 }, {
        from: 'commitInventory',
        by: 'operator',
        count: 1,
        at: 0,
      });
      const seenByOps = await view(orderId, KEYS.operator);
      assert.deepEqual(seenByOps.state?.restart && { ...seenByOps.state.restart, at: 0 }, {
        from: 'commitInventory',
        by: 'ops',
        reason: 'inventory fixed',
        count: 1,
        at: 0,
      });
      assert.deepEqual(done.state?.completedSteps, [
        'createOrder',
        'reserveInventory',
        'markReserved',
        'authorizePayment',
        'capturePayment',
        'markPaid',
        'commitInventory',
        'confirmOrder',
      ]);
      // Nothing before the restarted step ran again: one capture, and the order is the tenant's still.
      assert.equal(fakes.attempts('capturePayment'), 1);
      assert.equal(fakes.payments.get(orderId)?.status, 'CAPTURED');
      assert.equal(fakes.reservations.get(orderId)?.status, 'COMMITTED');
      assert.equal(fakes.orders.get(orderId)?.status, 'CONFIRMED');
      assert.equal((await view(orderId, KEYS.rotatedClient)).status, 'COMPLETED');
      const runs = await suite.env.client.workflow.count(`WorkflowId = "${orderId}"`);
      assert.equal(runs.count, 2, 'the parked run continued as new under the same order id');

      // The events follow the order across the restart: ids grow across runs, one `end`, with the final status.
      const all = await events(0);
      assert.equal(all.ended, true);
      const ids = all.events.map((e) => e.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        'ids grow',
      );
      assert.equal(new Set(ids).size, ids.length, 'ids are unique across runs');
      assert.deepEqual(
        all.events.filter((e) => e.type === 'end').map((e) => e.status),
        ['COMPLETED'],
      );
      assert.deepEqual(
        all.events.slice(0, whileParked.events.length),
        whileParked.events,
        'the parked run comes first',
      );
      // A client that read the parked run and resumes after its last event gets the restarted run's, up to the end
      // (before: the new run's ids restarted at 1, all below it, and the stream never ended).
      const resumed = await events(whileParked.lastEventId);
      assert.deepEqual(resumed.events, all.events.slice(whileParked.events.length));
      assert.equal(resumed.ended, true);

      const closed = assertError(await restart(orderId, { fromStep: 'commitInventory' }), 409, 'ORDER_CLOSED');
      assert.match(closed.message, /has ended \(COMPLETED\)/);
      fakes.faults.delete('commitInventory');
    }));

  it('a restarted order: listed once (its latest run), and a retried restart answers the first outcome', () =>
    run(async () => {
      // The commit is refused twice: the restarted run parks again at it, so a second restart would be accepted.
      const refused = { kind: 'business', code: 'RESERVATION_RELEASED' } as const;
      fakes.scripts.set('commitInventory', [refused, refused]);
      const orderId = await create();
      await until(orderId, (o) => o.status === 'FORWARD_FAILED', 'parked');
      const keyed = () =>
        suite.api.request('POST', `/orders/${orderId}/restart`, {
          key: KEYS.operator,
          body: { fromStep: 'commitInventory', reason: 'inventory fixed' },
          headers: { 'Idempotency-Key': 'restart-once' },
        });
      const first = await keyed();
      assert.equal(first.status, 200, first.text);
      const firstAnswer = ActionResultSchema.parse(first.body);
      await until(orderId, (o) => o.status === 'FORWARD_FAILED' && o.state?.restart?.count === 1, 'parked again');

      // The client retries (its answer was lost): it gets the first outcome, and the order is not restarted again.
      const retried = await keyed();
      assert.equal(retried.status, 200, retried.text);
      assert.deepEqual(ActionResultSchema.parse(retried.body), firstAnswer);
      const runs = await suite.env.client.workflow.count(`WorkflowId = "${orderId}"`);
      assert.equal(runs.count, 2, 'one restart: two runs');

      // One row per order, its latest run; the parked run that continued as new is not listed.
      const listed = async (query: string) => {
        const res = await suite.api.request('GET', `/orders?${query}`, { key: KEYS.operator });
        assert.equal(res.status, 200, res.text);
        return (res.body as { orders: { orderId: string; status: string }[] }).orders.filter(
          (o) => o.orderId === orderId,
        );
      };
      const all = await pollUntil(
        () => listed('pageSize=100'),
        (rows) => rows.length > 0,
        'listed',
      );
      assert.deepEqual(
        all.map((o) => o.status),
        ['FORWARD_FAILED'],
      );
      const restarted = await suite.api.request('POST', `/orders/${orderId}/retry-step`, {
        key: KEYS.operator,
        body: {},
      });
      assert.equal(restarted.status, 200, restarted.text);
      await until(orderId, (o) => o.workflowStatus === 'COMPLETED', 'completed');
      const parked = await pollUntil(
        () => listed('status=FORWARD_FAILED&pageSize=100'),
        (r) => r.length === 0,
        'unlisted',
      );
      assert.deepEqual(parked, [], 'not in the parked list once its latest run completed');
      assert.deepEqual(
        (await listed('pageSize=100')).map((o) => o.status),
        ['COMPLETED'],
      );
      // Retried again once the saga closed: still the first outcome.
      assert.deepEqual(ActionResultSchema.parse((await keyed()).body), firstAnswer);
    }));

  it('a running order, and one that compensated, are not restarted', () =>
    run(async () => {
      fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
      const declined = await create();
      await until(declined, (o) => o.workflowStatus === 'COMPLETED', 'compensated');
      fakes.faults.delete('authorizePayment');
      const error = assertError(await restart(declined, { fromStep: 'createOrder' }), 409, 'ORDER_CLOSED');
      assert.match(error.message, /has ended \(COMPENSATED\)/);

      const approving = await create(validOrder({ items: [{ sku: 'SKU-1', quantity: 1000 }] }));
      await until(approving, (o) => o.status === 'AWAITING_APPROVAL', 'awaiting approval');
      const running = assertError(await restart(approving, { fromStep: 'createOrder' }), 409, 'RESTART_REFUSED');
      assert.match(running.message, /this one is AWAITING_APPROVAL/);
      await suite.api.request('POST', `/orders/${approving}/cancel`, { key: KEYS.client, body: { reason: 'done' } });
    }));
});
