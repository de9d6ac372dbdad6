import type { ProfileSummary } from '../profile';
import type { HistoryCost } from './history-cost';
import type { SlowestSaga } from './slowest';
import type { UsageReport } from './proc';
import { round } from './stats';
import type { Summary } from './stats';

// The bench's modes, settings and the shape of its machine-readable result.

export const MODES = [
  'bare',
  'bare-local',
  'bare-pivot',
  'hand-local',
  'quiet',
  'engine',
  'engine-local',
  'engine-local-eager',
  'steps',
  'saga',
  'saga-local',
  'saga-local-eager',
  'api',
] as const;
export type Mode = (typeof MODES)[number];

/**
 * The modes whose calls a bare workflow makes the same way, placed the same way: what such a mode adds to its
 * baseline is the engine's own overhead (the target is ≤ 5 %).
 */
export const ENGINE_BASELINE_OF: Partial<Record<Mode, Mode>> = {
  engine: 'bare',
  'engine-local': 'bare-pivot',
};

/**
 * The engine modes and the hand-written workflow that makes the same calls and has what the saga declares and
 * publishes beyond them (the capture's deadline timer, the final status and memo): what such a mode adds to it is
 * the engine's own bookkeeping.
 */
export const HAND_WRITTEN_OF: Partial<Record<Mode, Mode>> = {
  'engine-local': 'hand-local',
};

/** The local modes and the mode each one runs the same steps of as regular activities. */
export const LOCAL_MODE_OF: Partial<Record<Mode, Mode>> = {
  'bare-local': 'bare',
  'engine-local': 'engine',
  'engine-local-eager': 'engine',
  'saga-local': 'saga',
  'saga-local-eager': 'saga',
};

/** The modes started eagerly and the same mode started through the server's matching (`vsLazyStart`). */
export const EAGER_START_OF: Partial<Record<Mode, Mode>> = {
  'engine-local-eager': 'engine-local',
  'saga-local-eager': 'saga-local',
};

export const MODE_DESCRIPTIONS: Record<Mode, string> = {
  bare: 'bare Temporal workflow, 8 no-op activities on the same lanes, started with the client (bench worker)',
  'bare-local':
    'bare Temporal workflow, the same 8 no-op calls as local activities, started with the client (bench worker): the baseline of the local modes',
  'bare-pivot':
    'bare Temporal workflow, the 8 no-op calls placed as the engine places them with local steps (the pivot a regular activity on the own task queue, markPaid and commitInventory at once), started with the client (bench worker): the baseline of engine-local',
  'hand-local':
    "the order workflow written by hand: the order saga's calls with its inputs, options and summaries to the same no-op activities, placed as bare-pivot, the capture raced against its payment deadline timer, compensations listed, the current step in the current details, the final status upserted and the state in the memo, started with the search attributes the API sets (bench worker): what engine-local does, without the engine",
  quiet:
    'the saga engine running the order saga with no-op activities and publishing nothing (no search attributes), started with the client (bench worker)',
  engine:
    'the order saga with no-op activities, started as the API starts it (publishMode on-status-change) with the client (bench worker): the engine alone',
  steps:
    'the order saga with no-op activities and publishMode every-step (PUBLISH_SAGA_STEPS=true: search attributes upserted at every step), started with the client (bench worker)',
  'engine-local':
    'as engine, with the service calls as local activities (stepExecution local, the API default): the engine alone over local steps',
  'engine-local-eager':
    'as engine-local, started by the bench worker itself over its own connection with eager workflow start: the first workflow task comes back in the start response instead of through matching (a starter sharing the worker’s process)',
  'saga-local-eager':
    'as saga-local, started by the bench worker itself over its own connection with eager workflow start (a starter sharing the worker’s process)',
  saga: 'the order saga with the real activities and services as regular activities on the lanes (stepExecution remote), started with the client (bench worker)',
  'saga-local':
    'the order saga with the real activities and services as local activities (stepExecution local, as the API starts it by default), started with the client (bench worker)',
  api: 'the order saga through the API (POST /orders with Prefer: wait, the events long-poll when it answers 202, one GET /orders/:id while it runs), on the stack’s own worker, with the API’s SAGA_STEP_EXECUTION (default local)',
};

