import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Supervisor } from '../../scripts/stack/supervisor';

// The local stack's supervisor (scripts/start) with real child processes and short backoffs.
const policy = { initialDelayMs: 20, maxDelayMs: 80, resetAfterMs: 60_000, maxRestarts: 3 };
const node = (script: string) => ({ command: process.execPath, args: ['-e', script] });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.ok(check());
};

describe('stack supervisor', () => {
  it('restarts a process that dies, with backoff and a line each time, and stays up', async () => {
    const marker = path.join(mkdtempSync(path.join(os.tmpdir(), 'supervisor-')), 'crashed');
    const lines: string[] = [];
    const supervisor = new Supervisor((line) => lines.push(line), policy);
    // Dies once (after it was ready), then runs until stopped.
    await supervisor.start({
      name: 'worker',
      ...node(
        `const fs=require('fs');if(!fs.existsSync(${JSON.stringify(marker)})){fs.writeFileSync(${JSON.stringify(marker)},'');setTimeout(()=>process.exit(3),100)}else setInterval(()=>{},1000)`,
      ),
      ready: async () => true,
    });
    const first = supervisor.pidOf('worker');
    await until(() => supervisor.pidOf('worker') !== first && lines.some((l) => /restarting/.test(l)));
    assert.ok(existsSync(marker));
    assert.ok(lines.some((l) => /worker exited \(code 3, signal null\): restarting in 20 ms \(restart 1\)/.test(l)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(lines.filter((l) => /restarting/.test(l)).length, 1, 'restarted once, then it kept running');
    await supervisor.stop(2_000);
  });

  it('gives up on a process that keeps dying, doubling the wait each time', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor((line) => lines.push(line), policy);
    await supervisor.start({ name: 'flaky', ...node('setTimeout(()=>process.exit(1),50)'), ready: async () => true });
    assert.equal(await supervisor.givenUp(), 'flaky');
    const waits = lines.flatMap((l) => /restarting in (\d+) ms/.exec(l)?.slice(1) ?? []).map(Number);
    assert.deepEqual(waits, [20, 40, 80]);
    assert.ok(lines.some((l) => /after 3 restarts in a row: giving up/.test(l)));
    await supervisor.stop(2_000);
  });

  it('never restarts what it stops, nor a process that fails to start', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor((line) => lines.push(line), policy);
    await assert.rejects(
      supervisor.start({ name: 'broken', ...node('process.exit(2)'), ready: async () => false }),
      /broken exited early/,
    );
    await supervisor.start({ name: 'api', ...node('setInterval(()=>{},1000)'), ready: async () => true });
    await supervisor.stop(2_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(
      lines.filter((l) => /restarting/.test(l)),
      [],
    );
  });
});
