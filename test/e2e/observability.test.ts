import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startStack } from '../../scripts/stack/launch';
import type { RunningStack } from '../../scripts/stack/launch';
import { startOtlpReceiver } from '../../bench/lib/otlp-receiver';
import type { ReceivedSpan } from '../../bench/lib/otlp-receiver';
import { scrape } from '../helpers/prometheus';

// The stack as `bash scripts/start` runs it, with OTEL_EXPORTER_OTLP_ENDPOINT pointing at an in-process OTLP
// receiver: real orders through the API, the worker and the three services, then their traces and metrics.
const SERVER = 2;

describe('traces and metrics of real orders', () => {
  let stack: RunningStack;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

  before(async () => {
    receiver = await startOtlpReceiver();
    // LOG_LEVEL=debug: the services' request lines and the activities' lines are debug lines.
    stack = await startStack({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, LOG_LEVEL: 'debug' } });
  });

  after(async () => {
    await stack?.stop(10_000);
    await receiver?.close();
  });

  /** Places an order and waits for its outcome (Prefer: wait); `traceparent` makes the test the trace's caller. */
  async function placeOrder(sku: string, paymentMethod: string, traceparent?: string, customerId = 'observer') {
    const response = await fetch(`${stack.urls.api}/orders`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk_demo_client',
        'content-type': 'application/json',
        'idempotency-key': `observability-${randomBytes(6).toString('hex')}`,
        prefer: 'wait=60',
        ...(traceparent ? { traceparent } : {}),
      },
      body: JSON.stringify({ customerId, currency: 'EUR', items: [{ sku, quantity: 1 }], paymentMethod }),
    });
    const body = (await response.json()) as { status: string; orderId: string };
    return { httpStatus: response.status, status: body.status, orderId: body.orderId };
  }

  async function spansOf(traceId: string, until: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
    for (let i = 0; i < 300; i++) {
      const spans = receiver.spans.filter((span) => span.traceId === traceId);
      if (until(spans)) return spans;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return receiver.spans.filter((span) => span.traceId === traceId);
  }

  it('follows one order in one trace: API, workflow, every activity, every service and its database', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const placed = await placeOrder('SKU-1', 'tok_ok', `00-${traceId}-${callerSpan}-01`);
    assert.equal(placed.status, 'COMPLETED');

    const activities = ['createOrder', 'reserveInventory', 'authorizePayment', 'capturePayment', 'commitInventory'];
    // Each process exports in batches: wait until the last span of each has arrived.
    const complete = (spans: ReceivedSpan[]) =>
      spans.some((s) => s.service === 'sagaflow-api' && s.kind === SERVER) &&
      spans.some((s) => s.name === 'RunWorkflow:orderFulfillment') &&
      activities.every((a) => spans.some((s) => s.name === `RunActivity:${a}`)) &&
      ['inventory', 'payment', 'order'].every((service) =>
        spans.some((s) => s.service === service && s.name === 'prisma:client:db_query'),
      );
    const spans = await spansOf(traceId, complete);
    assert.ok(complete(spans), `incomplete trace: ${spans.map((s) => `${s.service}/${s.name}`).join(', ')}`);

    // Parent links intact: every span's parent is in the trace, up to the test's own span.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const span of spans) {
      assert.ok(
        span.parentSpanId === callerSpan || byId.has(span.parentSpanId ?? ''),
        `${span.service}/${span.name} has parent ${span.parentSpanId ?? 'none'}, not in the trace`,
      );
    }
    const ancestors = (span: ReceivedSpan): string[] => {
      const names: string[] = [];
      for (let at = byId.get(span.parentSpanId ?? ''); at; at = byId.get(at.parentSpanId ?? '')) {
        names.push(`${at.service}/${at.name}`);
      }
      return names;
    };
    const apiRequest = spans.find((s) => s.service === 'sagaflow-api' && s.kind === SERVER);
    assert.equal(apiRequest?.parentSpanId, callerSpan, 'the API continues the caller trace');
    assert.equal(apiRequest?.attributes['http.route'], '/orders');
    const run = spans.find((s) => s.name === 'RunWorkflow:orderFulfillment')!;
    assert.deepEqual(ancestors(run).slice(0, 1), ['sagaflow-api/StartWorkflow:orderFulfillment']);
    assert.ok(ancestors(run).includes('sagaflow-api/POST /orders'));
    // How an operator finds the trace of an order seen in the Temporal UI (docs/OPERATIONS.md "Tracing").
    const start = spans.find((s) => s.name === 'StartWorkflow:orderFulfillment');
    assert.equal(start?.attributes.temporalWorkflowId, placed.orderId);

    // Each service's request is a child of an activity of this workflow, and its queries are children of it.
    const routes = {
      inventory: '/reservations',
      payment: '/payments/authorize',
      order: '/orders',
    };
    for (const [service, route] of Object.entries(routes)) {
      const request = spans.find(
        (s) => s.service === service && s.kind === SERVER && s.attributes['http.route'] === route,
      );
      assert.ok(request, `${service} ${route} has a server span`);
      const chain = ancestors(request);
      assert.ok(
        chain.some((name) => name.startsWith('sagaflow-worker/RunActivity:')),
        `${service}: ${chain.join(' < ')}`,
      );
      assert.ok(chain.includes('sagaflow-worker/RunWorkflow:orderFulfillment'));
      const query = spans.find(
        (s) =>
          s.service === service &&
          s.name === 'prisma:client:db_query' &&
          ancestors(s).includes(`${service}/${request.name}`),
      );
      assert.ok(query, `${service}: a database query under ${request.name}`);
    }

    // The trace id is in the log lines of the API, the worker (activities) and the services.
    const output = stack.output();
    for (const component of ['api', 'worker', 'inventory', 'payment', 'order']) {
      const line = output.split('\n').find((l) => l.includes(`trace_id=${traceId}`) && l.includes(`${component} `));
      assert.ok(line, `a ${component} log line with trace_id=${traceId}`);
    }
  });

  // Issue 25, item 12: the customer id is personal data; the API logged it in plaintext at every order and its list
  // route's query (`GET /orders?customerId=`) landed in the spans' URLs.
  it('never puts a plaintext customer id into a span or a log line', async () => {
    const customerId = `private-customer-${randomBytes(6).toString('hex')}`;
    assert.equal((await placeOrder('SKU-2', 'tok_ok', undefined, customerId)).status, 'COMPLETED');
    const listed = await fetch(`${stack.urls.api}/orders?customerId=${customerId}`, {
      headers: { authorization: 'Bearer sk_demo_client' },
    });
    assert.equal(listed.status, 200);
    // Every process exports within a second or two.
    let seen: ReceivedSpan[] = [];
    for (
      let i = 0;
      i < 50 && !seen.some((s) => s.attributes['http.route'] === '/orders' && s.name.startsWith('GET'));
      i++
    ) {
      seen = receiver.spans.filter((s) => s.service === 'sagaflow-api');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(
      seen.some((s) => s.name.startsWith('GET')),
      'the list request was traced',
    );
    const leaks = receiver.spans.filter((span) => JSON.stringify(span).includes(customerId));
    assert.deepEqual(
      leaks.map((s) => `${s.service}/${s.name}: ${JSON.stringify(s.attributes)}`),
      [],
      'spans with the plaintext customer id',
    );
    const lines = stack
      .output()
      .split('\n')
      .filter((line) => line.includes(customerId));
    assert.deepEqual(lines, [], 'log lines with the plaintext customer id');
  });

  it('counts orders, saga outcomes, steps and requests in the metrics of every process', async () => {
    const endpoints = {
      api: stack.urls.apiMetrics,
      worker: stack.urls.workerMetrics,
      inventory: `${stack.urls.inventory}/metrics`,
      payment: `${stack.urls.payment}/metrics`,
      order: `${stack.urls.order}/metrics`,
    };
    const scrapeAll = async () =>
      Object.fromEntries(
        await Promise.all(Object.entries(endpoints).map(async ([name, url]) => [name, await scrape(url)] as const)),
      ) as Record<keyof typeof endpoints, Awaited<ReturnType<typeof scrape>>>;
    const before = await scrapeAll();

    const completed = await placeOrder('SKU-2', 'tok_ok');
    const declined = await placeOrder('SKU-2', 'tok_declined');
    assert.equal(completed.status, 'COMPLETED');
    assert.equal(declined.status, 'COMPENSATED');
    // The SDK's exporter serves what the meters recorded; give the last workflow task's metrics a moment.
    let afterwards = await scrapeAll();
    const saga = { saga: 'order-fulfillment' };
    for (let i = 0; i < 50; i++) {
      if (
        afterwards.worker.value('sagaflow_sagas_finished_total', saga) -
          before.worker.value('sagaflow_sagas_finished_total', saga) >=
        2
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 100));
      afterwards = await scrapeAll();
    }
    const delta = (process: keyof typeof endpoints, name: string, labels?: Record<string, string>) =>
      afterwards[process].value(name, labels) - before[process].value(name, labels);

    for (const { httpStatus } of [completed, declined]) {
      const labels = { method: 'POST', route: '/orders', status: String(httpStatus) };
      assert.equal(
        delta('api', 'http_requests_total', labels),
        httpStatus === completed.httpStatus && httpStatus === declined.httpStatus ? 2 : 1,
      );
    }
    assert.equal(delta('api', 'http_request_duration_seconds_count', { method: 'POST', route: '/orders' }), 2);

    assert.equal(delta('worker', 'sagaflow_sagas_started_total', saga), 2);
    assert.equal(delta('worker', 'sagaflow_sagas_finished_total', { ...saga, status: 'COMPLETED' }), 1);
    assert.equal(delta('worker', 'sagaflow_sagas_finished_total', { ...saga, status: 'COMPENSATED' }), 1);
    assert.equal(delta('worker', 'sagaflow_step_duration_count', { step: 'authorizePayment', outcome: 'ok' }), 1);
    assert.equal(delta('worker', 'sagaflow_step_duration_count', { step: 'authorizePayment', outcome: 'failed' }), 1);
    assert.equal(delta('worker', 'sagaflow_step_duration_count', { step: 'capturePayment' }), 1);
    for (const step of ['createOrder', 'reserveInventory']) {
      assert.equal(delta('worker', 'sagaflow_compensation_attempts_total', { step, outcome: 'COMPENSATED' }), 1, step);
    }
    assert.equal(delta('worker', 'temporal_workflow_completed_total', { workflow_type: 'orderFulfillment' }), 2);
    assert.equal(afterwards.worker.value('sagaflow_circuit_state', { service: 'payment' }), 0);

    assert.equal(delta('payment', 'http_requests_total', { method: 'POST', route: '/payments/authorize' }), 2);
    assert.equal(delta('payment', 'http_requests_total', { method: 'POST', route: '/payments/:orderId/capture' }), 1);
    assert.equal(delta('inventory', 'http_requests_total', { method: 'POST', route: '/reservations' }), 2);
    assert.equal(delta('order', 'http_requests_total', { method: 'POST', route: '/orders' }), 2);
    assert.ok(afterwards.payment.value('process_cpu_seconds_total') > 0, 'process metrics too');
  });
});
