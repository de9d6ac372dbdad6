import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../scripts/stack/launch';
import { orderFulfillment } from '../../workflows';
import { orderInput } from '../helpers/order-saga';
import { TEST_PAYLOAD_KEY_LINE } from '../helpers/payload-keys';
import { scrape } from '../helpers/prometheus';
import { startRealServices } from '../helpers/real-services';
import type { RealServices } from '../helpers/real-services';
import { createLocalEnv } from '../helpers/temporal';

// The worker process (workers/main.ts) with its metrics endpoint, against a payment service that is down (nothing
// listens on its port): the saga's payment calls fail, the breaker opens, and the endpoint shows it.
const root = path.resolve(__dirname, '..', '..');
let services: RealServices;
let env: TestWorkflowEnvironment;
let worker: ChildProcess | undefined;
let metricsUrl: string;
const taskQueue = `circuit-metrics-${process.pid}`;

before(async () => {
  [services, env] = await Promise.all([startRealServices('sqlite'), createLocalEnv()]);
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const { config } = services;
  worker = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'workers', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.connection.options.address,
      TASK_QUEUE: taskQueue,
      INVENTORY_URL: String(config.inventoryUrl),
      PAYMENT_URL: `http://127.0.0.1:${await freePort()}`,
      ORDER_URL: String(config.orderUrl),
      INVENTORY_SERVICE_TOKEN: config.tokens.inventory,
      PAYMENT_SERVICE_TOKEN: config.tokens.payment,
      ORDER_SERVICE_TOKEN: config.tokens.order,
      BREAKER_CONSECUTIVE_FAILURES: '2',
      BREAKER_HALF_OPEN_AFTER_MS: '600000',
      WORKER_METRICS_PORT: String(metricsPort),
      // The test's client encrypts with this process's key; so must the worker.
      PAYLOAD_KEYS: TEST_PAYLOAD_KEY_LINE,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(metricsUrl).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the worker did not serve its metrics');
});

after(async () => {
  worker?.kill('SIGKILL');
  await Promise.all([services?.stop(), env?.teardown()]);
});

describe('the circuit in the worker metrics', () => {
  it('shows each service closed, then the payment circuit open after its faults', async () => {
    const first = await scrape(metricsUrl);
    for (const service of ['inventory', 'payment', 'order']) {
      assert.equal(first.value('sagaflow_circuit_state', { service }), 0, service);
    }
    const input = orderInput();
    const handle = await env.client.workflow.start(orderFulfillment, {
      taskQueue,
      workflowId: input.orderId,
      args: [input],
    });
    try {
      let metrics = first;
      for (let i = 0; i < 300 && metrics.value('sagaflow_circuit_state', { service: 'payment' }) !== 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        metrics = await scrape(metricsUrl);
      }
      assert.equal(metrics.value('sagaflow_circuit_state', { service: 'payment' }), 2, 'payment circuit open');
      assert.equal(metrics.value('sagaflow_circuit_transitions_total', { service: 'payment', state: 'open' }), 1);
      assert.equal(metrics.value('sagaflow_circuit_state', { service: 'inventory' }), 0);
    } finally {
      await handle.terminate('test over');
    }
  });
});
