import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freshDatabase } from './helpers';

const root = path.resolve(__dirname, '../..');

/** Starts services/<name>/main.ts as its own process; resolves with its URL from the "listening" log line. */
function startMain(
  name: string,
  env: Record<string, string>,
): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'services', name, 'main.ts')], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${output}`)));
  });
  return { child, url, output: () => output };
}

const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('service processes (main.ts)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'services-main-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const name of ['inventory', 'payment', 'order']) {
    it(`${name}: migrates its SQLite file, serves, and stops cleanly on SIGTERM`, async () => {
      const service = startMain(name, { SERVICE_TOKEN: 'main-test-token', DATABASE_URL: `file:${dir}/${name}.db` });
      const url = await service.url;
      assert.equal((await fetch(`${url}/health`)).status, 200);
      assert.equal((await fetch(`${url}/ready`)).status, 200);
      const authed = await fetch(
        `${url}/${name === 'inventory' ? 'products' : name === 'order' ? 'orders' : 'ledger/summary'}`,
        {
          headers: { authorization: 'Bearer main-test-token' },
        },
      );
      assert.equal(authed.status, 200);
      service.child.kill('SIGTERM');
      assert.equal(await exitCode(service.child), 0, service.output());
      assert.match(service.output(), /"msg":"stopped"/);
      assert.match(service.output(), /migration applied/);
    });
  }

  it('order: runs on PostgreSQL by URL, and a restart applies nothing twice', async () => {
    const db = await freshDatabase('postgres', 'main_order');
    try {
      // Every migration on the first start, none on the second.
      for (const expected of ['[1-9][0-9]*', '0']) {
        const service = startMain('order', { SERVICE_TOKEN: 'main-test-token', DATABASE_URL: db.target.url });
        const url = await service.url;
        const catalogue = await fetch(`${url}/catalogue`, { headers: { authorization: 'Bearer main-test-token' } });
        assert.equal(((await catalogue.json()) as { items: unknown[] }).items.length, 7);
        assert.match(service.output(), new RegExp(`"migrationsApplied":${expected}`));
        service.child.kill('SIGTERM');
        assert.equal(await exitCode(service.child), 0);
      }
    } finally {
      await db.drop();
    }
  });

  it('refuses to start without SERVICE_TOKEN, naming the variable', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DATABASE_URL: `file:${dir}/none.db` };
    delete env.SERVICE_TOKEN;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'services/payment/main.ts')], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.equal(await exitCode(child), 1);
    assert.match(stderr, /SERVICE_TOKEN/);
  });
});
