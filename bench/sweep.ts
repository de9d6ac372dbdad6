// npm run bench:sweep: the worker's concurrency settings on a small grid, one fresh stack per configuration,
// each measured with the bare baseline and the saga (real services, started with the client) at the same N and
// C. Prints one JSON line per configuration as it finishes, then a JSON summary naming the best configuration
// (highest saga throughput); BENCH_OUT also gets the summary. Bounded: BENCH_SWEEP_BUDGET_S stops the sweep
// (configurations not started are listed as skipped).
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { z } from 'zod';
import { parseEnv } from '../lib/env';
import { emitResult, runMain } from './lib/output';
import { runBench } from './lib/session';
import type { BenchResult } from './lib/session';
import { loadBenchSettings } from './lib/settings';
import { round } from './lib/stats';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((item) => Number(item.trim())))
    .pipe(z.array(z.number().int().min(1).max(10_000)).min(1).max(6));

const sweep = parseEnv(
  z.object({
    /** WORKFLOW_TASK_CONCURRENCY values. */
    BENCH_SWEEP_WORKFLOW: list('2,10,100'),
    /** Activity concurrency of every lane (INVENTORY_/PAYMENT_/ORDER_ACTIVITY_CONCURRENCY) values. */
    BENCH_SWEEP_ACTIVITY: list('2,10,50'),
    BENCH_SWEEP_BUDGET_S: z.coerce.number().int().min(60).max(7_200).default(2_400),
  }),
);

export interface SweepPoint {
  workflowTaskConcurrency: number;
  activityConcurrency: number;
  bare?: { sagasPerSecond: number; p50: number; p99: number; workerCpuPercent: number };
  saga?: { sagasPerSecond: number; p50: number; p99: number; workerCpuPercent: number; workerRssMbMax: number };
  ratios?: BenchResult['ratios']['saga'];
  loadAverage: number[];
  error?: string;
}

async function main(): Promise<void> {
  const base = loadBenchSettings({
    BENCH_COUNT: '80',
    BENCH_ROUNDS: '1',
    BENCH_WARMUP: '10',
    BENCH_MODES: 'bare,saga',
    ...process.env,
  });
  const started = performance.now();
  const points: SweepPoint[] = [];
  const skipped: { workflowTaskConcurrency: number; activityConcurrency: number }[] = [];
  for (const workflowTaskConcurrency of sweep.BENCH_SWEEP_WORKFLOW) {
    for (const activityConcurrency of sweep.BENCH_SWEEP_ACTIVITY) {
      if ((performance.now() - started) / 1000 > sweep.BENCH_SWEEP_BUDGET_S) {
        skipped.push({ workflowTaskConcurrency, activityConcurrency });
        continue;
      }
      const a = String(activityConcurrency);
      base.log(`--- WORKFLOW_TASK_CONCURRENCY=${workflowTaskConcurrency}, lane activity concurrency ${a}`);
      const point: SweepPoint = { workflowTaskConcurrency, activityConcurrency, loadAverage: [] };
      try {
        const result = await runBench({
          ...base,
          workerEnv: {
            WORKFLOW_TASK_CONCURRENCY: String(workflowTaskConcurrency),
            INVENTORY_ACTIVITY_CONCURRENCY: a,
            PAYMENT_ACTIVITY_CONCURRENCY: a,
            ORDER_ACTIVITY_CONCURRENCY: a,
          },
        });
        const { bare, saga } = result.modes;
        if (bare)
          point.bare = {
            sagasPerSecond: bare.sagasPerSecond,
            p50: bare.latencyMs.p50,
            p99: bare.latencyMs.p99,
            workerCpuPercent: bare.worker.cpuPercent,
          };
        if (saga)
          point.saga = {
            sagasPerSecond: saga.sagasPerSecond,
            p50: saga.latencyMs.p50,
            p99: saga.latencyMs.p99,
            workerCpuPercent: saga.worker.cpuPercent,
            workerRssMbMax: saga.worker.rssMbMax,
          };
        point.ratios = result.ratios.saga;
      } catch (err) {
        point.error = err instanceof Error ? err.message : String(err);
      }
      point.loadAverage = os.loadavg().map((value) => round(value, 2));
      points.push(point);
      console.log(JSON.stringify(point));
    }
  }
  const measured = points.filter((point) => point.saga);
  const best = measured.sort((a, b) => b.saga!.sagasPerSecond - a.saga!.sagasPerSecond)[0];
  const summary = {
    benchmark: 'sagaflow-sweep',
    startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
    durationSeconds: round((performance.now() - started) / 1000),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    settings: { count: base.count, concurrency: base.concurrency, warmup: base.warmup, modes: base.modes },
    points,
    skipped,
    best: best
      ? {
          WORKFLOW_TASK_CONCURRENCY: best.workflowTaskConcurrency,
          INVENTORY_ACTIVITY_CONCURRENCY: best.activityConcurrency,
          PAYMENT_ACTIVITY_CONCURRENCY: best.activityConcurrency,
          ORDER_ACTIVITY_CONCURRENCY: best.activityConcurrency,
          saga: best.saga,
          bare: best.bare,
          ratios: best.ratios,
        }
      : null,
  };
  emitResult(summary);
}

runMain(main);
