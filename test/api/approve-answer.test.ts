import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActionResult, OrderAccepted, OrderView } from '../../api/schemas';
import { ActionResultSchema, OrderViewSchema } from '../../api/schemas';
import { FakeOrderServices } from '../helpers/fake-order-services';
import { runWithSagaWorkers } from '../helpers/order-saga';
import { createTimeSkippingEnv } from '../helpers/temporal';
import type { TestApi } from './harness';
import { KEYS, newKey, pollUntil, startApi, validOrder } from './harness';

// POST /orders/{id}/approve answers the state after the decision (issue 13): approved, the saga has moved on
// (RUNNING); rejected, it has settled as a cancel does (COMPENSATED), or is still compensating (202, done=false).
// Before, the answer was done=true with the state still AWAITING_APPROVAL.
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
  const api = await startApi(env.client, { TASK_QUEUE: `approve-answer-${process.pid}-${queues}`, ...config });
  try {
    await runWithSagaWorkers(env, api.config.TASK_QUEUE, fakes.activities(), () => fn(api));
  } finally {
    await api.close();
  }
}

const get = async (api: TestApi, orderId: string): Promise<OrderView> => {
  const res = await api.request<OrderView>('GET', `/orders/${orderId}`, { key: KEYS.client });
  assert.equal(res.status, 200, res.text);
  return OrderViewSchema.parse(res.body);
};
const waitFor = (api: TestApi, orderId: string, done: (view: OrderView) => boolean, what: string) =>
  pollUntil(() => get(api, orderId), done, `${orderId} ${what}`);
const closed = (view: OrderView) => view.workflowStatus === 'COMPLETED';

/** A large order (200 units at 1000 minor: the default approval threshold), waiting for approval. */
async function awaitingApproval(api: TestApi): Promise<string> {
  const res = await api.request<OrderAccepted>('POST', '/orders', {
    key: KEYS.client,
    body: validOrder({ items: [{ sku: 'SKU-BIG', quantity: 200 }] }),
    headers: { 'Idempotency-Key': newKey('approve-answer') },
  });
  assert.equal(res.status, 202, res.text);
  await waitFor(api, res.body.orderId, (view) => view.status === 'AWAITING_APPROVAL', 'AWAITING_APPROVAL');
  return res.body.orderId;
}

const decide = (api: TestApi, orderId: string, body: Record<string, unknown>) =>
  api.request<ActionResult>('POST', `/orders/${orderId}/approve`, { key: KEYS.operator, body });

describe('the approve answer reports the state after the decision', () => {
  it('approved: 200, done, RUNNING past the approval step (not AWAITING_APPROVAL)', async () => {
    const fakes = new FakeOrderServices();
    await withApi(fakes, async (api) => {
      const orderId = await awaitingApproval(api);
      const res = await decide(api, orderId, { approved: true, reason: 'known customer' });
      assert.equal(res.status, 200, res.text);
      const result = ActionResultSchema.parse(res.body);
      assert.equal(result.done, true);
      assert.equal(result.status, 'RUNNING');
      assert.equal(result.state?.status, 'RUNNING', 'the saga moved on before the answer');
      assert.ok(result.state?.completedSteps.includes('awaitApproval'), JSON.stringify(result.state));
      assert.notEqual(result.state?.currentStep, 'awaitApproval');

      const done = await waitFor(api, orderId, closed, 'closed');
      assert.equal(done.status, 'COMPLETED');
      assert.equal(done.approval?.approved, true);
    });
  });

  it('rejected: 200, done, once the saga settled: COMPENSATED with its compensations run, as cancel answers', async () => {
    const fakes = new FakeOrderServices();
    await withApi(fakes, async (api) => {
      const orderId = await awaitingApproval(api);
      const res = await decide(api, orderId, { approved: false, reason: 'suspected fraud' });
      assert.equal(res.status, 200, res.text);
      const result = ActionResultSchema.parse(res.body);
      assert.equal(result.done, true);
      assert.equal(result.status, 'COMPENSATED');
      assert.equal(result.state?.status, 'COMPENSATED');
      assert.equal(result.state?.failure?.type, 'APPROVAL_REJECTED');
      assert.equal(result.state?.failure?.message, 'suspected fraud');
      assert.deepEqual(
        result.state?.compensations.map((c) => `${c.activity}:${c.outcome}`),
        ['releaseInventory:COMPENSATED', 'closeOrder:COMPENSATED'],
      );
      assert.equal(fakes.payments.has(orderId), false, 'no payment after a rejection');
      assert.equal(fakes.reservations.get(orderId)?.status, 'RELEASED');

      const done = await waitFor(api, orderId, closed, 'closed');
      assert.equal(done.status, 'COMPENSATED');
      assert.equal(done.approval?.approved, false);
    });
  });

  it('rejected while compensations take longer than UPDATE_TIMEOUT_MS: 202, done=false, then COMPENSATED', async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('releaseInventory', { kind: 'slow', ms: 2_000 });
    await withApi(
      fakes,
      async (api) => {
        const orderId = await awaitingApproval(api);
        const res = await decide(api, orderId, { approved: false });
        assert.equal(res.status, 202, res.text);
        const pending = ActionResultSchema.parse(res.body);
        assert.equal(pending.done, false);
        assert.notEqual(pending.status, 'AWAITING_APPROVAL');
        assert.equal(res.headers.get('location'), `/orders/${orderId}`);

        const done = await waitFor(api, orderId, closed, 'closed');
        assert.equal(done.status, 'COMPENSATED');
        assert.equal(done.state?.failure?.type, 'APPROVAL_REJECTED');
      },
      // Remote steps: the Update is accepted at once and its outcome waits for the slow compensation.
      { UPDATE_TIMEOUT_MS: '500', SAGA_STEP_EXECUTION: 'remote' },
    );
  });

  it('with local steps the same rejection is taken with its compensations in one workflow task: 200, COMPENSATED', async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('releaseInventory', { kind: 'slow', ms: 2_000 });
    await withApi(
      fakes,
      async (api) => {
        const orderId = await awaitingApproval(api);
        const started = Date.now();
        const res = await decide(api, orderId, { approved: false });
        // Acceptance is reported when the task completes, after the local compensations: the outcome comes with it.
        assert.equal(res.status, 200, res.text);
        assert.ok(Date.now() - started >= 2_000, 'answered once the slow release had run');
        const result = ActionResultSchema.parse(res.body);
        assert.deepEqual([result.done, result.status], [true, 'COMPENSATED']);
      },
      { UPDATE_TIMEOUT_MS: '500', SAGA_STEP_EXECUTION: 'local' },
    );
  });
});
