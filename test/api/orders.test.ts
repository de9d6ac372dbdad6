import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActionResult, OrderAccepted, OrderView } from '../../api/schemas';
import { ActionResultSchema, OrderAcceptedSchema, OrderViewSchema } from '../../api/schemas';
import { FakeOrderServices } from '../helpers/fake-order-services';
import { runWithSagaWorkers } from '../helpers/order-saga';
import { createTimeSkippingEnv } from '../helpers/temporal';
import type { TestApi } from './harness';
import { assertError, KEYS, newKey, pollUntil, startApi, validOrder } from './harness';

// The API over HTTP against the time-skipping Temporal test server, with the saga's real workflow code and
// in-memory services (FakeOrderServices). Each test runs its own API instance on its own task queue.
let env: TestWorkflowEnvironment;
before(async () => {
  env = await createTimeSkippingEnv();
});
after(() => env?.teardown());

let queues = 0;
async function withApi(
  fakes: FakeOrderServices,
  fn: (api: TestApi) => Promise<void>,
  config: Record<string, string> = {},
): Promise<void> {
  queues += 1;
  const taskQueue = `api-ts-${process.pid}-${queues}`;
  const api = await startApi(env.client, { TASK_QUEUE: taskQueue, ...config });
  try {
    await runWithSagaWorkers(env, taskQueue, fakes.activities(), () => fn(api));
  } finally {
    await api.close();
  }
}

async function create(api: TestApi, body: Record<string, unknown>, key = newKey(), secret: string = KEYS.client) {
  return api.request<OrderAccepted>('POST', '/orders', { key: secret, body, headers: { 'Idempotency-Key': key } });
}

/** GET /orders/{id} as `secret`; `strong` asks the running saga (its current step, not the last published one). */
async function get(api: TestApi, orderId: string, secret: string = KEYS.client, strong = false): Promise<OrderView> {
  const res = await api.request<OrderView>('GET', `/orders/${orderId}${strong ? '?consistency=strong' : ''}`, {
    key: secret,
  });
  assert.equal(res.status, 200, res.text);
  return OrderViewSchema.parse(res.body);
}

const FINAL = ['COMPLETED', 'COMPENSATED', 'CANCELLED'];

/** Waits for a status; for a final one, until the workflow has closed too (the Query shows it a moment before). */
const waitFor = (api: TestApi, orderId: string, status: string, pause?: () => Promise<void>) =>
  pollUntil(
    () => get(api, orderId),
    (view) => view.status === status && (!FINAL.includes(status) || view.workflowStatus === 'COMPLETED'),
    `${orderId} ${status}`,
    pause,
  );

const action = (api: TestApi, orderId: string, name: string, body: unknown, secret: string = KEYS.operator) =>
  api.request<ActionResult>('POST', `/orders/${orderId}/${name}`, { key: secret, body });

/** Orders of 200 units at 1000 minor each reach the default approval threshold (100 000). */
const large = () => validOrder({ items: [{ sku: 'SKU-BIG', quantity: 200 }] });

