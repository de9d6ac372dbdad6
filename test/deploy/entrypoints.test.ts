import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../scripts/stack/launch';
import { freshDatabase } from '../services/helpers';
import { createLocalEnv } from '../helpers/temporal';

// The containers' entry commands (docker-compose.yml), run here without Docker: the production build in
// dist/, the services on PostgreSQL databases of their own, the worker and the API on a real Temporal server.
const root = path.resolve(__dirname, '..', '..');
const TOKEN = 'entrypoint-test-token';
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
    for (const service of ['inventory', 'payment', 'order']) {
      const database = await freshDatabase('postgres', `entry_${service}`);
      drops.push(database.drop);
      const port = await freePort();
      const entry = start(service, `dist/services/${service}/main.js`, {
        PORT: String(port),
        DATABASE_URL: database.target.url,
        SERVICE_TOKEN: TOKEN,
      });
      urls[service] = `http://127.0.0.1:${port}`;
      await waitOk(`${urls[service]}/ready`, entry.child, () => entry.output);
    }
    const taskQueue = `entry-${randomUUID().slice(0, 8)}`;
    start('worker', 'dist/workers/main.js', {
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE: taskQueue,
      SERVICE_TOKEN: TOKEN,
      INVENTORY_URL: urls.inventory!,
      PAYMENT_URL: urls.payment!,
      ORDER_URL: urls.order!,
    });
    const apiPort = await freePort();
    const api = start('api', 'dist/api/main.js', {
      API_PORT: String(apiPort),
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE: taskQueue,
      API_KEYS: `entry:${API_KEY}:client`,
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
    const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
    const started = await fetch(`${apiUrl}/orders`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        customerId: 'entry-customer',
        currency: 'EUR',
        items: [{ sku: 'SKU-5', quantity: 2 }],
        paymentMethod: 'tok_ok',
      }),
    });
    assert.equal(started.status, 202);
    const { orderId } = (await started.json()) as { orderId: string };
    let status = '';
    for (let i = 0; i < 300 && status !== 'COMPLETED'; i++) {
      const answer = await fetch(`${apiUrl}/orders/${orderId}`, { headers });
      status = ((await answer.json()) as { status: string }).status;
      if (status !== 'COMPLETED') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const worker = processes.find((p) => p.name === 'worker');
    assert.equal(status, 'COMPLETED', worker?.output.slice(-3000));
  });

  it('stop gracefully on SIGTERM', async () => {
    for (const { name, child, output } of [...processes].reverse()) {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, `${name} did not exit cleanly:\n${output.slice(-2000)}`);
    }
  });
});