/** The worker settings a run uses (the env variables of workers/config.ts); unset ones keep their defaults. */
export const WORKER_SETTING_VARS = [
  'WORKFLOW_TASK_CONCURRENCY',
  'WORKFLOW_TASK_POLLERS',
  'INVENTORY_ACTIVITY_CONCURRENCY',
  'PAYMENT_ACTIVITY_CONCURRENCY',
  'ORDER_ACTIVITY_CONCURRENCY',
] as const;

export interface BenchSettings {
  /** Measured sagas per mode, over all rounds. */
  count: number;
  /** The modes run this many times in turn, each time with count / rounds sagas. */
  rounds: number;
  concurrency: number;
  /** Sagas run (and not measured) before each mode's measurement. */
  warmup: number;
  modes: Mode[];
  /** Time budget of each mode's measurement, seconds: no saga starts after it, running ones are abandoned. */
  modeBudgetSeconds: number;
  /** API mode: when the one GET /orders/:id per saga is sent, ms after its POST. */
  readAfterMs: number;
  /** Worker settings (WORKFLOW_TASK_CONCURRENCY, ...), for the stack's worker and the bench worker alike. */
  workerEnv: Record<string, string>;
  /** Environment for everything the stack starts (e.g. LOG_LEVEL). */
  stackEnv?: Record<string, string>;
  /** The embedded default (dev server on SQLite) or the production cluster (scripts/cluster-stack). */
  target: 'dev' | 'cluster';
  /** Write V8 CPU profiles of the workers (and the stack's processes) into this directory. */
  profileDir?: string;
  log: (line: string) => void;
}

export interface ModeResult {
  mode: Mode;
  description: string;
  sagas: { requested: number; completed: number; failed: number; notStarted: number; statuses: Record<string, number> };
  wallSeconds: number;
  sagasPerSecond: number;
  /**
   * Start request → saga completed, ms (completed sagas only): until the client's result long poll answered
   * (direct modes), until the workflow's close time on the server (api mode).
   */
  latencyMs: Summary;
  /**
   * API mode: POST latency (with `Prefer: wait`, until the outcome), the status read's latency and HTTP statuses,
   * events long-polls per saga (after a 202), and `observedLatencyMs`: start → the client knew the outcome.
   */
  api?: {
    postMs: Summary;
    getMs: Summary;
    getStatuses: Record<string, number>;
    /** Beside each GET: describe and GetSystemInfo called straight on Temporal, and the API's /health. */
    temporalDescribeMs: Summary;
    temporalSystemInfoMs: Summary;
    apiHealthMs: Summary;
    eventPollsPerSaga: number;
    observedLatencyMs: Summary;
  };
  /** Time the saga's activities spent inside HTTP calls to the services (saga mode). */
  services?: {
    calls: number;
    errors: number;
    callMs: Summary;
    msPerSaga: number;
    /** msPerSaga / mean saga latency. */
    shareOfLatency: number | null;
    byRoute: Record<string, { calls: number; meanMs: number }>;
  };
  /**
   * What the server recorded per saga, from the histories of a few completed sagas of each round: counts that the
   * machine's load does not blur, so a change that adds or removes server work shows in one run.
   */
  history?: HistoryCost;
  /** The slowest saga of the round (per round only), as its client saw it and as the server recorded it. */
  slowest?: SlowestSaga;
  /** Eager-start modes: the sagas the server started eagerly (the rest went through matching: no free slot). */
  eagerlyStarted?: number;
  /** The worker process that ran the sagas (the bench worker, or the stack's worker in api mode). */
  worker: { pid: number; cpuPercent: number; cpuMsPerSaga: number; rssMbMean: number; rssMbMax: number };
  usage: UsageReport;
  /**
   * CPU time per completed saga of each sampled process (the stack's, the bench worker, the load generator) and
   * their total: on a machine the run saturates, throughput is about cores ÷ total.
   */
  cpuMsPerSaga: Record<string, number> & { total: number };
  /** os.loadavg() (1, 5, 15 min) before the first round's measurement and after the last one's. */
  loadAverage: { before: number[]; after: number[] };
  /**
   * Each round's throughput and latency, with the 1-minute load average after it and where in the round the mode
   * ran (1: first; bench/lib/rounds.ts).
   */
  rounds?: {
    sagasPerSecond: number;
    p50: number;
    p99: number;
    loadAverage: number;
    position: number;
    slowest?: SlowestSaga;
  }[];
  errors?: string[];
}