describe('orders API on the time-skipping server', () => {
  it('POST /orders starts the saga (202, Location, status URL); polling the status reaches COMPLETED', async () => {
    const fakes = new FakeOrderServices();
    await withApi(fakes, async (api) => {
      const res = await create(api, validOrder({ items: [{ sku: 'A', quantity: 2 }] }), newKey(), KEYS.client);
      assert.equal(res.status, 202, res.text);
      const accepted = OrderAcceptedSchema.parse(res.body);
      assert.match(accepted.orderId, /^ord_[0-9a-f]{24}$/);
      assert.equal(accepted.status, 'RUNNING');
      assert.equal(accepted.statusUrl, `/orders/${accepted.orderId}`);
      assert.equal(res.headers.get('location'), accepted.statusUrl);
      assert.equal(res.headers.get('x-workflow-id'), accepted.orderId);
      assert.equal(res.headers.get('idempotent-replay'), null);

      const first = await get(api, accepted.orderId);
      assert.equal(first.orderId, accepted.orderId);
      assert.equal(first.customerId, 'cust-1');

      const done = await waitFor(api, accepted.orderId, 'COMPLETED');
      assert.equal(done.workflowStatus, 'COMPLETED');
      assert.equal(done.statusSource, 'last-published', 'the final state the saga published, no worker asked');
      assert.equal(done.totalMinor, 2_000);
      assert.equal(done.currency, 'EUR');
      assert.ok(done.closedAt);
      assert.deepEqual(done.state?.completedSteps.at(-1), 'confirmOrder');
      assert.equal(fakes.orders.get(accepted.orderId)?.status, 'CONFIRMED');

      // The workflow was started as the API says: its memo, search attributes and Web UI summary.
      const description = await env.client.workflow.getHandle(accepted.orderId).describe();
      assert.equal(description.taskQueue, api.config.TASK_QUEUE);
      assert.equal((description.memo as { apiKey: string }).apiKey, 'shop');
      assert.match((await description.staticSummary()) ?? '', new RegExp(`Order ${accepted.orderId} for cust-1`));
    });
  });

  it('the same Idempotency-Key replays the same order and never starts a second saga; another body is 422', async () => {
    const fakes = new FakeOrderServices();
    await withApi(fakes, async (api) => {
      const key = newKey('replay');
      const body = validOrder({ customerId: 'cust-replay' });
      const first = await create(api, body, key);
      assert.equal(first.status, 202);
      const { orderId } = first.body;
      const { runId } = await env.client.workflow.getHandle(orderId).describe();

      // Concurrent retries of the same request: all answer the same order.
      const retries = await Promise.all([1, 2, 3, 4].map(() => create(api, { ...body }, key)));
      for (const retry of retries) {
        assert.equal(retry.status, 202, retry.text);
        assert.equal(retry.body.orderId, orderId);
        assert.equal(retry.headers.get('idempotent-replay'), 'true');
      }
      await waitFor(api, orderId, 'COMPLETED');

      // After the saga closed too: still the same order, now COMPLETED, and still the first run.
      const reordered = {
        paymentMethod: body.paymentMethod,
        items: body.items,
        currency: 'EUR',
        customerId: 'cust-replay',
      };
      const late = await create(api, reordered, key);
      assert.equal(late.status, 202);
      assert.deepEqual(late.body, { orderId, status: 'COMPLETED', statusUrl: `/orders/${orderId}` });
      assert.equal((await env.client.workflow.getHandle(orderId).describe()).runId, runId, 'one saga, one run');
      assert.equal(fakes.attempts('createOrder'), 1);

      const conflict = await create(api, { ...body, currency: 'USD' }, key);
      const error = assertError(conflict, 422, 'IDEMPOTENCY_KEY_REUSED');
      assert.deepEqual(error.details, { orderId });

      // The key is scoped to the tenant: another tenant's identical key is another order, and only its own.
      const other = await create(api, body, key, KEYS.otherClient);
      assert.equal(other.status, 202);
      assert.notEqual(other.body.orderId, orderId);
      await pollUntil(
        () => get(api, other.body.orderId, KEYS.otherClient),
        (view) => view.workflowStatus === 'COMPLETED',
        'the other tenant’s order closed',
      );
    });
  });

  it('GET of an unknown order is 404 ORDER_NOT_FOUND', async () => {
    await withApi(new FakeOrderServices(), async (api) => {
      const res = await api.request('GET', '/orders/ord_000000000000000000000000', { key: KEYS.client });
      assertError(res, 404, 'ORDER_NOT_FOUND');
      assertError(await action(api, 'ord_000000000000000000000000', 'cancel', { reason: 'x' }), 404, 'ORDER_NOT_FOUND');
      assertError(
        await action(api, 'ord_000000000000000000000000', 'approve', { approved: true }),
        404,
        'ORDER_NOT_FOUND',
      );
    });
  });

  it('a compensated order reads its final state after the workflow closed (200, never 500)', async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
    await withApi(fakes, async (api) => {
      const { body } = await create(api, validOrder());
      const view = await waitFor(api, body.orderId, 'COMPENSATED');
      assert.equal(view.statusSource, 'last-published');
      assert.equal(view.workflowStatus, 'COMPLETED');
      assert.equal(view.state?.failure?.type, 'PAYMENT_DECLINED');
      assert.deepEqual(
        view.state?.compensations.map((c) => `${c.activity}:${c.outcome}`),
        ['cancelPayment:COMPENSATED', 'releaseInventory:COMPENSATED', 'closeOrder:COMPENSATED'],
      );
      // Cancelling a closed order is a conflict, not an error.
      const cancel = assertError(
        await action(api, body.orderId, 'cancel', { reason: 'x' }, KEYS.client),
        409,
        'ORDER_CLOSED',
      );
      assert.deepEqual(cancel.details, { status: 'COMPENSATED' });
    });
  });

  it('a large order waits for approval: a client may not approve (403), an operator approves (200) and it completes', async () => {
    const fakes = new FakeOrderServices();
    await withApi(fakes, async (api) => {
      const { body } = await create(api, large());
      const waiting = await waitFor(api, body.orderId, 'AWAITING_APPROVAL');
      assert.equal(waiting.statusSource, 'last-published');
      assert.equal(waiting.currentStep, 'awaitApproval');
      assert.equal(waiting.state?.status, 'AWAITING_APPROVAL', 'the state as of its last status change');
      const live = await api.request<OrderView>('GET', `/orders/${body.orderId}?consistency=strong`, {
        key: KEYS.client,
      });
      assert.equal(live.status, 200, live.text);
      assert.equal(live.body.statusSource, 'workflow-query', 'strong: the running saga answers itself');
      assert.equal(live.body.state?.currentStep, 'awaitApproval');

      assertError(await action(api, body.orderId, 'approve', { approved: true }, KEYS.client), 403, 'FORBIDDEN');
      const res = await action(api, body.orderId, 'approve', { approved: true, reason: 'known customer' });
      assert.equal(res.status, 200, res.text);
      const result = ActionResultSchema.parse(res.body);
      assert.equal(result.done, true);
      assert.equal(result.action, 'approve');
      assert.equal(result.status, 'RUNNING', 'the status after the decision: the saga moved on');
      assert.equal(result.state?.status, 'RUNNING');
      assert.ok(result.state?.completedSteps.includes('awaitApproval'), 'past the approval step');

      const done = await waitFor(api, body.orderId, 'COMPLETED');
      assert.equal(done.approval?.approved, true);
      // Issue 25, item 12: the operator's name and note are the operators' to see; the client sees the decision.
      assert.equal(done.approval?.by, 'operator', 'a client sees the role, not the name');
      assert.equal(done.approval?.reason, undefined, "a client never sees the operator's note");
      const seenByOps = await get(api, body.orderId, KEYS.operator);
      assert.equal(seenByOps.approval?.by, 'ops', 'the operator key name is recorded as the approver');
      assert.equal(seenByOps.approval?.reason, 'known customer');
      assert.equal(done.totalMinor, 200_000);
      assertError(await action(api, body.orderId, 'approve', { approved: true }), 409, 'ORDER_CLOSED');
    });
  });

  // Issue 25, item 11: each wait holds a history long-poll for minutes and costs one rate-limit token, so one
  // tenant could hold thousands and spend the namespace's quota for everyone.
  it('long waits are capped per tenant: past the cap an events request is 429 and a POST answers 202 at once', async () => {
    const fakes = new FakeOrderServices();
    await withApi(
      fakes,
      async (api) => {
        const { body } = await create(api, large());
        await waitFor(api, body.orderId, 'AWAITING_APPROVAL');
        // The tenant's one slot: a long-poll on the order waiting for approval (no event comes).
        const holder = new AbortController();
        const held = fetch(`${api.url}/orders/${body.orderId}/events?wait=30&after=1000`, {
          headers: { authorization: `Bearer ${KEYS.client}` },
          signal: holder.signal,
        }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 500));

        const refused = await api.request('GET', `/orders/${body.orderId}/events?wait=1`, { key: KEYS.client });
        assertError(refused, 429, 'RATE_LIMITED');
        assert.equal(refused.headers.get('retry-after'), '5');

        const started = Date.now();
        const placed = await api.request<OrderAccepted>('POST', '/orders', {
          key: KEYS.client,
          body: validOrder(),
          headers: { 'Idempotency-Key': newKey(), Prefer: 'wait=20' },
        });
        assert.equal(placed.status, 202, placed.text);
        assert.equal(placed.headers.get('preference-applied'), null, 'the wait was not applied');
        assert.ok(Date.now() - started < 5_000, 'answered at once');
        await waitFor(api, placed.body.orderId, 'COMPLETED');

        // Another tenant is not held back by this one's waits.
        const other = await api.request<OrderAccepted>('POST', '/orders', {
          key: KEYS.otherClient,
          body: validOrder(),
          headers: { 'Idempotency-Key': newKey(), Prefer: 'wait=20' },
        });
        assert.equal(other.status, 200, other.text);
        assert.equal(other.headers.get('preference-applied'), 'wait=20');
        holder.abort();
        await held;
        await new Promise((resolve) => setTimeout(resolve, 200));
        const freed = await api.request('GET', `/orders/${placed.body.orderId}/events?wait=0`, { key: KEYS.client });
        assert.equal(freed.status, 200, freed.text);
        await action(api, body.orderId, 'approve', { approved: false, reason: 'test over' });
      },
      { API_MAX_WAITS_PER_TENANT: '1' },
    );
  });

  it("defaults are resolved into each saga's input at start (race 7): a later config change never reaches it", async () => {
    const fakes = new FakeOrderServices();
    await withApi(
      fakes,
      async (api) => {
        const { body } = await create(api, validOrder());
        const history = await env.client.workflow.getHandle(body.orderId).fetchHistory();
        const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
        // The history holds the input encrypted (lib/codec): decode it as the client does.
        const converter = env.client.options.loadedDataConverter;
        let payloads = started?.input?.payloads ?? [];
        for (const codec of [...converter.payloadCodecs].reverse()) payloads = await codec.decode(payloads);
        const [input] = payloads.map((p) => converter.payloadConverter.fromPayload(p));
        assert.deepEqual(
          Object.fromEntries(
            ['approvalThresholdMinor', 'approvalTimeout', 'paymentDeadline'].map((k) => [k, (input as never)[k]]),
          ),
          { approvalThresholdMinor: 5_000_000, approvalTimeout: '3 days', paymentDeadline: '45 minutes' },
        );
        await waitFor(api, body.orderId, 'COMPLETED');
      },
      { APPROVAL_THRESHOLD_MINOR: '5000000', APPROVAL_TIMEOUT: '3 days', PAYMENT_DEADLINE: '45 minutes' },
    );
  });

  it('APPROVAL_THRESHOLD_MINOR from the API config reaches the saga; approving a running order is 409', async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('authorizePayment', { kind: 'hang' });
    await withApi(
      fakes,
      async (api) => {
        // 200 units would need approval under the default threshold, not under 10 000 000.
        const { body } = await create(api, large());
        await pollUntil(
          () => get(api, body.orderId, KEYS.client, true),
          (view) => view.currentStep === 'authorizePayment',
          'authorizePayment',
        );
        const refused = assertError(
          await action(api, body.orderId, 'approve', { approved: true }),
          409,
          'NOT_AWAITING_APPROVAL',
        );
        assert.match(refused.message, /order is RUNNING, not AWAITING_APPROVAL/);
        const cancelled = await action(api, body.orderId, 'cancel', { reason: 'cleanup' }, KEYS.client);
        assert.equal(cancelled.status, 200, cancelled.text);
        assert.equal(cancelled.body.status, 'CANCELLED');
      },
      { APPROVAL_THRESHOLD_MINOR: '10000000' },
    );
  });

  it('cancel during approval → 200 with the final CANCELLED state, compensations done; cancel again → 409', async () => {
    const fakes = new FakeOrderServices();
    await withApi(fakes, async (api) => {
      const { body } = await create(api, large());
      await waitFor(api, body.orderId, 'AWAITING_APPROVAL');
      const res = await action(api, body.orderId, 'cancel', { reason: 'customer changed their mind' }, KEYS.client);
      assert.equal(res.status, 200, res.text);
      const result = ActionResultSchema.parse(res.body);
      assert.equal(result.done, true);
      assert.equal(result.status, 'CANCELLED');
      assert.equal(result.state?.cancellation?.reason, 'customer changed their mind');
      assert.equal(fakes.reservations.get(body.orderId)?.status, 'RELEASED');
      assert.equal(fakes.orders.get(body.orderId)?.status, 'CANCELLED');

      const view = await waitFor(api, body.orderId, 'CANCELLED');
      assert.equal(view.workflowStatus, 'COMPLETED');
      assertError(await action(api, body.orderId, 'cancel', { reason: 'again' }, KEYS.client), 409, 'ORDER_CLOSED');
    });
  });

  it('cancel past the point of no return → 409 CANCEL_REFUSED with the workflow reason; after completion → 409 ORDER_CLOSED', async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('commitInventory', { kind: 'before', times: 3 });
    await withApi(fakes, async (api) => {
      const { body } = await create(api, validOrder());
      await pollUntil(
        () => get(api, body.orderId, KEYS.client, true),
        // It runs beside markPaid (their group shows as markPaid, with both in runningSteps).
        (view) => !!view.state?.runningSteps?.includes('commitInventory'),
        'commitInventory',
      );
      const refused = assertError(
        await action(api, body.orderId, 'cancel', { reason: 'too late' }, KEYS.client),
        409,
        'CANCEL_REFUSED',
      );
      assert.match(refused.message, /point of no return/);
      await waitFor(api, body.orderId, 'COMPLETED');
      assertError(await action(api, body.orderId, 'cancel', { reason: 'later' }, KEYS.client), 409, 'ORDER_CLOSED');
    });
  });

  it('an action still running after UPDATE_TIMEOUT_MS answers 202 (done: false), and the outcome shows on the order', async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('authorizePayment', { kind: 'hang' });
    fakes.faults.set('cancelPayment', { kind: 'before', times: 2 });
    await withApi(
      fakes,
      async (api) => {
        const { body } = await create(api, validOrder());
        await pollUntil(
          () => get(api, body.orderId, KEYS.client, true),
          (view) => view.currentStep === 'authorizePayment',
          'authorizePayment',
        );
        const res = await action(api, body.orderId, 'cancel', { reason: 'slow compensation' }, KEYS.client);
        assert.equal(res.status, 202, res.text);
        const pending = ActionResultSchema.parse(res.body);
        assert.equal(pending.done, false);
        assert.equal(pending.state, undefined);
        assert.equal(res.headers.get('location'), `/orders/${body.orderId}`);
        const view = await waitFor(api, body.orderId, 'CANCELLED');
        assert.equal(view.state?.cancellation?.reason, 'slow compensation');
        assert.equal(fakes.attempts('cancelPayment'), 3, 'the compensation was still retrying when the API answered');
      },
      { UPDATE_TIMEOUT_MS: '300' },
    );
  });

  describe('operator routes for a parked saga', () => {
    const parkingFakes = () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
      fakes.faults.set('releaseInventory', { kind: 'before', times: 10 });
      return fakes;
    };

    it('retry-step / resolve-step: a step after the pivot that failed for good (FORWARD_FAILED) is retried by an operator, never refunded', async () => {
      const fakes = new FakeOrderServices();
      fakes.faults.set('commitInventory', { kind: 'business', code: 'RESERVATION_RELEASED', times: 1 });
      await withApi(fakes, async (api) => {
        const { body } = await create(api, validOrder());
        const parked = await waitFor(api, body.orderId, 'FORWARD_FAILED', () => env.sleep('1 minute'));
        assert.deepEqual(
          parked.state?.parked.map((p) => `${p.phase}:${p.step}`),
          ['forward:commitInventory'],
        );
        assert.equal(fakes.payments.get(body.orderId)?.status, 'CAPTURED');
        assertError(await action(api, body.orderId, 'retry-step', {}, KEYS.client), 403, 'FORBIDDEN');
        assertError(await action(api, body.orderId, 'retry-compensation', {}), 409, 'NO_PARKED_COMPENSATION');
        assertError(await action(api, body.orderId, 'resolve-step', {}), 400, 'VALIDATION_ERROR');
        const res = await action(api, body.orderId, 'retry-step', { step: 'commitInventory' });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(ActionResultSchema.parse(res.body).state?.parked, []);
        const done = await waitFor(api, body.orderId, 'COMPLETED');
        assert.deepEqual(done.state?.compensations, []);
        assert.equal(fakes.payments.get(body.orderId)?.status, 'CAPTURED');
        assertError(await action(api, body.orderId, 'resolve-step', { reason: 'x' }), 409, 'ORDER_CLOSED');
      });
    });

    it('retry-compensation: 403 for clients, 409 for a step that is not parked, 200 once retried; the saga ends COMPENSATED', async () => {
      const fakes = parkingFakes();
      await withApi(fakes, async (api) => {
        const { body } = await create(api, validOrder());
        const parked = await waitFor(api, body.orderId, 'COMPENSATION_FAILED', () => env.sleep('1 minute'));
        assert.deepEqual(
          parked.state?.parked.map((p) => `${p.step}:${p.activity}`),
          ['reserveInventory:releaseInventory'],
        );

        assertError(await action(api, body.orderId, 'retry-compensation', {}, KEYS.client), 403, 'FORBIDDEN');
        const wrongStep = assertError(
          await action(api, body.orderId, 'retry-compensation', { step: 'createOrder' }),
          409,
          'NO_PARKED_COMPENSATION',
        );
        assert.match(wrongStep.message, /no parked compensation for step createOrder/);

        const res = await action(api, body.orderId, 'retry-compensation', { step: 'reserveInventory' });
        assert.equal(res.status, 200, res.text);
        const result = ActionResultSchema.parse(res.body);
        assert.equal(result.done, true);
        assert.deepEqual(result.state?.parked, []);

        const done = await waitFor(api, body.orderId, 'COMPENSATED');
        assert.deepEqual(
          done.state?.compensations.map((c) => `${c.activity}:${c.outcome}`),
          [
            'cancelPayment:COMPENSATED',
            'releaseInventory:FAILED',
            'releaseInventory:COMPENSATED',
            'closeOrder:COMPENSATED',
          ],
        );
        assert.equal(fakes.reservations.get(body.orderId)?.status, 'RELEASED');
        assertError(await action(api, body.orderId, 'retry-compensation', {}), 409, 'ORDER_CLOSED');
      });
    });

    it('skip-compensation records the reason and the operator; with nothing parked it is 409', async () => {
      const fakes = parkingFakes();
      fakes.faults.set('releaseInventory', { kind: 'before' });
      await withApi(fakes, async (api) => {
        const { body } = await create(api, validOrder());
        await waitFor(api, body.orderId, 'COMPENSATION_FAILED', () => env.sleep('1 minute'));
        const res = await action(api, body.orderId, 'skip-compensation', { reason: 'released by hand in the WMS' });
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.body.state?.parked, []);
        const done = await waitFor(api, body.orderId, 'COMPENSATED');
        const skipped = done.state?.compensations.find((c) => c.outcome === 'SKIPPED');
        assert.equal(skipped?.step, 'reserveInventory');
        assert.equal(skipped?.reason, 'released by hand in the WMS (by ops)');
      });
    });

    it('with no parked compensation, retry and skip are 409 NO_PARKED_COMPENSATION', async () => {
      await withApi(new FakeOrderServices(), async (api) => {
        const { body } = await create(api, large());
        await waitFor(api, body.orderId, 'AWAITING_APPROVAL');
        const retry = assertError(
          await action(api, body.orderId, 'retry-compensation', {}),
          409,
          'NO_PARKED_COMPENSATION',
        );
        assert.match(retry.message, /no parked compensation/);
        assertError(
          await action(api, body.orderId, 'skip-compensation', { reason: 'nothing to skip' }),
          409,
          'NO_PARKED_COMPENSATION',
        );
        await action(api, body.orderId, 'cancel', { reason: 'cleanup' }, KEYS.client);
      });
    });
  });

  it('no worker: status falls back to the last published search attributes; actions are 503; a terminated saga reads ABORTED', async () => {
    // No workers poll this API's task queue at all.
    const api = await startApi(env.client, {
      TASK_QUEUE: `api-ts-${process.pid}-nobody`,
      QUERY_TIMEOUT_MS: '500',
      TEMPORAL_RPC_TIMEOUT_MS: '1000',
    });
    try {
      const res = await create(api, validOrder({ customerId: 'cust-orphan' }));
      assert.equal(res.status, 202);
      const view = await get(api, res.body.orderId);
      assert.equal(view.statusSource, 'last-published');
      assert.equal(view.status, 'RUNNING');
      assert.equal(view.workflowStatus, 'RUNNING');
      assert.equal(view.customerId, 'cust-orphan');
      assert.equal(view.currency, 'EUR');
      assert.equal(view.state, undefined, 'no worker ever ran it, so it published no state');
      const strong = await api.request<OrderView>('GET', `/orders/${res.body.orderId}?consistency=strong`, {
        key: KEYS.client,
      });
      assert.equal(strong.status, 200, strong.text);
      assert.equal(strong.body.statusSource, 'last-published', 'strong, but no worker answers the Query in time');

      const cancel = await action(api, res.body.orderId, 'cancel', { reason: 'x' }, KEYS.client);
      assertError(cancel, 503, 'ORDER_NOT_RESPONDING');
      assert.equal(cancel.headers.get('retry-after'), '5');

      await env.client.workflow.getHandle(res.body.orderId).terminate('operator test');
      const aborted = await get(api, res.body.orderId);
      assert.equal(aborted.status, 'ABORTED');
      assert.equal(aborted.workflowStatus, 'TERMINATED');
      assert.equal(aborted.statusSource, 'last-published');
      assert.ok(aborted.closedAt);
      assertError(await action(api, res.body.orderId, 'cancel', { reason: 'x' }, KEYS.client), 409, 'ORDER_CLOSED');
    } finally {
      await api.close();
    }
  });
});
