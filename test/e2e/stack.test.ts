import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';

// The README's run command, end to end: the whole stack (dev server + UI, three services on SQLite, worker,
// API) started by scripts/stack on free ports, the demo orders driven through the API, then a clean Ctrl-C.
const root = path.resolve(__dirname, '..', '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

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
  const ports: Record<string, number> = {};
  let dataDir: string;
  let stack: ChildProcess;
  let output = '';

  before(async () => {
    for (const name of [
      'TEMPORAL_PORT',
      'TEMPORAL_UI_PORT',
      'API_PORT',
      'INVENTORY_PORT',
      'PAYMENT_PORT',
      'ORDER_PORT',
    ]) {
      ports[name] = await freePort();
    }
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'sagaflow-stack-'));
    stack = spawn(process.execPath, ['--import', 'tsx', 'scripts/stack/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        SAGAFLOW_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    stack.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 180_000);
      const check = () => {
        if (output.includes('\nREADY')) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      stack.stdout!.on('data', check);
      stack.once('exit', () => resolve(false));
    });
    assert.ok(ready, `the stack did not become ready:\n${output.slice(-4000)}`);
  });

  after(async () => {
    if (stack && stack.exitCode === null) stack.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
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
  });

  it('lists the demo orders by search attribute, as an operator would in the UI', async () => {
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.TEMPORAL_PORT}` });
    try {
      const client = new Client({ connection });
      const statuses: string[] = [];
      for (let attempt = 0; attempt < 50 && statuses.length < 4; attempt++) {
        statuses.length = 0;
        for await (const execution of client.workflow.list({ query: 'CustomerId = "demo-customer"' })) {
          statuses.push(String(execution.searchAttributes.OrderStatus?.[0] ?? ''));
        }
        if (statuses.length < 4) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.deepEqual(statuses.sort(), ['CANCELLED', 'COMPENSATED', 'COMPENSATED', 'COMPLETED']);
    } finally {
      await connection.close();
    }
  });

  it('stops cleanly on Ctrl-C, leaving no process behind', async () => {
    const exited = new Promise<number | null>((resolve) => stack.once('exit', (code) => resolve(code)));
    stack.kill('SIGINT');
    assert.equal(await exited, 0, output.slice(-2000));
    for (const [name, port] of Object.entries(ports)) {
      assert.equal(await portOpen(port), false, `${name} ${port} still open after shutdown`);
    }
  });
});
