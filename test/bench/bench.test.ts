import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { summarizeProfile } from '../../bench/profile';
import type { BenchResult } from '../../bench/lib/session';
import { MODES } from '../../bench/lib/results';
import { roundOrder } from '../../bench/lib/rounds';
import { loadBenchSettings } from '../../bench/lib/settings';
import { bootstrapCi95, percentile, ratio, summarize } from '../../bench/lib/stats';

// The benchmark's own plumbing, and one tiny run of it end to end. Nothing here asserts how fast anything is:
// only that the benchmark measures, bounds itself and reports in its documented shape.
const root = path.resolve(__dirname, '..', '..');

describe('bench statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 95), 95);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile(values, 100), 100);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([], 50), 0);
  });

  it('summarizes unsorted durations and compares to a baseline', () => {
    assert.deepEqual(summarize([30, 10, 20]), { count: 3, mean: 20, p50: 20, p95: 30, p99: 30, max: 30 });
    assert.equal(ratio(9, 10), 0.9);
    assert.equal(ratio(1, 0), null);
  });

  it('bootstraps a 95 % interval that holds the statistic, narrows with agreeing rounds, and repeats', () => {
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const noisy = [0.8, 1.1, 0.9, 1.2, 0.7, 1.0];
    const wide = bootstrapCi95(noisy, mean)!;
    assert.ok(wide[0] < mean(noisy) && mean(noisy) < wide[1], JSON.stringify(wide));
    assert.ok(wide[0] >= 0.7 && wide[1] <= 1.2);
    assert.deepEqual(bootstrapCi95(noisy, mean), wide, 'seeded: the same interval every time');
    const steady = bootstrapCi95([0.95, 0.96, 0.95, 0.96, 0.95, 0.96], mean)!;
    assert.ok(steady[1] - steady[0] < (wide[1] - wide[0]) / 5);
    assert.equal(bootstrapCi95([1, 2], mean), null, 'two rounds are too few');
  });
});

describe('bench rounds', () => {
  it('rotates the modes one place per round, so each runs in every place alike', () => {
    const modes = ['a', 'b', 'c'];
    assert.deepEqual(
      [1, 2, 3, 4].map((round) => roundOrder(modes, round).join('')),
      ['abc', 'bca', 'cab', 'abc'],
    );
    assert.deepEqual(modes, ['a', 'b', 'c'], 'the requested order is left alone');
    assert.deepEqual(roundOrder([], 2), []);
  });
});

describe('bench settings', () => {
  it('has bounded defaults and passes the worker settings through', () => {
    const settings = loadBenchSettings({ WORKFLOW_TASK_CONCURRENCY: '7' });
    assert.equal(settings.count, 200);
    assert.equal(settings.rounds, 3);
    assert.equal(settings.concurrency, 20);
    assert.deepEqual(settings.modes, [...MODES]);
    assert.deepEqual(settings.workerEnv, { WORKFLOW_TASK_CONCURRENCY: '7' });
  });

  it('refuses unbounded runs and unknown modes', () => {
    assert.throws(() => loadBenchSettings({ BENCH_COUNT: '1000000' }), /BENCH_COUNT/);
    assert.throws(() => loadBenchSettings({ BENCH_MODE_BUDGET_S: '100000' }), /BENCH_MODE_BUDGET_S/);
    assert.throws(() => loadBenchSettings({ BENCH_MODES: 'bare,turbo' }), /BENCH_MODES/);
  });
});

