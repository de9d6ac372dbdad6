// Before and after a change, in one run: the same bench on a git ref (a worktree of it) and on the working tree,
// rounds alternating (ref then working tree, then working tree then ref, ...) so both see the same machine at the
// same moments and each runs first as often. Prints each mode's median over the rounds per tree, the ratios
// working tree / ref and every round's figures, as JSON (BENCH_OUT too).
//
//   npx tsx bench/compare.ts --ref HEAD~1 [--rounds 3] [--script bench:latency]
//
// The bench's own settings (BENCH_MODES, BENCH_COUNT, ...) pass through to both; each round is one bench run
// (BENCH_ROUNDS=1) on a fresh stack. The ref shares this tree's node_modules and .tools, so it must have the same
// package-lock.json; its Prisma clients are generated from its own schemas.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { emitResult, runMain } from './lib/output';
import { roundOrder } from './lib/rounds';
import { ratio, round } from './lib/stats';

const root = path.resolve(__dirname, '..');

const argsSchema = z.object({
  ref: z.string().min(1),
  rounds: z.coerce.number().int().min(1).max(10).default(3),
  script: z.enum(['bench', 'bench:latency']).default('bench:latency'),
});

/** What one bench run reports per mode, as far as the comparison reads it. */
const benchResult = z.object({
  modes: z.record(
    z.string(),
    z.object({
      sagasPerSecond: z.number(),
      latencyMs: z.object({ p50: z.number(), p99: z.number() }),
      cpuMsPerSaga: z.object({ total: z.number() }).catchall(z.number()).optional(),
      api: z.object({ observedLatencyMs: z.object({ p50: z.number(), p99: z.number() }) }).optional(),
    }),
  ),
});
type BenchResult = z.infer<typeof benchResult>;

const METRICS = {
  p50: (mode: BenchResult['modes'][string]) => mode.latencyMs.p50,
  p99: (mode: BenchResult['modes'][string]) => mode.latencyMs.p99,
  sagasPerSecond: (mode: BenchResult['modes'][string]) => mode.sagasPerSecond,
  cpuMsPerSaga: (mode: BenchResult['modes'][string]) => mode.cpuMsPerSaga?.total ?? Number.NaN,
  /** `api` only: POST → the client has the outcome (the other latencies end at the workflow's close). */
  answerP50: (mode: BenchResult['modes'][string]) => mode.api?.observedLatencyMs.p50 ?? Number.NaN,
  answerP99: (mode: BenchResult['modes'][string]) => mode.api?.observedLatencyMs.p99 ?? Number.NaN,
} as const;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${result.status}`);
  return result.stdout;
}

/** A worktree of `ref` that runs with this tree's dependencies and tools. */
function checkout(ref: string): { dir: string; remove(): void } {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'sagaflow-compare-')), 'tree');
  run('git', ['worktree', 'add', '--detach', dir, ref], root);
  const remove = () => {
    spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: root });
    rmSync(path.dirname(dir), { recursive: true, force: true });
  };
  try {
    if (
      readFileSync(path.join(dir, 'package-lock.json'), 'utf8') !==
      readFileSync(path.join(root, 'package-lock.json'), 'utf8')
    ) {
      throw new Error(`${ref} has another package-lock.json: compare it with a tree that has its dependencies`);
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    if (existsSync(path.join(root, '.tools'))) symlinkSync(path.join(root, '.tools'), path.join(dir, '.tools'));
    run('bash', ['scripts/db/generate'], dir);
    return { dir, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

function benchOnce(dir: string, script: string, out: string): BenchResult {
  run('npm', ['run', '--silent', script], dir, { ...process.env, BENCH_ROUNDS: '1', BENCH_OUT: out });
  return benchResult.parse(JSON.parse(readFileSync(out, 'utf8')));
}

const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { ref: { type: 'string' }, rounds: { type: 'string' }, script: { type: 'string' } },
  });
  const args = argsSchema.parse(values);
  const startedAt = new Date();
  const ref = checkout(args.ref);
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'sagaflow-compare-out-'));
  const runs: Record<'ref' | 'tree', BenchResult[]> = { ref: [], tree: [] };
  try {
    for (let roundNo = 1; roundNo <= args.rounds; roundNo++) {
      for (const side of roundOrder(['ref', 'tree'] as const, roundNo)) {
        process.stderr.write(
          `[compare] round ${roundNo}/${args.rounds}: ${side === 'ref' ? args.ref : 'working tree'}\n`,
        );
        const out = path.join(outDir, `${side}-${roundNo}.json`);
        runs[side].push(benchOnce(side === 'ref' ? ref.dir : root, args.script, out));
      }
    }
  } finally {
    ref.remove();
    rmSync(outDir, { recursive: true, force: true });
  }
  const modes = Object.keys(runs.tree[0]!.modes);
  const table = Object.fromEntries(
    modes.map((mode) => {
      const per = (side: 'ref' | 'tree') =>
        Object.fromEntries(
          Object.entries(METRICS).map(([name, read]) => [
            name,
            round(median(runs[side].map((result) => (result.modes[mode] ? read(result.modes[mode]) : Number.NaN)))),
          ]),
        ) as Record<keyof typeof METRICS, number>;
      const before = per('ref');
      const after = per('tree');
      const ratios = Object.fromEntries(
        (Object.keys(METRICS) as (keyof typeof METRICS)[]).map((name) => [name, ratio(after[name], before[name])]),
      );
      // Each process's CPU per saga (the Temporal server, the worker, each service, ...): where a change saved.
      const byProcess = (side: 'ref' | 'tree') => {
        const names = new Set(runs[side].flatMap((result) => Object.keys(result.modes[mode]?.cpuMsPerSaga ?? {})));
        return Object.fromEntries(
          [...names].map((name) => [
            name,
            round(median(runs[side].map((result) => result.modes[mode]?.cpuMsPerSaga?.[name] ?? Number.NaN))),
          ]),
        );
      };
      const cpuMsPerSagaByProcess = { ref: byProcess('ref'), tree: byProcess('tree') };
      return [mode, { ref: before, tree: after, treeOverRef: ratios, cpuMsPerSagaByProcess }];
    }),
  );
  emitResult({
    benchmark: 'compare',
    startedAt: startedAt.toISOString(),
    durationSeconds: round((Date.now() - startedAt.getTime()) / 1000),
    ref: args.ref,
    refCommit: run('git', ['rev-parse', args.ref], root).trim(),
    treeCommit: run('git', ['rev-parse', 'HEAD'], root).trim(),
    script: args.script,
    rounds: args.rounds,
    settings: Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('BENCH_'))),
    modes: table,
    perRound: Object.fromEntries(
      modes.map((mode) => [
        mode,
        Object.fromEntries(
          (['ref', 'tree'] as const).map((side) => [
            side,
            runs[side].map((result) => {
              const m = result.modes[mode];
              return m ? Object.fromEntries(Object.entries(METRICS).map(([name, read]) => [name, read(m)])) : null;
            }),
          ]),
        ),
      ]),
    ),
  });
}

runMain(main);
