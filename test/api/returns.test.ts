import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OrderView, ReturnAccepted, ReturnView } from '../../api/schemas';
import { ActionResultSchema, OperationViewSchema, OrderViewSchema, ReturnViewSchema } from '../../api/schemas';
import { createOperationActivities } from '../../activities/operations';
import { runWithSagaWorkers } from '../helpers/order-saga';
import type { RealServices } from '../helpers/real-services';
import { startRealServices } from '../helpers/real-services';
import { createLocalEnv } from '../helpers/temporal';
import type { ApiResponse, TestApi } from './harness';
import { assertError, KEYS, newKey, pollUntil, startApi, validOrder } from './harness';

// Returns over HTTP: the API on the real dev server, the worker's both sagas against the three real services
// (SQLite). An order is placed and completed, then returned through /orders/{orderId}/returns.
const taskQueue = `api-returns-${process.pid}`;
let env: TestWorkflowEnvironment;
let services: RealServices;
let api: TestApi;
before(async () => {
  [env, services] = await Promise.all([createLocalEnv(), startRealServices('sqlite')]);
  api = await startApi(env.client, { TASK_QUEUE: taskQueue, RETURN_APPROVAL_THRESHOLD_MINOR: '4900' });
});
after(async () => {
  await api?.close();
  await Promise.all([env?.teardown(), services?.stop()]);
});

const run = (fn: () => Promise<void>) =>
  runWithSagaWorkers(env, taskQueue, { ...services.activities(), ...services.returnActivities() }, fn);

