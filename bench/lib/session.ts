import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startStack } from '../../scripts/stack/launch';
import type { RunningStack } from '../../scripts/stack/launch';
import { loadWorkerConfig } from '../../workers/config';
import { bundleConverterPaths, dataConverterFor } from '../../lib/codec/data-converter';
import { ensureDevKeys } from '../../lib/codec/dev-keys';
import { loadPayloadKeys } from '../../lib/codec/payload-keys';
import type { HttpTimings, WorkerMessage } from '../worker';
import { summarizeProfile } from '../profile';
import type { ProfileSummary } from '../profile';
import { apiRunner } from './api-runner';
import { closeLatencies, directRunner, runLoad } from './load';
import type { LoadResult, SagaRunner } from './load';
import { sampleUsage } from './proc';
import type { UsageReport } from './proc';
import { bootstrapCi95, ratio, round, summarize } from './stats';
import type { Summary } from './stats';
import { prepareInventory } from './stock';

export const MODES = ['bare', 'quiet', 'engine', 'steps', 'saga', 'api'] as const;
export type Mode = (typeof MODES)[number];

export const MODE_DESCRIPTIONS: Record<Mode, string> = {
  bare: 'bare Temporal workflow, 8 no-op activities on the same lanes, started with the client (bench worker)',
  quiet:
    'the saga engine running the order saga with no-op activities and publishing nothing (no search attributes), started with the client (bench worker)',
  engine:
    'the order saga with no-op activities, started as the API starts it (publishMode on-status-change) with the client (bench worker): the engine alone',
  steps:
    'the order saga with no-op activities and publishMode every-step (PUBLISH_SAGA_STEPS=true: search attributes upserted at every step), started with the client (bench worker)',
  saga: 'the order saga with the real activities and services, started as the API starts it with the client (bench worker)',
  api: 'the order saga through the API (POST /orders with Prefer: wait, the events long-poll when it answers 202, one GET /orders/:id while it runs), on the stack’s own worker',
};

/** The worker settings a run uses (the env variables of workers/config.ts); unset ones keep their defaults. */
export const WORKER_SETTING_VARS = [
  'WORKFLOW_TASK_CONCURRENCY',
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
  /** Each round's throughput and latency, with the 1-minute load average after it. */
  rounds?: { sagasPerSecond: number; p50: number; p99: number; loadAverage: number }[];
  errors?: string[];
}

/** Completed sagas ÷ wall time over several rounds of one mode. */
function pooledThroughput(rounds: readonly ModeResult[]): number {
  const wall = rounds.reduce((sum, r) => sum + r.wallSeconds, 0);
  return rounds.reduce((sum, r) => sum + r.sagas.completed, 0) / wall;
}

function cpuPerSaga(usage: UsageReport, completed: number): ModeResult['cpuMsPerSaga'] {
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
      }
    >
  >;
  /** With BENCH_PROFILE_DIR: each profiled process's top functions by self time. */
  profiles?: ProfileSummary[];
}

const SERVICE_TOKEN = 'sagaflow-dev-service-token';
/** API mode: `Prefer: wait=N` of each POST /orders, and each events long-poll's wait. */
const API_WAIT_SECONDS = 30;
const ignore = () => undefined;
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

interface BenchWorker {
  child: ChildProcess;
  request(message: 'stats'): Promise<HttpTimings>;
  send(message: 'reset'): void;
  stop(): Promise<void>;
}

