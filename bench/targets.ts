// The embedded default against the production cluster, in one run (`npm run bench:cluster`, docs/BENCHMARKS.md):
// the same modes on the dev server (SQLite, one process per role) and on the cluster (two Temporal nodes on
// PostgreSQL behind HAProxy, service replicas, split workers, two APIs), first under load (BENCH_CONCURRENCY,
// default 20), then one saga at a time; each pass starts its own stack. Prints JSON with each target's figures and
// the cluster's ratios to the dev server. BENCH_COUNT, BENCH_ROUNDS, BENCH_WARMUP apply to the load passes;
// BENCH_LATENCY_COUNT (default 60) to the one-at-a-time passes.
import { z } from 'zod';
import { parseEnv } from '../lib/env';
import { emitResult, runMain } from './lib/output';
import type { BenchResult, Mode, ModeResult } from './lib/results';
import { runBench } from './lib/session';
import { loadBenchSettings } from './lib/settings';
import { ratio, round } from './lib/stats';

const LOAD_MODES: Mode[] = ['bare', 'saga', 'saga-local', 'api'];
const LATENCY_MODES: Mode[] = ['bare', 'bare-local', 'saga-local', 'api'];
const TARGETS = ['dev', 'cluster'] as const;
type Target = (typeof TARGETS)[number];

/** CPU per saga grouped by role: the Temporal server (every node), PostgreSQL, and everything. */
function cpuByRole(mode: ModeResult) {
  const sum = (match: (name: string) => boolean) =>
    round(
      Object.entries(mode.cpuMsPerSaga)
        .filter(([name]) => name !== 'total' && match(name))
        .reduce((total, [, ms]) => total + ms, 0),
    );
  return {
    temporalServer: sum((name) => name.startsWith('temporal')),
    postgres: sum((name) => name === 'postgres'),
    haproxy: sum((name) => name === 'haproxy'),
    workers: sum((name) => name.startsWith('worker')),
    services: sum((name) => /^(inventory|payment|order)/.test(name)),
    apis: sum((name) => name.startsWith('api')),
    total: mode.cpuMsPerSaga.total,
  };
}

function figures(result: BenchResult) {
  return Object.fromEntries(
    Object.entries(result.modes).map(([mode, m]) => [
      mode,
      {
        sagasPerSecond: m!.sagasPerSecond,
        latencyMs: { p50: m!.latencyMs.p50, p95: m!.latencyMs.p95, p99: m!.latencyMs.p99 },
        cpuMsPerSaga: cpuByRole(m!),
        completed: m!.sagas.completed,
        failed: m!.sagas.failed,
      },
    ]),
  );
}

runMain(async () => {
  const base = loadBenchSettings();
  const { BENCH_LATENCY_COUNT } = parseEnv(
    z.object({ BENCH_LATENCY_COUNT: z.coerce.number().int().min(1).max(2_000).default(60) }),
  );
  const runs = {} as Record<Target, { load: BenchResult; latency: BenchResult }>;
  // Load first on both targets, then latency on both, so a drift of the machine's load hits both alike.
  const load = {} as Record<Target, BenchResult>;
  for (const target of TARGETS) {
    base.log(`=== ${target}: ${base.concurrency} in flight`);
    load[target] = await runBench({ ...base, target, modes: LOAD_MODES });
  }
  for (const target of TARGETS) {
    base.log(`=== ${target}: one saga at a time`);
    const latency = await runBench({
      ...base,
      target,
      modes: LATENCY_MODES,
      concurrency: 1,
      count: BENCH_LATENCY_COUNT,
      warmup: Math.min(base.warmup, 5),
    });
    runs[target] = { load: load[target], latency };
  }
  const ratios = Object.fromEntries(
    LOAD_MODES.map((mode) => {
      const [dev, cluster] = [runs.dev.load.modes[mode]!, runs.cluster.load.modes[mode]!];
      const [devOne, clusterOne] = [runs.dev.latency.modes[mode], runs.cluster.latency.modes[mode]];
      return [
        mode,
        {
          throughput: ratio(cluster.sagasPerSecond, dev.sagasPerSecond),
          cpuPerSaga: ratio(cluster.cpuMsPerSaga.total, dev.cpuMsPerSaga.total),
          temporalServerCpuPerSaga: ratio(
            cpuByRole(cluster).temporalServer + cpuByRole(cluster).postgres,
            cpuByRole(dev).temporalServer,
          ),
          ...(devOne && clusterOne ? { p50AtConcurrency1: ratio(clusterOne.latencyMs.p50, devOne.latencyMs.p50) } : {}),
        },
      ];
    }),
  );
  emitResult({
    benchmark: 'sagaflow-targets',
    startedAt: runs.dev.load.startedAt,
    machine: runs.dev.load.machine,
    settings: {
      load: { ...runs.dev.load.settings, modes: LOAD_MODES },
      latency: { count: BENCH_LATENCY_COUNT, concurrency: 1, modes: LATENCY_MODES },
    },
    dev: { load: figures(runs.dev.load), latency: figures(runs.dev.latency) },
    cluster: { load: figures(runs.cluster.load), latency: figures(runs.cluster.latency) },
    /** The cluster's figure ÷ the dev server's: throughput above 1 is faster, CPU and latency above 1 cost more. */
    clusterVsDev: ratios,
  });
});