describe('bench profile summary', () => {
  it('ranks functions by self time, without idle, grouped by package', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sagaflow-profile-'));
    try {
      const file = path.join(dir, 'CPU.20260101.000000.4242.0.001.cpuprofile');
      const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
      writeFileSync(
        file,
        JSON.stringify({
          nodes: [
            { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 4] },
            { id: 2, callFrame: frame('(idle)', '') },
            { id: 3, callFrame: frame('serviceCall', `file://${root}/activities/service-call.ts`) },
            { id: 4, callFrame: frame('parse', `file://${root}/node_modules/zod/index.js`) },
          ],
          samples: [2, 2, 3, 4, 4, 4],
          timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000],
        }),
      );
      const summary = summarizeProfile(file);
      assert.equal(summary.pid, 4242);
      assert.equal(summary.busyMs, 4);
      assert.deepEqual(
        summary.top.map((t) => [t.fn, t.percent]),
        [
          ['parse', 75],
          ['serviceCall', 25],
        ],
      );
      assert.deepEqual(
        summary.byPackage.map((p) => p.package),
        ['zod', 'sagaflow activities/'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run bench, tiny', () => {
  it('runs every mode on a fresh loopback stack, stops by itself and prints the JSON results', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts'], {
          cwd: root,
          env: {
            ...process.env,
            BENCH_COUNT: '4',
            BENCH_ROUNDS: '2',
            BENCH_WARMUP: '1',
            BENCH_CONCURRENCY: '2',
            BENCH_READ_AFTER_MS: '50',
            BENCH_MODE_BUDGET_S: '120',
          },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.on('exit', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
      },
    );
    assert.equal(code, 0, stderr.slice(-4000));
    const result = JSON.parse(stdout) as BenchResult;
    assert.deepEqual(Object.keys(result.modes), [...MODES]);
    for (const mode of Object.values(result.modes)) {
      assert.equal(mode.sagas.completed, 4, `${mode.mode}: ${JSON.stringify(mode.sagas)} ${mode.errors ?? ''}`);
      assert.equal(mode.latencyMs.count, 4);
      assert.equal(mode.rounds?.length, 2, 'two interleaved rounds');
      assert.notEqual(mode.rounds[0]!.position, mode.rounds[1]!.position, `${mode.mode}: another place each round`);
      for (const { slowest } of mode.rounds) {
        // Each round's slowest saga, as its client saw it and as the server recorded it (bench/lib/slowest.ts).
        assert.ok(
          slowest && slowest.clientMs > 0 && slowest.serverMs! >= 0,
          `${mode.mode}: ${JSON.stringify(slowest)}`,
        );
      }
      assert.ok(mode.sagasPerSecond > 0);
      assert.ok(mode.worker.rssMbMax > 0, `${mode.mode}: worker RSS sampled`);
      assert.ok(mode.cpuMsPerSaga.total >= mode.cpuMsPerSaga.worker! + mode.cpuMsPerSaga.temporal!);
      assert.ok(mode.cpuMsPerSaga.temporal! > 0, `${mode.mode}: the Temporal server's CPU sampled`);
    }
    const api = result.modes.api!.api!;
    assert.equal(api.postMs.count, 4);
    assert.equal(api.getMs.count, 4, 'one status read per saga');
    assert.deepEqual(api.getStatuses, { '200': 4 });
    assert.equal(api.temporalDescribeMs.count, 4, 'beside each read, the same describe straight on Temporal');
    assert.equal(api.temporalSystemInfoMs.count, 4);
    assert.equal(api.apiHealthMs.count, 4);
    assert.equal(result.modes.saga!.services!.calls, 4 * 8, 'eight service calls per saga');
    assert.ok(result.ratios.saga!.throughput! > 0);
    assert.ok(result.ratios.saga!.throughputRoundMedian! > 0);
    assert.ok(result.ratios.saga!.cpu! > 0 && result.ratios.saga!.cpuRoundMedian! > 0);
    assert.equal(result.ratios.saga!.throughputCi95, null, 'two rounds give no interval');
    // The local modes against their remote ones in the same run.
    assert.equal(result.modes['saga-local']!.services!.calls, 4 * 8, 'the same eight calls, as local activities');
    for (const mode of ['bare-local', 'engine-local', 'saga-local'] as const) {
      const vsRemote = result.ratios[mode]!.vsRemote!;
      assert.equal(vsRemote.mode, mode.replace('-local', ''));
      assert.ok(vsRemote.throughput! > 0 && vsRemote.cpu! > 0 && vsRemote.p50! > 0, JSON.stringify(vsRemote));
    }
    // The engine modes against the bare workflow making the same calls placed the same way.
    for (const [mode, baseline] of [
      ['engine', 'bare'],
      ['engine-local', 'bare-pivot'],
    ] as const) {
      const vsBaseline = result.ratios[mode]!.vsBaseline!;
      assert.equal(vsBaseline.mode, baseline);
      assert.ok(vsBaseline.throughput! > 0 && vsBaseline.cpu! > 0 && vsBaseline.p50! > 0, JSON.stringify(vsBaseline));
    }
    // And against the same workflow written by hand, with the saga's deadline timer and publishing.
    const vsHandWritten = result.ratios['engine-local']!.vsHandWritten!;
    assert.equal(vsHandWritten.mode, 'hand-local');
    assert.ok(vsHandWritten.throughput! > 0 && vsHandWritten.cpu! > 0, JSON.stringify(vsHandWritten));
    assert.deepEqual(result.modes['hand-local']!.sagas.statuses, { COMPLETED: 4 });
    // Started by the worker itself: the server handed every first workflow task back with the start.
    for (const [mode, lazy, remote] of [
      ['engine-local-eager', 'engine-local', 'engine'],
      ['saga-local-eager', 'saga-local', 'saga'],
    ] as const) {
      assert.equal(result.modes[mode]!.eagerlyStarted, 4, `${mode}: every saga started eagerly`);
      assert.equal(result.modes[lazy]!.eagerlyStarted, undefined);
      const vsLazyStart = result.ratios[mode]!.vsLazyStart!;
      assert.equal(vsLazyStart.mode, lazy);
      assert.ok(
        vsLazyStart.throughput! > 0 && vsLazyStart.cpu! > 0 && vsLazyStart.p50! > 0,
        JSON.stringify(vsLazyStart),
      );
      assert.equal(result.ratios[mode]!.vsRemote!.mode, remote);
    }
    assert.equal(result.modes['saga-local-eager']!.services!.calls, 4 * 8, 'the same eight calls');
    // What the server recorded per saga, read from the histories: the same in every run.
    const history = (mode: keyof typeof result.modes) => {
      const cost = result.modes[mode]!.history!;
      assert.equal(cost.sampled, 4, `${mode}: the histories of both rounds' 2 sagas`);
      return cost;
    };
    assert.deepEqual(
      [history('bare').activities, history('bare').markers, history('bare').upserts],
      [8, 0, 0],
      '8 activities, nothing else',
    );
    assert.deepEqual([history('bare-local').activities, history('bare-local').markers], [0, 8]);
    assert.deepEqual(
      [history('bare-pivot').workflowTasks, history('bare-pivot').activities, history('bare-pivot').markers],
      [2, 1, 7],
      'the pivot regular, the 7 other calls local, in 2 workflow tasks',
    );
    const hand = history('hand-local');
    assert.deepEqual([hand.activities, hand.markers, hand.timers, hand.upserts, hand.memoUpdates], [1, 7, 1, 1, 1]);
    const engine = history('engine-local');
    assert.ok(engine.bytes > hand.bytes && hand.bytes > history('bare-pivot').bytes, 'the histories measured in bytes');
    const eventBytes = Object.values(engine.bytesByEvent).reduce((sum, bytes) => sum + bytes, 0);
    assert.ok(
      engine.bytes - eventBytes >= 0 && engine.bytes - eventBytes <= 4 * engine.events,
      'the bytes by event add up',
    );
    assert.ok(engine.bytesByEvent.MARKER_RECORDED! > 0, JSON.stringify(engine.bytesByEvent));
    assert.equal(engine.workflowTasks, hand.workflowTasks, 'the engine adds no workflow task');
    const eager = history('engine-local-eager');
    assert.deepEqual(
      [eager.workflowTasks, eager.activities, eager.markers, eager.upserts],
      [engine.workflowTasks, engine.activities, engine.markers, engine.upserts],
      'an eager start records what a lazy one does',
    );
    assert.equal(engine.markers - engine.patches, 7, 'the same 7 local calls');
    assert.equal(engine.upserts, 1 + engine.patches, 'its status once, and the SDK one per patch');
  });
});
