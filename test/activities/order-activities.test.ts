import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { createLogger } from '../../lib/logger';

// The activities over a fake transport: what they send, and how each kind of answer becomes a failure.
interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

function transport(answer: (sent: Sent) => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const fetchFake = async (url: string | URL | Request, init?: RequestInit) => {
    const request: Sent = {
      method: init?.method ?? 'GET',
      url: String(url),
      headers: init?.headers as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    sent.push(request);
    return answer(request);
  };
  const activities = createActivities({
    config: {
      inventoryUrl: 'http://inventory.test',
      paymentUrl: 'http://payment.test',
      orderUrl: 'http://order.test',
      tokens: { inventory: 'token-123456', payment: 'token-123456', order: 'token-123456' },
      timeoutMs: 1_000,
    },
    http: { fetch: fetchFake as typeof fetch },
    logger: createLogger().child({}, { level: 'silent' }),
  });
  return { sent, activities };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const errorBody = (code: string) => ({ error: { code, message: `${code} happened`, details: { sku: 'SKU-1' } } });
const keyed = { orderId: 'ord-1', idempotencyKey: 'ord-1:reserveInventory' };

function env() {
  return new MockActivityEnvironment({
    workflowExecution: { workflowId: 'ord-1', runId: 'run-1' },
    heartbeatTimeoutMs: 3_000,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => assert.fail('expected the activity to fail'),
    (err: unknown) => err,
  );
  assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

describe('order activities over HTTP', () => {
  it('send the idempotency key, the workflow id and the bearer token to the owning service', async () => {
    const { sent, activities } = transport(() => json(201, { reservationId: 'res-1', orderId: 'ord-1' }));
    const result = await env().run(activities.reserveInventory, { ...keyed, items: [{ sku: 'SKU-1', quantity: 2 }] });
    assert.deepEqual(result, { reservationId: 'res-1' });
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.method, 'POST');
    assert.equal(sent[0]?.url, 'http://inventory.test/reservations');
    assert.equal(sent[0]?.headers['idempotency-key'], 'ord-1:reserveInventory');
    assert.equal(sent[0]?.headers['x-workflow-id'], 'ord-1');
    assert.equal(sent[0]?.headers.authorization, 'Bearer token-123456');
    assert.deepEqual(sent[0]?.body, { orderId: 'ord-1', items: [{ sku: 'SKU-1', quantity: 2 }] });
  });

  it('a 409 business conflict is a non-retryable failure typed with the service code', async () => {
    const { activities } = transport(() => json(409, errorBody('INSUFFICIENT_STOCK')));
    const failure = await failureOf(
      env().run(activities.reserveInventory, { ...keyed, items: [{ sku: 'SKU-1', quantity: 2 }] }),
    );
    assert.equal(failure.type, 'INSUFFICIENT_STOCK');
    assert.equal(failure.nonRetryable, true);
    assert.deepEqual(failure.details, [{ sku: 'SKU-1' }]);
  });

  it('a 5xx fault stays retryable', async () => {
    const { activities } = transport(() => json(503, errorBody('SERVICE_UNAVAILABLE')));
    const failure = await failureOf(env().run(activities.capturePayment, keyed));
    assert.equal(failure.type, 'SERVICE_UNAVAILABLE');
    assert.equal(failure.nonRetryable, false);
  });

  it('a network error stays retryable', async () => {
    const { activities } = transport(() => {
      throw new TypeError('fetch failed');
    });
    const failure = await failureOf(
      env().run(activities.authorizePayment, {
        ...keyed,
        customerId: 'c',
        amountMinor: 100,
        currency: 'EUR',
        paymentMethod: 'tok_ok',
      }),
    );
    assert.equal(failure.type, 'NETWORK_ERROR');
    assert.equal(failure.nonRetryable, false);
  });

  it('a rejected service token is retried (a deployment fault), not compensated', async () => {
    const { activities } = transport(() => json(401, errorBody('UNAUTHORIZED')));
    const failure = await failureOf(env().run(activities.commitInventory, keyed));
    assert.equal(failure.type, 'SERVICE_AUTH_FAILED');
    assert.equal(failure.nonRetryable, false);
  });

  it('closing an order that was never created is a no-op', async () => {
    const { sent, activities } = transport(() => json(404, errorBody('NOT_FOUND')));
    await env().run(activities.closeOrder, { ...keyed, status: 'COMPENSATED' as const, reason: 'PAYMENT_DECLINED' });
    assert.equal(sent[0]?.url, 'http://order.test/orders/ord-1/status');
    assert.deepEqual(sent[0]?.body, { status: 'COMPENSATED', reason: 'PAYMENT_DECLINED' });
  });

  it('an illegal order transition is not swallowed', async () => {
    const { activities } = transport(() => json(409, errorBody('ILLEGAL_TRANSITION')));
    const failure = await failureOf(env().run(activities.setOrderStatus, { ...keyed, status: 'PAID' as const }));
    assert.equal(failure.type, 'ILLEGAL_TRANSITION');
    assert.equal(failure.nonRetryable, true);
  });

  it('cancelling the activity aborts the call in flight', async () => {
    const activityEnv = env();
    const { activities } = transport(
      (sent) =>
        new Promise<Response>((_, reject) => {
          void sent;
          setTimeout(() => reject(new Error('the call was not aborted')), 5_000);
        }),
    );
    const running = activityEnv.run(activities.releaseInventory, keyed);
    setTimeout(() => activityEnv.cancel(), 50);
    await assert.rejects(running, (err: Error) => err.name === 'CancelledFailure');
  });
});