/** Completed sagas ÷ wall time over several rounds of one mode. */
export function pooledThroughput(rounds: readonly ModeResult[]): number {
  const wall = rounds.reduce((sum, r) => sum + r.wallSeconds, 0);
  return rounds.reduce((sum, r) => sum + r.sagas.completed, 0) / wall;
}

export function cpuPerSaga(usage: UsageReport, completed: number): ModeResult['cpuMsPerSaga'] {
  const perSaga = (cpuSeconds: number) => round(completed ? (cpuSeconds * 1000) / completed : 0);
  const processes = Object.entries(usage.processes).map(([name, p]) => [name, p.cpuSeconds] as const);
  return {
    ...Object.fromEntries(processes.map(([name, cpuSeconds]) => [name, perSaga(cpuSeconds)])),
    total: perSaga(processes.reduce((sum, [, cpuSeconds]) => sum + cpuSeconds, 0)),
  };
}

export interface BenchResult {
  benchmark: 'sagaflow';
  startedAt: string;
  durationSeconds: number;
  machine: { cores: number; cpu: string; memoryGb: number; node: string; platform: string };
  settings: {
    count: number;
    rounds: number;
    concurrency: number;
    warmup: number;
    modeBudgetSeconds: number;
    readAfterMs: number;
    workerEnv: Record<string, string>;
    worker: Record<string, number>;
    /** The API's SAGA_STEP_EXECUTION in the api mode. */
    apiStepExecution: string;
    target: 'dev' | 'cluster';
  };
  modes: Partial<Record<Mode, ModeResult>>;
  /**
   * Throughput ratios are sagas/s of a mode ÷ the bare baseline's (1 = no overhead; the target is ≥ 0.9);
   * p99 ratios are the mode's p99 latency ÷ the baseline's (1 = no overhead, higher is slower).
   */
  ratios: Partial<
    Record<
      Exclude<Mode, 'bare'>,
      {
        throughput: number | null;
        p99: number | null;
        /** The median over the rounds of each round's ratio (the mode against the bare run of the same round). */
        throughputRoundMedian: number | null;
        p99RoundMedian: number | null;
        /**
         * The baseline's total CPU per saga ÷ the mode's: the throughput ratio the CPU cost alone predicts on a
         * saturated machine, less noisy than wall-clock throughput.
         */
        cpu: number | null;
        cpuRoundMedian: number | null;
        /**
         * 95 % bootstrap interval of the pooled throughput ratio, resampling the rounds (each round's mode and
         * bare run together); null with fewer than 3 rounds.
         */
        throughputCi95: [number, number] | null;
        /**
         * A local mode against its remote counterpart in the same run (saga-local ÷ saga): throughput, CPU (the
         * counterpart's total CPU per saga ÷ this mode's) and p50 latency (this ÷ the counterpart's).
         */
        vsRemote?: { mode: Mode; throughput: number | null; cpu: number | null; p50: number | null };
        /**
         * An engine mode against the bare workflow making the same calls placed the same way (ENGINE_BASELINE_OF),
         * in the same run: throughput and CPU as above (≥ 0.95 is the target), p50 latency (this ÷ the baseline's).
         */
        vsBaseline?: { mode: Mode; throughput: number | null; cpu: number | null; p50: number | null };
        /**
         * An engine mode against the hand-written workflow with the same calls, deadline and publishing
         * (HAND_WRITTEN_OF), in the same run, as `vsBaseline`.
         */
        vsHandWritten?: { mode: Mode; throughput: number | null; cpu: number | null; p50: number | null };
        /** A mode started eagerly against the same mode started through matching (EAGER_START_OF), as `vsBaseline`. */
        vsLazyStart?: { mode: Mode; throughput: number | null; cpu: number | null; p50: number | null };
      }
    >
  >;
  /** With BENCH_PROFILE_DIR: each profiled process's top functions by self time. */
  profiles?: ProfileSummary[];
}
