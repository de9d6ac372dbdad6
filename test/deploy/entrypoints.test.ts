import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../scripts/stack/launch';
import { freshDatabase } from '../services/helpers';
import { createLocalEnv } from '../helpers/temporal';
import { TEST_CUSTOMER_REF_KEY, TEST_PAYLOAD_KEY_LINE } from '../helpers/payload-keys';

// The containers' entry commands (docker-compose.yml), run here without Docker: the production build in
// dist/, the services on PostgreSQL databases of their own, the worker and the API on a real Temporal server.
const root = path.resolve(__dirname, '..', '..');
const TOKENS = { inventory: 'entry-inventory-token', payment: 'entry-payment-token', order: 'entry-order-token' };
/** tok_slow: the payment service answers after this long, so the worker can be stopped with the call in flight. */
const PAYMENT_SLOW_MS = 4_000;
/** The processes encrypt payloads as in production. */
const ENCRYPTION = { PAYLOAD_KEYS: TEST_PAYLOAD_KEY_LINE };
const API_KEY = 'sk_entry_client';

async function waitOk(url: string, process: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (process.exitCode !== null) throw new Error(`${url}: process exited early\n${log()}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never became ready\n${log()}`);
}

describe('compiled entry points (the containers’ commands)', () => {
  let env: TestWorkflowEnvironment;
  const processes: { name: string; child: ChildProcess; output: string }[] = [];
  const drops: (() => Promise<void>)[] = [];
  let apiUrl = '';
  let taskQueue = '';
  let startWorker: (extra?: Record<string, string>) => { name: string; child: ChildProcess; output: string };
  const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };

  async function placeOrder(paymentMethod: string): Promise<string> {
    const started = await fetch(`${apiUrl}/orders`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        customerId: 'entry-customer',
        currency: 'EUR',
        items: [{ sku: 'SKU-5', quantity: 2 }],
        paymentMethod,
      }),
    });
    assert.equal(started.status, 202);
    return ((await started.json()) as { orderId: string }).orderId;
  }

  async function statusOf(orderId: string, until: string): Promise<string> {
    let status = '';
    for (let i = 0; i < 300 && status !== until; i++) {
      const answer = await fetch(`${apiUrl}/orders/${orderId}`, { headers });
      status = ((await answer.json()) as { status: string }).status;
      if (status !== until) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return status;
  }

  async function stopWorker(): Promise<void> {
    const worker = processes.find((p) => p.name === 'worker' && p.child.exitCode === null)!;
    const exited = new Promise<number | null>((resolve) => worker.child.once('exit', (code) => resolve(code)));
    worker.child.kill('SIGTERM');
    assert.equal(await exited, 0, worker.output.slice(-3000));
  }

  /** Until a worker runs the activity (pending, started): history records its start only when it ends. */
  async function untilRunning(orderId: string, activity: string): Promise<void> {
    const started = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
    for (let i = 0; i < 200; i++) {
      const { pendingActivities } = await env.client.workflowService.describeWorkflowExecution({
        namespace: env.namespace ?? 'default',
        execution: { workflowId: orderId },
      });
      if (pendingActivities?.some((a) => a.activityType?.name === activity && a.state === started)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`${activity} never ran`);
  }

  /** The order's history events, and the ids of the events that scheduled `activity`. */
  async function activityHistory(orderId: string, activity: string) {
    const history = await env.client.workflow.getHandle(orderId).fetchHistory();
    const events = history.events ?? [];
    const scheduled = new Set(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity)
        .map((e) => String(e.eventId)),
    );
    return { events, scheduled };
  }

  /** The attempt of the order's last started `activity` (history keeps only the last attempt's start). */
  async function lastAttempt(orderId: string, activity: string): Promise<number | undefined> {
    const { events, scheduled } = await activityHistory(orderId, activity);
    const started = events.filter((e) => scheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)));
    return started.at(-1)?.activityTaskStartedEventAttributes?.attempt ?? undefined;
  }

  /** The event types of the order's activity `name` (scheduled, started, completed...), from its history. */
  async function activityEvents(orderId: string, name: string): Promise<string[]> {
    const { events, scheduled } = await activityHistory(orderId, name);
    return events.flatMap((e) => {
      const attrs = Object.entries(e).find(([key]) => key.startsWith('activityTask') && key.endsWith('Attributes'));
      if (!attrs) return [];
      const [key, value] = attrs as [string, { scheduledEventId?: unknown }];
      const id = key === 'activityTaskScheduledEventAttributes' ? String(e.eventId) : String(value.scheduledEventId);
      return scheduled.has(id) ? [key.replace(/^activityTask|EventAttributes$/g, '')] : [];
    });
  }

  function start(name: string, file: string, extraEnv: Record<string, string>) {
    const entry = {
      name,
      output: '',
      child: spawn(process.execPath, [file], { cwd: root, env: { ...process.env, ...extraEnv } }),
    };
    entry.child.stdout!.on('data', (chunk: Buffer) => (entry.output += chunk.toString()));
    entry.child.stderr!.on('data', (chunk: Buffer) => (entry.output += chunk.toString()));
    processes.push(entry);
    return entry;
  }

  before(async () => {
    execFileSync('bash', ['scripts/build'], { cwd: root, stdio: 'pipe' });
    env = await createLocalEnv();
    const urls: Record<string, string> = {};
    for (const service of ['inventory', 'payment', 'order'] as const) {
      const database = await freshDatabase('postgres', `entry_${service}`);
      drops.push(database.drop);
      const port = await freePort();
      const entry = start(service, `dist/services/${service}/main.js`, {
        PORT: String(port),
        DATABASE_URL: database.target.url,
        SERVICE_TOKEN: TOKENS[service],
        PAYMENT_SLOW_MS: String(PAYMENT_SLOW_MS),
      });
      urls[service] = `http://127.0.0.1:${port}`;
      await waitOk(`${urls[service]}/ready`, entry.child, () => entry.output);
    }
    taskQueue = `entry-${randomUUID().slice(0, 8)}`;
    startWorker = (extra = {}) =>
      start('worker', 'dist/workers/main.js', {
        ...extra,
        ...ENCRYPTION,
        TEMPORAL_ADDRESS: env.address,
        TASK_QUEUE: taskQueue,
        INVENTORY_SERVICE_TOKEN: TOKENS.inventory,
        PAYMENT_SERVICE_TOKEN: TOKENS.payment,
        ORDER_SERVICE_TOKEN: TOKENS.order,
        INVENTORY_URL: urls.inventory!,
        PAYMENT_URL: urls.payment!,
        ORDER_URL: urls.order!,
      });
    startWorker();
    const apiPort = await freePort();
    const api = start('api', 'dist/api/main.js', {
      API_PORT: String(apiPort),
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE: taskQueue,
      API_KEYS: `entry:${API_KEY}:client`,
      ...ENCRYPTION,
      CUSTOMER_REF_KEY: TEST_CUSTOMER_REF_KEY,
      // The drain tests watch a lane's activity in flight across a SIGTERM; local steps are killed and re-run in
      // the chaos tests (test/chaos), and the stack test places its orders with local steps.
      SAGA_STEP_EXECUTION: 'remote',
    });
    apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitOk(`${apiUrl}/ready`, api.child, () => api.output);
  });

  after(async () => {
    for (const { child } of processes) if (child.exitCode === null) child.kill('SIGKILL');
    await env?.teardown();
    for (const drop of drops) await drop();
  });

  it('place an order through the compiled API, worker and services on PostgreSQL', async () => {
    const orderId = await placeOrder('tok_ok');
    const worker = processes.find((p) => p.name === 'worker');
    assert.equal(await statusOf(orderId, 'COMPLETED'), 'COMPLETED', worker?.output.slice(-3000));
  });

  it('the worker drains on SIGTERM: an activity in flight completes, and the next worker finishes the order', async () => {
    const orderId = await placeOrder('tok_slow');
    await untilRunning(orderId, 'authorizePayment');
    await stopWorker();
    // The payment call outlived the SIGTERM: its attempt completed instead of being cancelled or failed.
    assert.deepEqual(await activityEvents(orderId, 'authorizePayment'), ['Scheduled', 'Started', 'Completed']);
    assert.equal(await lastAttempt(orderId, 'authorizePayment'), 1);
    startWorker({ WORKER_SHUTDOWN_GRACE_TIME: '1 second' });
    assert.equal(await statusOf(orderId, 'COMPLETED'), 'COMPLETED');
  });

  it('the drain is bounded: past WORKER_SHUTDOWN_GRACE_TIME the call is cancelled and retried by the next worker', async () => {
    const orderId = await placeOrder('tok_slow');
    await untilRunning(orderId, 'authorizePayment');
    await stopWorker();
    assert.ok(!(await activityEvents(orderId, 'authorizePayment')).includes('Completed'), 'no attempt completed');
    startWorker();
    assert.equal(await statusOf(orderId, 'COMPLETED'), 'COMPLETED');
    assert.equal(await lastAttempt(orderId, 'authorizePayment'), 2, 'the cancelled attempt was retried');
  });

  it('stop gracefully on SIGTERM', async () => {
    for (const { name, child, output } of [...processes].reverse().filter((p) => p.child.exitCode === null)) {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, `${name} did not exit cleanly:\n${output.slice(-2000)}`);
    }
  });
});