/** A completed order of two units of SKU-1 (2 × 2450), placed by tenant shop. */
async function completedOrder(): Promise<string> {
  const res = await api.request<OrderView>('POST', '/orders', {
    key: KEYS.client,
    body: validOrder(),
    headers: { 'Idempotency-Key': newKey('order'), Prefer: 'wait=30' },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(OrderViewSchema.parse(res.body).status, 'COMPLETED');
  return res.body.orderId;
}

const requestReturn = (orderId: string, key: string, body: unknown, secret: string = KEYS.client) =>
  api.request<ReturnAccepted>('POST', `/orders/${orderId}/returns`, {
    key: secret,
    body,
    headers: { 'Idempotency-Key': key },
  });

const getReturn = (url: string, secret: string = KEYS.client) => api.request<ReturnView>('GET', url, { key: secret });

const act = (url: string, action: string, body: unknown, secret: string) =>
  api.request('POST', `${url}/${action}`, { key: secret, body });

async function returnUntil(url: string, done: (view: ReturnView) => boolean, what: string): Promise<ReturnView> {
  return pollUntil(
    async () => {
      const res = await getReturn(url);
      assert.equal(res.status, 200, res.text);
      return ReturnViewSchema.parse(res.body);
    },
    done,
    what,
  );
}

const oneUnit = { items: [{ sku: 'SKU-1', quantity: 1 }], reason: 'does not fit' };

/** The payment service refusing the next `count` refunds with a business answer (409), then answering again. */
function refusingRefunds(count: number): typeof fetch {
  let left = count;
  return async (input, init) => {
    const key = new Headers(init?.headers).get('idempotency-key') ?? '';
    if (left > 0 && key.endsWith(':refund')) {
      left -= 1;
      const error = { code: 'REFUND_EXCEEDS_CAPTURE', message: 'refused by the payment provider (test)' };
      return Response.json({ error }, { status: 409 });
    }
    return fetch(input, init);
  };
}

describe('returns over HTTP', () => {
  it('a client returns a unit, the warehouse takes the parcel in, and the unit is refunded', () =>
    run(async () => {
      const orderId = await completedOrder();
      const key = newKey('return');
      const created = await requestReturn(orderId, key, oneUnit);
      assert.equal(created.status, 202, created.text);
      const { returnId, statusUrl } = created.body;
      assert.match(returnId, /^ret_[a-f0-9]{24}$/);
      assert.equal(statusUrl, `/orders/${orderId}/returns/${returnId}`);
      assert.equal(created.headers.get('location'), statusUrl);

      // Idempotent: the same key and body answer the same return (also with the tenant's rotated key); another body
      // under the key is refused, and nothing else starts.
      const replay = await requestReturn(orderId, key, oneUnit, KEYS.rotatedClient);
      assert.equal(replay.status, 202, replay.text);
      assert.equal(replay.body.returnId, returnId);
      assert.equal(replay.headers.get('idempotent-replay'), 'true');
      assertError(
        await requestReturn(orderId, key, { items: [{ sku: 'SKU-1', quantity: 2 }] }),
        422,
        'IDEMPOTENCY_KEY_REUSED',
      );

      const waiting = await returnUntil(statusUrl, (v) => v.currentStep === 'awaitParcel', 'waiting for the parcel');
      assert.equal(waiting.status, 'RUNNING');
      assert.equal(waiting.statusSource, 'last-published');
      assert.equal(waiting.refundMinor, 2_450);
      assert.match(waiting.trackingNumber ?? '', /^TRK/);

      assertError(await act(statusUrl, 'parcel-received', {}, KEYS.client), 403, 'FORBIDDEN');
      const received = await act(statusUrl, 'parcel-received', { note: 'box intact' }, KEYS.operator);
      assert.equal(received.status, 200, received.text);
      const result = ActionResultSchema.parse(received.body);
      assert.deepEqual([result.returnId, result.orderId, result.action], [returnId, orderId, 'parcel-received']);
      assert.notEqual(result.state?.currentStep, 'awaitParcel', 'answered once the saga moved past the parcel');

      const done = await returnUntil(statusUrl, (v) => v.workflowStatus === 'COMPLETED', 'the return closed');
      assert.equal(done.status, 'COMPLETED');
      // The warehouse's name and note are the operators' (issue 25, item 12).
      assert.deepEqual(done.parcel && { by: done.parcel.by, note: done.parcel.note }, {
        by: 'warehouse',
        note: undefined,
      });
      const seenByOps = (await getReturn(statusUrl, KEYS.operator)).body;
      assert.deepEqual(seenByOps.parcel && { by: seenByOps.parcel.by, note: seenByOps.parcel.note }, {
        by: 'ops',
        note: 'box intact',
      });
      assert.deepEqual(await services.returnSnapshot(returnId, orderId), {
        return: 'REFUNDED',
        label: 'USED',
        restock: 'RESTOCKED',
        refundedMinor: 2_450,
      });
      const closed = assertError(await act(statusUrl, 'parcel-received', {}, KEYS.operator), 409, 'RETURN_CLOSED');
      assert.match(closed.message, /has ended \(COMPLETED\)/);
    }));

  it("another tenant neither reads, requests nor acts on a tenant's returns; a return is found under its order only", () =>
    run(async () => {
      const orderId = await completedOrder();
      const created = await requestReturn(orderId, newKey('return'), oneUnit);
      assert.equal(created.status, 202, created.text);
      const { returnId, statusUrl } = created.body;
      await returnUntil(statusUrl, (v) => v.currentStep === 'awaitParcel', 'waiting for the parcel');

      for (const secret of [KEYS.otherClient, KEYS.otherOperator]) {
        const hidden = assertError(await getReturn(statusUrl, secret), 404, 'RETURN_NOT_FOUND');
        assert.equal(hidden.message, `no return ${returnId}`);
        assertError(await act(statusUrl, 'cancel', { reason: 'not mine' }, secret), 404, 'RETURN_NOT_FOUND');
      }
      assertError(await act(statusUrl, 'parcel-received', {}, KEYS.otherOperator), 404, 'RETURN_NOT_FOUND');
      assertError(await requestReturn(orderId, newKey('return'), oneUnit, KEYS.otherClient), 404, 'ORDER_NOT_FOUND');
      // Under another order of the same tenant, the return does not exist either.
      const otherOrder = await completedOrder();
      assertError(await getReturn(`/orders/${otherOrder}/returns/${returnId}`), 404, 'RETURN_NOT_FOUND');
      assertError(await getReturn(`/orders/${orderId}/returns/ret_nope`), 404, 'RETURN_NOT_FOUND');
      assert.equal((await getReturn(statusUrl, KEYS.operator)).status, 200, 'a global operator reads every tenant');

      // The owner cancels while the parcel is awaited: the label is voided and the return closes CANCELLED.
      const cancelled = await act(statusUrl, 'cancel', { reason: 'kept it' }, KEYS.client);
      assert.equal(cancelled.status, 200, cancelled.text);
      assert.equal(ActionResultSchema.parse(cancelled.body).status, 'CANCELLED');
      assert.deepEqual(await services.returnSnapshot(returnId, orderId), {
        return: 'CANCELLED',
        label: 'VOIDED',
        refundedMinor: 0,
      });
    }));

  it('a refund at the threshold waits for an operator; a client cannot approve it', () =>
    run(async () => {
      const orderId = await completedOrder();
      const created = await requestReturn(orderId, newKey('return'), { items: [{ sku: 'SKU-1', quantity: 2 }] });
      const { statusUrl } = created.body;
      await returnUntil(statusUrl, (v) => v.status === 'AWAITING_APPROVAL', 'awaiting approval');
      assertError(await act(statusUrl, 'approve', { approved: true }, KEYS.client), 403, 'FORBIDDEN');
      const rejected = await act(statusUrl, 'approve', { approved: false, reason: 'worn' }, KEYS.operator);
      assert.equal(rejected.status, 200, rejected.text);
      assert.equal(ActionResultSchema.parse(rejected.body).status, 'COMPENSATED');
      const view = await returnUntil(statusUrl, (v) => v.workflowStatus === 'COMPLETED', 'closed');
      assert.equal(view.state?.failure?.type, 'APPROVAL_REJECTED');
      assert.equal(view.approval?.by, 'operator');
      assert.equal(view.approval?.reason, undefined);
      assert.equal((await getReturn(statusUrl, KEYS.operator)).body.approval?.by, 'ops');
    }));

  it('refuses what would fail at a service, and returns of an order that did not complete; nothing starts', () =>
    run(async () => {
      const orderId = await completedOrder();
      const invalid: [unknown, RegExp][] = [
        [{ items: [] }, /items/],
        [
          {
            items: [
              { sku: 'SKU-1', quantity: 1 },
              { sku: 'SKU-1', quantity: 1 },
            ],
          },
          /items/,
        ],
        [{ items: [{ sku: 'SKU 1', quantity: 1 }] }, /items\.0\.sku/],
        [{ items: [{ sku: 'SKU-1', quantity: 0 }] }, /items\.0\.quantity/],
        [{ ...oneUnit, extra: true }, /unrecognized|extra/i],
      ];
      for (const [body, path] of invalid) {
        const key = newKey('invalid');
        const res: ApiResponse = await requestReturn(orderId, key, body);
        const error = assertError(res, 400, 'VALIDATION_ERROR');
        assert.match(JSON.stringify(error.details), path);
      }
      assertError(
        await api.request('POST', `/orders/${orderId}/returns`, { key: KEYS.client, body: oneUnit }),
        400,
        'INVALID_IDEMPOTENCY_KEY',
      );

      const declined = await api.request<OrderView>('POST', '/orders', {
        key: KEYS.client,
        body: validOrder({ paymentMethod: 'tok_declined' }),
        headers: { 'Idempotency-Key': newKey('declined'), Prefer: 'wait=30' },
      });
      assert.equal(declined.body.status, 'COMPENSATED', declined.text);
      const refused = assertError(
        await requestReturn(declined.body.orderId, newKey('return'), oneUnit),
        409,
        'ORDER_NOT_RETURNABLE',
      );
      assert.match(refused.message, /is COMPENSATED; only a completed order takes returns/);
      assertError(await act(`/orders/${orderId}`, 'parcel-received', {}, KEYS.operator), 404, 'NOT_FOUND');

      // None of the refused requests started a return saga.
      const started = await env.client.workflow.count(`WorkflowType = "orderReturn" AND TenantId = "shop"`);
      assert.equal(started.count, 3, 'only the three returns of the tests above');
    }));

  it('one bulk retry repairs the returns parked on refunds the payment provider refused: each refunded once', () =>
    runWithSagaWorkers(
      env,
      taskQueue,
      {
        ...services.activities(),
        ...services.returnActivities(refusingRefunds(2)),
        ...createOperationActivities({ client: env.client }),
      },
      async () => {
        const returns: { returnId: string; orderId: string; statusUrl: string }[] = [];
        for (let i = 0; i < 2; i++) {
          const orderId = await completedOrder();
          const created = await requestReturn(orderId, newKey('return'), oneUnit);
          assert.equal(created.status, 202, created.text);
          returns.push({ ...created.body, orderId });
        }
        for (const { statusUrl } of returns) {
          await returnUntil(statusUrl, (v) => v.currentStep === 'awaitParcel', 'waiting for the parcel');
          const received = await act(statusUrl, 'parcel-received', {}, KEYS.operator);
          assert.equal(received.status, 200, received.text);
          await returnUntil(statusUrl, (v) => v.status === 'FORWARD_FAILED', 'parked on the refund');
        }
        const request = {
          filter: {
            sagaType: 'return',
            status: 'FORWARD_FAILED',
            parkedStep: 'refund',
            parkedReason: 'REFUND_EXCEEDS_CAPTURE',
          },
          action: { kind: 'retry-step' },
          reason: 'the provider lifted its refund limit',
        };
        const operate = (body: object) =>
          api.request('POST', '/operations', {
            key: KEYS.operator,
            body,
            headers: { 'Idempotency-Key': newKey('op') },
          });
        const dry = await operate({ ...request, dryRun: true });
        assert.equal(dry.status, 200, dry.text);
        assert.deepEqual(dry.body.targets, returns.map((r) => r.returnId).sort(), 'exactly the parked returns');
        const started = await operate(request);
        assert.equal(started.status, 202, started.text);
        const { operationId } = started.body as { operationId: string };
        const operation = await pollUntil(
          async () =>
            OperationViewSchema.parse(
              (await api.request('GET', `/operations/${operationId}`, { key: KEYS.operator })).body,
            ),
          (v) => v.status === 'COMPLETED',
          'the operation completed',
        );
        assert.deepEqual(
          operation.results.map((r) => r.outcome),
          ['done', 'done'],
        );
        for (const { returnId, orderId, statusUrl } of returns) {
          const done = await returnUntil(statusUrl, (v) => v.workflowStatus === 'COMPLETED', 'the return closed');
          assert.equal(done.status, 'COMPLETED');
          const snapshot = await services.returnSnapshot(returnId, orderId);
          assert.deepEqual([snapshot.return, snapshot.refundedMinor], ['REFUNDED', 2_450], 'refunded once');
        }
      },
    ));
});
