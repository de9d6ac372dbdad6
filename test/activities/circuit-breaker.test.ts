import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createServiceClients } from '../../activities/service-clients';
import { ServiceError } from '../../lib/http/client';
import { FaultyTransport } from '../helpers/faulty-transport';
import { orderInput, runOrderSaga } from '../helpers/order-saga';
import { startRealServices } from '../helpers/real-services';
import type { RealServices } from '../helpers/real-services';
import { createLocalEnv } from '../helpers/temporal';

// The per-service circuit breaker (cockatiel, lib/http/circuit-breaker.ts) in front of the real services,
// with faults injected in the transport below it: what the transport sees is what reaches the service.
let services: RealServices;
let env: TestWorkflowEnvironment;
before(async () => {
  [services, env] = await Promise.all([startRealServices('sqlite'), createLocalEnv()]);
});
after(async () => {
  await Promise.all([services?.stop(), env?.teardown()]);
});

const breaker = { consecutiveFailures: 3, halfOpenAfterMs: 300 };
const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (err: unknown) => (err instanceof ServiceError ? err.code : String(err)),
  );
const authorize = (clients: ReturnType<typeof createServiceClients>, key: string, paymentMethod = 'tok_ok') =>
  clients.payment.authorize(
    { orderId: key, customerId: 'cust-b', amountMinor: 1_000, currency: 'EUR', paymentMethod },
    { idempotencyKey: key },
  );

describe('circuit breaker per service', () => {
  it('opens after consecutive faults, stops calling the service, and closes after a good probe', async () => {
    const transport = new FaultyTransport().inject('brk-1', 'before', 3);
    const states: string[] = [];
    const clients = createServiceClients({ ...services.config, breaker }, { fetch: transport.fetch }, (_, s) =>
      states.push(s),
    );
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await code(authorize(clients, 'brk-1')));
    for (let i = 0; i < 5; i++) outcomes.push(await code(authorize(clients, 'brk-1')));
    assert.deepEqual(outcomes, [...Array(3).fill('NETWORK_ERROR'), ...Array(5).fill('CIRCUIT_OPEN')]);
    assert.equal(transport.requests.length, 3, 'the open circuit sent nothing');
    await new Promise((resolve) => setTimeout(resolve, breaker.halfOpenAfterMs + 50));
    assert.equal(await code(authorize(clients, 'brk-1')), 'OK');
    assert.equal(transport.requests.length, 4, 'one probe');
    assert.deepEqual(states, ['open', 'half-open', 'closed']);
  });

  // Issue 25, item 9: tenant A's burst of a card that fails on purpose (tok_flaky: 503s marked as caused by the
  // request) opened the payment circuit that every tenant shares, and tenant B's order waited on it.
  it("one tenant's faults caused by its own input never open the shared circuit: another tenant's call goes through", async () => {
    const clients = createServiceClients({ ...services.config, breaker });
    const burst = await Promise.all(
      Array.from({ length: 6 }, (_, i) => code(authorize(clients, `tenant-a-flaky-${process.pid}-${i}`, 'tok_flaky'))),
    );
    assert.deepEqual(burst, Array(6).fill('SERVICE_UNAVAILABLE'));
    assert.equal(await code(authorize(clients, `tenant-b-${process.pid}`)), 'OK');
  });

  it('a storm of business errors (409 PAYMENT_DECLINED) never opens it', async () => {
    const transport = new FaultyTransport();
    const clients = createServiceClients({ ...services.config, breaker }, { fetch: transport.fetch });
    for (let i = 0; i < 10; i++) {
      assert.equal(await code(authorize(clients, `declined-${process.pid}-${i}`, 'tok_declined')), 'PAYMENT_DECLINED');
    }
    assert.equal(await code(authorize(clients, `after-storm-${process.pid}`)), 'OK');
    assert.equal(transport.requests.length, 11);
  });

  it('a saga on the dev server waits out an outage longer than its retry budget, then completes', async () => {
    // 8 faults in a row: a step with 5 attempts would compensate without the breaker's wait.
    const transport = new FaultyTransport().inject('authorizePayment', 'before', 8);
    const input = orderInput();
    const result = await runOrderSaga(env, services.activities(transport.fetch, { breaker }), input);
    assert.equal(result.state.status, 'COMPLETED', JSON.stringify(result.state.failure));
    const reached = transport.requests.filter((step) => step === 'authorizePayment').length;
    assert.equal(reached, 9, '8 faults (3 to open, then one probe per half-open), then the call that succeeds');
    const history = await env.client.workflow.getHandle(input.orderId).fetchHistory();
    const scheduled = (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'authorizePayment',
    ).length;
    assert.ok(scheduled > 1, 'the step was dispatched again after each wait');
    assert.equal((await services.snapshot(input.orderId)).payment?.status, 'CAPTURED');
  });
});