async function startBenchWorker(env: NodeJS.ProcessEnv): Promise<BenchWorker> {
  const child = fork(path.join(__dirname, '..', 'worker.ts'), [], {
    execArgv: [
      '--import',
      'tsx',
      ...(env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_CPU_PROF_DIR}`] : []),
    ],
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench worker not ready in 120 s:\n${tail(output)}`)), 120_000);
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`bench worker exited:\n${tail(output)}`));
    });
  });
  return {
    child,
    send: (message) => child.send(message),
    request: (message) =>
      new Promise((resolve) => {
        const onMessage = (reply: WorkerMessage) => {
          if (reply.type !== 'stats') return;
          child.off('message', onMessage);
          resolve(reply.http);
        };
        child.on('message', onMessage);
        child.send(message);
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function counts(values: string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const value of values) result[value] = (result[value] ?? 0) + 1;
  return result;
}

function summarizeMode(
  mode: Mode,
  requested: number,
  load: LoadResult,
  usage: UsageReport,
  loadAverage: ModeResult['loadAverage'],
  http: HttpTimings | undefined,
  closeLatencyMs: number[] | undefined,
): ModeResult {
  const completed = load.samples.filter((s) => s.ok);
  const latencyMs = summarize(closeLatencyMs ?? completed.map((s) => s.latencyMs));
  const wallSeconds = load.wallMs / 1000;
  const worker = usage.processes.worker!;
  const result: ModeResult = {
    mode,
    description: MODE_DESCRIPTIONS[mode],
    sagas: {
      requested,
      completed: completed.length,
      failed: load.samples.length - completed.length,
      notStarted: load.notStarted,
      statuses: counts(load.samples.map((s) => s.status)),
    },
    wallSeconds: round(wallSeconds, 2),
    sagasPerSecond: round(wallSeconds > 0 ? completed.length / wallSeconds : 0, 2),
    latencyMs,
    worker: {
      pid: worker.pid,
      cpuPercent: worker.cpuPercent,
      cpuMsPerSaga: round(completed.length ? (worker.cpuSeconds * 1000) / completed.length : 0),
      rssMbMean: worker.rssMbMean,
      rssMbMax: worker.rssMbMax,
    },
    usage,
    cpuMsPerSaga: cpuPerSaga(usage, completed.length),
    loadAverage,
  };
  if (mode === 'api') {
    const polls = load.samples.reduce((sum, s) => sum + (s.eventPolls ?? 0), 0);
    result.api = {
      postMs: summarize(load.samples.flatMap((s) => (s.postMs === undefined ? [] : [s.postMs]))),
      getMs: summarize(load.samples.flatMap((s) => s.getMs ?? [])),
      getStatuses: counts(load.samples.flatMap((s) => (s.getStatus === undefined ? [] : [String(s.getStatus)]))),
      eventPollsPerSaga: round(load.samples.length ? polls / load.samples.length : 0, 2),
      observedLatencyMs: summarize(completed.map((s) => s.latencyMs)),
    };
  }
  if (http) {
    const msPerSaga = completed.length ? http.totalMs / completed.length : 0;
    result.services = {
      calls: http.calls,
      errors: http.errors,
      callMs: summarize(http.durationsMs),
      msPerSaga: round(msPerSaga),
      shareOfLatency: ratio(msPerSaga, latencyMs.mean),
      byRoute: Object.fromEntries(
        Object.entries(http.byRoute).map(([route, { calls, totalMs }]) => [
          route,
          { calls, meanMs: round(totalMs / calls) },
        ]),
      ),
    };
  }
  const errors = [...new Set(load.samples.flatMap((s) => (s.error ? [s.error] : [])))].slice(0, 5);
  if (errors.length) result.errors = errors;
  return result;
}

interface Pool {
  load: LoadResult;
  usages: UsageReport[];
  loadAverage: ModeResult['loadAverage'];
  http?: HttpTimings;
  closed?: number[];
}

interface Measured {
  load: LoadResult;
  usage: UsageReport;
  loadAverage: ModeResult['loadAverage'];
  http: HttpTimings | undefined;
  closed: number[] | undefined;
}

/** Adds one round's measurement of a mode to its pool. */
function pool(pools: Map<Mode, Pool>, mode: Mode, m: Measured): void {
  const p = pools.get(mode);
  if (!p) {
    pools.set(mode, {
      load: { samples: [...m.load.samples], wallMs: m.load.wallMs, notStarted: m.load.notStarted },
      usages: [m.usage],
      loadAverage: { before: m.loadAverage.before, after: m.loadAverage.after },
      http: m.http && { ...m.http, durationsMs: [...m.http.durationsMs], byRoute: { ...m.http.byRoute } },
      closed: m.closed && [...m.closed],
    });
    return;
  }
  p.load.samples.push(...m.load.samples);
  p.load.wallMs += m.load.wallMs;
  p.load.notStarted += m.load.notStarted;
  p.usages.push(m.usage);
  p.loadAverage.after = m.loadAverage.after;
  if (p.http && m.http) {
    p.http.calls += m.http.calls;
    p.http.errors += m.http.errors;
    p.http.totalMs += m.http.totalMs;
    p.http.durationsMs.push(...m.http.durationsMs);
    for (const [route, { calls, totalMs }] of Object.entries(m.http.byRoute)) {
      const entry = (p.http.byRoute[route] ??= { calls: 0, totalMs: 0 });
      entry.calls += calls;
      entry.totalMs += totalMs;
    }
  }
  if (p.closed && m.closed) p.closed.push(...m.closed);
}

/** Usage over several windows: CPU shares weighted by their length, the largest RSS, the mean of the means. */
function mergeUsage(usages: UsageReport[]): UsageReport {
  const wall = usages.reduce((sum, u) => sum + u.wallSeconds, 0);
  const processes: UsageReport['processes'] = {};
  for (const name of new Set(usages.flatMap((u) => Object.keys(u.processes)))) {
    const list = usages.flatMap((u) => (u.processes[name] ? [u.processes[name]] : []));
    const cpuSeconds = list.reduce((sum, p) => sum + p.cpuSeconds, 0);
    processes[name] = {
      pid: list.at(-1)!.pid,
      cpuSeconds: round(cpuSeconds, 2),
      cpuPercent: round(wall > 0 ? (cpuSeconds / wall) * 100 : 0),
      rssMbMean: round(list.reduce((sum, p) => sum + p.rssMbMean, 0) / list.length),
      rssMbMax: Math.max(...list.map((p) => p.rssMbMax)),
    };
  }
  return {
    wallSeconds: round(wall, 2),
    machineBusyPercent: round(
      wall > 0 ? usages.reduce((sum, u) => sum + u.machineBusyPercent * u.wallSeconds, 0) / wall : 0,
    ),
    cores: usages[0]?.cores ?? os.cpus().length,
    processes,
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return round(sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2, 3);
}

function loadAverage(): number[] {
  return os.loadavg().map((value) => round(value, 2));
}

/**
 * One benchmark run: a fresh stack on free loopback ports (its inventory seeded with enough stock), then each
 * mode in turn (warm-up, then `count` sagas at `concurrency`), sampling the worker's CPU and memory; stops
 * everything it started, and returns the results.
 */
export async function runBench(settings: BenchSettings): Promise<BenchResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const runId = randomBytes(3).toString('hex');
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'sagaflow-bench-'));
  const dataDir = path.join(scratch, 'data');
  mkdirSync(dataDir);
  const log = settings.log;
  let stack: RunningStack | undefined;
  let connection: Connection | undefined;
  const profiles: ProfileSummary[] = [];
  /** pid → process name, to label the CPU profiles. */
  const names = new Map<number, string>();
  let result: BenchResult;
  try {
    log('bundling the workflows ...');
    // Every mode encrypts payloads as the stack does, with the keys the stack makes in its data directory.
    const payloadKeysFile = ensureDevKeys(dataDir).payloadKeysFile;
    const payloadKeys = loadPayloadKeys({ PAYLOAD_KEYS_FILE: payloadKeysFile });
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: quiet,
      ...bundleConverterPaths(payloadKeys),
    });
    const bundlePath = path.join(scratch, 'workflow-bundle.js');
    writeFileSync(bundlePath, bundle.code);

    const perMode = settings.count + settings.warmup;
    await prepareInventory(dataDir, perMode * settings.modes.length + 100);
    log('starting the stack ...');
    if (settings.profileDir) mkdirSync(settings.profileDir, { recursive: true });
    stack = await startStack({
      dataDir,
      env: {
        ...settings.stackEnv,
        ...settings.workerEnv,
        // The load generator is one API key placing every order; the API's per-key limit would throttle it.
        RATE_LIMIT_PER_MINUTE: '10000000',
        SERVICE_TOKEN,
        ...(settings.profileDir
          ? {
              NODE_OPTIONS: `--import ${path.join(__dirname, 'cpu-profile.mjs')}`,
              BENCH_CPU_PROFILE_DIR: path.join(settings.profileDir, 'stack'),
            }
          : {}),
      },
    });
    connection = await Connection.connect({ address: stack.urls.temporal });
    const client = new Client({ connection, dataConverter: dataConverterFor(payloadKeys) });
    const stackPids = {
      temporal: stack.pidOf('temporal'),
      api: stack.pidOf('api'),
      inventory: stack.pidOf('inventory'),
      payment: stack.pidOf('payment'),
      order: stack.pidOf('order'),
      bench: process.pid,
    };
    for (const [name, pid] of Object.entries({ ...stackPids, stack: stack.child.pid, worker: stack.pidOf('worker') })) {
      if (pid !== undefined) names.set(pid, name);
    }

    // Rounds interleave the modes (bare, quiet, ..., then again), so a change in the machine's background load
    // hits every mode alike; each mode's results pool its rounds, and the ratios are also taken round by round.
    const perRound = Math.ceil(settings.count / settings.rounds);
    const pooled = new Map<Mode, Pool>();
    const roundResults: Partial<Record<Mode, ModeResult>>[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const results: Partial<Record<Mode, ModeResult>> = {};
      roundResults.push(results);
      for (const mode of settings.modes) {
        if (round === 1) log(`${mode}: ${MODE_DESCRIPTIONS[mode]}`);
        const taskQueue = `bench-${mode}-${runId}-r${round}`;
        let worker: BenchWorker | undefined;
        let workerPid: number | undefined;
        if (mode === 'api') {
          workerPid = stack.pidOf('worker');
        } else {
          worker = await startBenchWorker({
            ...process.env,
            ...settings.stackEnv,
            ...settings.workerEnv,
            BENCH_MODE: mode,
            BENCH_WORKFLOW_BUNDLE: bundlePath,
            PAYLOAD_KEYS_FILE: payloadKeysFile,
            TEMPORAL_ADDRESS: stack.urls.temporal,
            TASK_QUEUE: taskQueue,
            SERVICE_TOKEN,
            INVENTORY_URL: stack.urls.inventory,
            PAYMENT_URL: stack.urls.payment,
            ORDER_URL: stack.urls.order,
            ...(settings.profileDir
              ? { BENCH_CPU_PROF_DIR: path.join(settings.profileDir, `bench-worker-${mode}-r${round}`) }
              : {}),
          });
          workerPid = worker.child.pid;
          if (workerPid !== undefined) names.set(workerPid, `bench worker (${mode}, round ${round})`);
        }
        try {
          const runner = (phase: string): SagaRunner =>
            mode === 'api'
              ? apiRunner({
                  apiUrl: stack!.urls.api,
                  apiKey: 'sk_demo_client',
                  tenant: 'demo',
                  idPrefix: `bench-${mode}-${runId}-r${round}-${phase}`,
                  readAfterMs: settings.readAfterMs,
                  waitSeconds: API_WAIT_SECONDS,
                })
              : directRunner({
                  client,
                  workflowType:
                    mode === 'bare' ? 'bareOrder' : mode === 'quiet' ? 'orderFulfillmentQuiet' : 'orderFulfillment',
                  taskQueue,
                  idPrefix: `bench-${mode}-${runId}-r${round}-${phase}`,
                  input: { publishMode: mode === 'steps' ? 'every-step' : 'on-status-change' },
                });
          // Every worker start warms up (JIT, sticky cache, connections) before it is measured.
          if (settings.warmup > 0) {
            const warm = await runLoad({
              count: settings.warmup,
              concurrency: settings.concurrency,
              deadline: performance.now() + 120_000,
              saga: runner('warmup'),
            });
            const bad = warm.samples.filter((s) => !s.ok);
            if (bad.length)
              throw new Error(`${mode}: ${bad.length} warm-up sagas failed: ${bad[0]!.error ?? bad[0]!.status}`);
          }
          worker?.send('reset');
          const before = loadAverage();
          const sampler = sampleUsage({ ...stackPids, worker: workerPid });
          const load = await runLoad({
            count: perRound,
            concurrency: settings.concurrency,
            deadline: performance.now() + settings.modeBudgetSeconds * 1000,
            saga: runner('run'),
          });
          const usage = sampler.stop();
          const http = mode === 'saga' ? await worker!.request('stats') : undefined;
          const closed = mode === 'api' ? await closeLatencies(client, load.samples) : undefined;
          const loadAvg = { before, after: loadAverage() };
          const m = summarizeMode(mode, perRound, load, usage, loadAvg, http, closed);
          results[mode] = m;
          pool(pooled, mode, { load, usage, loadAverage: loadAvg, http, closed });
          log(
            `${mode} (round ${round}/${settings.rounds}): ${m.sagas.completed}/${perRound} in ${m.wallSeconds} s, ` +
              `${m.sagasPerSecond} sagas/s, p50 ${m.latencyMs.p50} p99 ${m.latencyMs.p99} ms, ` +
              `worker ${m.worker.cpuPercent}% CPU, all processes ${m.cpuMsPerSaga.total} ms CPU/saga, ` +
              `machine busy ${usage.machineBusyPercent}%, load ${loadAvg.after[0]}`,
          );
        } finally {
          await worker?.stop();
        }
      }
    }

    const modes: BenchResult['modes'] = {};
    for (const [mode, p] of pooled) {
      modes[mode] = summarizeMode(
        mode,
        perRound * settings.rounds,
        p.load,
        mergeUsage(p.usages),
        p.loadAverage,
        p.http,
        p.closed,
      );
      modes[mode]!.rounds = roundResults.flatMap((results) => {
        const r = results[mode];
        return r
          ? [
              {
                sagasPerSecond: r.sagasPerSecond,
                p50: r.latencyMs.p50,
                p99: r.latencyMs.p99,
                loadAverage: r.loadAverage.after[0]!,
              },
            ]
          : [];
      });
    }
    const ratios: BenchResult['ratios'] = {};
    const bare = modes.bare;
    if (bare) {
      for (const mode of ['quiet', 'engine', 'steps', 'saga', 'api'] as const) {
        const m = modes[mode];
        if (!m) continue;
        const paired = (pick: (r: ModeResult) => number) =>
          median(
            roundResults.flatMap((results) => {
              const value = results[mode] && results.bare ? ratio(pick(results[mode]), pick(results.bare)) : null;
              return value === null ? [] : [value];
            }),
          );
        ratios[mode] = {
          throughput: ratio(m.sagasPerSecond, bare.sagasPerSecond),
          p99: ratio(m.latencyMs.p99, bare.latencyMs.p99),
          throughputRoundMedian: paired((r) => r.sagasPerSecond),
          p99RoundMedian: paired((r) => r.latencyMs.p99),
          cpu: ratio(bare.cpuMsPerSaga.total, m.cpuMsPerSaga.total),
          cpuRoundMedian: paired((r) => 1 / r.cpuMsPerSaga.total),
          throughputCi95: bootstrapCi95(
            roundResults.flatMap((results) => {
              const [a, b] = [results[mode], results.bare];
              return a && b ? [{ mode: a, bare: b }] : [];
            }),
            (sample) => pooledThroughput(sample.map((s) => s.mode)) / pooledThroughput(sample.map((s) => s.bare)),
          ),
        };
      }
    }
    const config = loadWorkerConfig({ ...settings.workerEnv, SERVICE_TOKEN });
    result = {
      benchmark: 'sagaflow',
      startedAt,
      durationSeconds: 0,
      machine: {
        cores: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? 'unknown',
        memoryGb: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
      },
      settings: {
        count: settings.count,
        rounds: settings.rounds,
        concurrency: settings.concurrency,
        warmup: settings.warmup,
        modeBudgetSeconds: settings.modeBudgetSeconds,
        readAfterMs: settings.readAfterMs,
        workerEnv: settings.workerEnv,
        worker: {
          WORKFLOW_TASK_CONCURRENCY: config.WORKFLOW_TASK_CONCURRENCY,
          INVENTORY_ACTIVITY_CONCURRENCY: config.INVENTORY_ACTIVITY_CONCURRENCY,
          PAYMENT_ACTIVITY_CONCURRENCY: config.PAYMENT_ACTIVITY_CONCURRENCY,
          ORDER_ACTIVITY_CONCURRENCY: config.ORDER_ACTIVITY_CONCURRENCY,
        },
      },
      modes,
      ratios,
    };
  } finally {
    await connection?.close();
    if (stack) {
      const code = await stack.stop();
      if (code !== 0) log(`the stack stopped with code ${code}:\n${tail(stack.output())}`);
    }
    if (settings.profileDir) {
      for (const file of readdirSync(settings.profileDir, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.cpuprofile')) continue;
        const summary = summarizeProfile(path.join(settings.profileDir, file), 12);
        summary.process = summary.pid === undefined ? undefined : names.get(summary.pid);
        profiles.push(summary);
      }
    }
    rmSync(scratch, { recursive: true, force: true });
    log(`done in ${round((performance.now() - started) / 1000)} s`);
  }
  result.durationSeconds = round((performance.now() - started) / 1000);
  if (settings.profileDir) result.profiles = profiles;
  return result;
}
