import { z } from 'zod';
import { parseEnv } from '../../lib/env';
import { MODES, WORKER_SETTING_VARS } from './session';
import type { BenchSettings, Mode } from './session';

// The benchmarks' knobs, from the environment; every one is bounded, so a run always stops by itself.

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z.object({
  BENCH_COUNT: int(200, 1, 5_000),
  BENCH_ROUNDS: int(3, 1, 10),
  BENCH_CONCURRENCY: int(20, 1, 200),
  BENCH_WARMUP: int(20, 0, 1_000),
  BENCH_MODES: z
    .string()
    .default(MODES.join(','))
    .transform((value) => value.split(',').map((mode) => mode.trim()))
    .pipe(z.array(z.enum(MODES)).min(1)),
  BENCH_MODE_BUDGET_S: int(180, 5, 900),
  BENCH_READ_AFTER_MS: int(100, 0, 30_000),
  BENCH_PROFILE_DIR: z.string().optional(),
  LOG_LEVEL: z.string().optional(),
  /** The stack API's SAGA_STEP_EXECUTION, for the api mode (default local, as the API's). */
  SAGA_STEP_EXECUTION: z.enum(['local', 'remote']).optional(),
  /** dev: the embedded default (dev server on SQLite); cluster: the production cluster (scripts/cluster). */
  BENCH_TARGET: z.enum(['dev', 'cluster']).default('dev'),
});

export function loadBenchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const parsed = parseEnv(schema, env);
  const workerEnv: Record<string, string> = {};
  for (const name of WORKER_SETTING_VARS) if (env[name] !== undefined) workerEnv[name] = env[name]!;
  return {
    count: parsed.BENCH_COUNT,
    rounds: parsed.BENCH_ROUNDS,
    concurrency: parsed.BENCH_CONCURRENCY,
    warmup: parsed.BENCH_WARMUP,
    modes: parsed.BENCH_MODES as Mode[],
    modeBudgetSeconds: parsed.BENCH_MODE_BUDGET_S,
    readAfterMs: parsed.BENCH_READ_AFTER_MS,
    workerEnv,
    stackEnv: {
      ...(parsed.LOG_LEVEL ? { LOG_LEVEL: parsed.LOG_LEVEL } : {}),
      ...(parsed.SAGA_STEP_EXECUTION ? { SAGA_STEP_EXECUTION: parsed.SAGA_STEP_EXECUTION } : {}),
    },
    profileDir: parsed.BENCH_PROFILE_DIR,
    target: parsed.BENCH_TARGET,
    log: (line) => process.stderr.write(`[bench] ${line}\n`),
  };
}
