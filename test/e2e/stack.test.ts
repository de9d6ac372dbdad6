import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { portOpen, startStack } from '../../scripts/stack/launch';
import type { RunningStack } from '../../scripts/stack/launch';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS, signInToCodec } from '../../scripts/ui-codec';
import { customerSearchValue } from '../../lib/codec/customer-ref';
import { localCustomerRefKey } from '../../lib/codec/dev-keys';
import { dataConverterFor } from '../../lib/codec/data-converter';
import { loadPayloadKeys } from '../../lib/codec/payload-keys';

// The README's run command, end to end: the whole stack (dev server + UI, three services on SQLite, worker,
// API) started by scripts/stack on free ports, the demo orders driven through the API, then a clean Ctrl-C.
const root = path.resolve(__dirname, '..', '..');

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('the one-command stack', () => {
  let stack: RunningStack;
  let ports: RunningStack['ports'];

  /** A client of the stack's Temporal with the keys the stack made (it encrypts payloads, memos too). */
  async function withStackClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
    try {
      const keys = loadPayloadKeys({ PAYLOAD_KEYS_FILE: path.join(stack.dataDir, 'payload-keys') });
      return await fn(new Client({ connection, dataConverter: dataConverterFor(keys) }));
    } finally {
      await connection.close();
    }
  }

  const demoCustomer = () =>
    `CustomerId = "${customerSearchValue('demo-customer', localCustomerRefKey({ SAGAFLOW_DATA_DIR: stack.dataDir }))}"`;
  /** The demo customer's orders (the demo's return carries the order's CustomerId too). */
  const demoOrders = () => `${demoCustomer()} AND WorkflowType = "orderFulfillment"`;

  /** The completed demo order's id. */
  const demoOrderId = () =>
    withStackClient(async (client) => {
      for await (const execution of client.workflow.list({
        query: `${demoOrders()} AND OrderStatus = "COMPLETED"`,
      })) {
        return execution.workflowId;
      }
      throw new Error('no completed demo order');
    });

  before(async () => {
    stack = await startStack();
    ports = stack.ports;
  });

  after(async () => {
    await stack?.stop(5_000);
  });

  it('serves the Web UI on its port', async () => {
    const response = await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /<html/i);
  });

  it('runs the demo orders through the API to their expected ends', async () => {
    const demo = await run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      API_URL: `http://127.0.0.1:${ports.API_PORT}`,
      TEMPORAL_UI_URL: `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`,
    });
    assert.equal(demo.code, 0, demo.output);
    assert.match(demo.output, /success\s+COMPLETED/);
    assert.match(demo.output, /out of stock\s+COMPENSATED/);
    assert.match(demo.output, /declined card\s+COMPENSATED/);
    assert.match(demo.output, /cancelled while awaiting approval\s+CANCELLED/);
    // The returns saga on the stack's own worker process, through the API's routes and the demo keys.
    assert.match(demo.output, /return of one unit of the success\s+COMPLETED/);
  });

  it('lists the demo orders by search attribute, as an operator would in the UI', async () => {
    await withStackClient(async (client) => {
      const statuses: string[] = [];
      // CustomerId holds the keyed hash the API computes (the stack's key is in its data directory).
      const customer = demoCustomer();
      assert.match(customer, /"cref_/);
      for (let attempt = 0; attempt < 50 && statuses.length < 4; attempt++) {
        statuses.length = 0;
        for await (const execution of client.workflow.list({ query: demoOrders() })) {
          statuses.push(String(execution.searchAttributes.OrderStatus?.[0] ?? ''));
        }
        if (statuses.length < 4) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.deepEqual(statuses.sort(), ['CANCELLED', 'COMPENSATED', 'COMPENSATED', 'COMPLETED']);
    });
  });

  it("the Web UI shows a saga's decoded input through the codec server, for a signed-in operator only", async () => {
    const executablePath = execFileSync('bash', ['scripts/chromium'], { cwd: root, encoding: 'utf8' }).trim();
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    try {
      const orderId = await demoOrderId();
      const page = (context: BrowserContext) => context.newPage();
      const workflowUrl = `${stack.urls.ui}/namespaces/default/workflows/${orderId}`;
      const operator = await browser.newContext();
      await signInToCodec(operator, {
        codecUrl: stack.urls.codec,
        uiUrl: stack.urls.ui,
        token: 'sk_demo_codec_operator',
      });
      const signedIn = await page(operator);
      await signedIn.goto(workflowUrl);
      // The saga's input (encrypted in Temporal) as the UI renders it once the codec server decoded it.
      await signedIn.getByText('"paymentMethod": "tok_ok"').first().waitFor({ timeout: 30_000 });
      assert.ok(await signedIn.getByText('"customerId": "demo-customer"').first().isVisible());

      // The same settings without the session: the codec server refuses, the UI shows only ciphertext.
      const stranger = await browser.newContext();
      await signInToCodec(stranger, {
        codecUrl: stack.urls.codec,
        uiUrl: stack.urls.ui,
        token: 'sk_demo_codec_operator',
      });
      await stranger.clearCookies();
      const refused = await page(stranger);
      const decodes: number[] = [];
      refused.on('response', (response) => {
        if (response.url().endsWith('/decode')) decodes.push(response.status());
      });
      await refused.goto(workflowUrl);
      for (let i = 0; i < 300 && decodes.length === 0; i++) await refused.waitForTimeout(100);
      await refused.locator('#content').getByText('Codec Server could not connect').waitFor({ timeout: 30_000 });
      assert.equal(await refused.getByText('tok_ok').count(), 0);
      assert.ok(decodes.length > 0 && decodes.every((status) => status === 401), `decode answers ${decodes}`);
    } finally {
      await browser.close();
    }
  });

  it('restarts a worker killed under a running order, and the order completes', async () => {
    const api = `http://127.0.0.1:${ports.API_PORT}`;
    const headers = { authorization: 'Bearer sk_demo_client', 'content-type': 'application/json' };
    const started = await fetch(`${api}/orders`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': `kill-worker-${Date.now()}` },
      // tok_slow: the payment service answers after 3 s, so the worker dies with the call in flight.
      body: JSON.stringify({
        customerId: 'kill-customer',
        currency: 'EUR',
        items: [{ sku: 'SKU-1', quantity: 1 }],
        paymentMethod: 'tok_slow',
      }),
    });
    assert.equal(started.status, 202, await started.clone().text());
    const { orderId } = (await started.json()) as { orderId: string };
    const statusOf = async () =>
      (
        (await (await fetch(`${api}/orders/${orderId}?consistency=strong`, { headers })).json()) as {
          currentStep?: string;
        }
      ).currentStep;
    for (let i = 0; i < 200 && (await statusOf()) !== 'authorizePayment'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const killed = stack.pidOf('worker');
    assert.ok(killed, 'the worker runs');
    process.kill(killed, 'SIGKILL');

    let restarted: number | undefined;
    for (let i = 0; i < 200 && (restarted === undefined || restarted === killed); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      restarted = stack.pidOf('worker');
    }
    assert.ok(restarted && restarted !== killed, `the worker was not restarted:\n${stack.output().slice(-3000)}`);
    assert.match(stack.output(), /worker exited \(code null, signal SIGKILL\): restarting in \d+ ms \(restart 1\)/);

    // The killed attempt times out on its heartbeat (5 s); the new worker retries it and the saga ends.
    let status = '';
    for (let i = 0; i < 600 && status !== 'COMPLETED'; i++) {
      status = ((await (await fetch(`${api}/orders/${orderId}`, { headers })).json()) as { status: string }).status;
      if (status !== 'COMPLETED') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 'COMPLETED', stack.output().slice(-3000));
  });

  it('a bulk cancel survives its worker SIGKILLed midway: every saga gets the Update once, and all are cancelled', async () => {
    const api = `http://127.0.0.1:${ports.API_PORT}`;
    const client = { authorization: 'Bearer sk_demo_client', 'content-type': 'application/json' };
    const operator = { authorization: 'Bearer sk_demo_operator', 'content-type': 'application/json' };
    const since = new Date(Date.now() - 1_000).toISOString();
    const orderIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      // 8 burr grinders: above the approval threshold, so each order waits for an operator.
      const res = await fetch(`${api}/orders`, {
        method: 'POST',
        headers: { ...client, 'idempotency-key': `bulk-cancel-${Date.now()}-${i}` },
        body: JSON.stringify({
          customerId: 'bulk-customer',
          currency: 'EUR',
          items: [{ sku: 'SKU-4', quantity: 8 }],
          paymentMethod: 'tok_ok',
        }),
      });
      assert.equal(res.status, 202, await res.clone().text());
      orderIds.push(((await res.json()) as { orderId: string }).orderId);
    }
    const filter = { status: 'AWAITING_APPROVAL', startedAfter: since };
    const body = { filter, action: { kind: 'cancel' }, reason: 'bulk cancel test', concurrency: 1, ratePerSecond: 1 };
    let targets: string[] = [];
    for (let i = 0; i < 200 && targets.length < 5; i++) {
      const dry = await fetch(`${api}/operations`, {
        method: 'POST',
        headers: { ...operator, 'idempotency-key': `bulk-dry-${Date.now()}-${i}` },
        body: JSON.stringify({ ...body, dryRun: true }),
      });
      targets = ((await dry.json()) as { targets: string[] }).targets;
      if (targets.length < 5) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(targets, [...orderIds].sort());
    const started = await fetch(`${api}/operations`, {
      method: 'POST',
      headers: { ...operator, 'idempotency-key': `bulk-cancel-op-${Date.now()}` },
      body: JSON.stringify(body),
    });
    assert.equal(started.status, 202, await started.clone().text());
    const { operationId } = (await started.json()) as { operationId: string };
    interface Operation {
      status: string;
      counts: Record<string, number>;
      results: { workflowId: string; outcome: string }[];
    }
    const operation = async () =>
      (await (await fetch(`${api}/operations/${operationId}`, { headers: operator })).json()) as Operation;
    for (let i = 0; i < 300 && (await operation()).results.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const killed = stack.pidOf('worker');
    assert.ok(killed, 'the worker runs');
    process.kill(killed, 'SIGKILL');

    let end = await operation();
    for (let i = 0; i < 900 && end.status !== 'COMPLETED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      end = await operation();
    }
    assert.equal(end.status, 'COMPLETED', JSON.stringify(end));
    assert.deepEqual([end.counts.done, end.counts.targets], [5, 5], JSON.stringify(end.results));
    await withStackClient(async (temporal) => {
      for (const orderId of orderIds) {
        const history = await temporal.workflow.getHandle(orderId).fetchHistory();
        const updates = (history.events ?? []).flatMap(
          (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId ?? [],
        );
        assert.deepEqual(updates, [`operation:${operationId}`], `${orderId}: one Update of the operation`);
        const result = (await temporal.workflow.getHandle(orderId).result()) as {
          state: { status: string; compensations: { step: string; outcome: string }[] };
        };
        assert.equal(result.state.status, 'CANCELLED');
        assert.deepEqual(
          result.state.compensations.map((c) => `${c.step} ${c.outcome}`),
          ['reserveInventory COMPENSATED', 'createOrder COMPENSATED'],
          `${orderId}: each compensation once`,
        );
      }
    });
  });

  it('stops cleanly on Ctrl-C, leaving no process behind', async () => {
    const exited = new Promise<number | null>((resolve) => stack.child.once('exit', (code) => resolve(code)));
    stack.child.kill('SIGINT');
    assert.equal(await exited, 0, stack.output().slice(-2000));
    for (const [name, port] of Object.entries(ports)) {
      assert.equal(await portOpen(port), false, `${name} ${port} still open after shutdown`);
    }
  });
});
