// How long the Temporal dev server takes to dispatch a task, per configuration of `temporal server start-dev`.
//
// For each round, database and configuration: starts the dev server on a free loopback port (headless), a worker
// in this process (bench/workflows/dispatch.ts: N no-op activities in sequence), runs warm-up workflows and then
// measured ones one at a time, and reads from their histories the mean gap between each workflow and activity
// task's SCHEDULED and STARTED events. Optionally samples the server's idle CPU afterwards. Prints JSON on stdout
// (progress on stderr) and stops every process it started.
//
//   npx tsx bench/dispatch-latency.ts                                  default vs tuned (lib/dev-server.ts)
//   npx tsx bench/dispatch-latency.ts --configs default,tuned --db file,memory --rounds 3 --runs 30 --idle-seconds 20
//   npx tsx bench/dispatch-latency.ts --config 'timer history.timerProcessorMaxPollRPS=1000'
//
// Options:
//   --configs a,b      named configurations, in order; the first is the baseline of the ratios (DISPATCH_CONFIGS)
//   --config 'name k=v --flag=v ...'   one more configuration: k=v becomes --dynamic-config-value k=v, --... is
//                      passed as is (repeatable); DISPATCH_EXTRA_ARGS='...' adds one named "custom" the same way
//   --db file,memory   file: SQLite file with WAL and synchronous=normal (as scripts/stack/main.ts runs it);
//                      file-nowal: SQLite file with SQLite's defaults; memory: the in-memory default
//   --rounds 3         repeats of the whole matrix, interleaved, for the spread
//   --runs 30 --warmup 5 --activities 8
//   --timers 0 --timer-ms 1000   also N durable timers per workflow after the activities (the timer queue's lag)
//   --settle-seconds 15  after the last workflow, until its 10 s timeout timers have fired (in the CPU per workflow)
//   --idle-seconds 0   if > 0, then the server's CPU while idle (worker polling, no workflows) over that many seconds
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { WorkflowBundle } from '@temporalio/worker';
import { DEV_SERVER_TUNING_ARGS } from '../lib/dev-server';
import { localToolPath } from '../lib/temporal-tools';
import { freePort } from '../scripts/stack/launch';
import { cpuSeconds } from './lib/proc';
import { percentile, ratio, round } from './lib/stats';
import type { DispatchActivities } from './workflows/dispatch';

const dc = (key: string, value: string | number) => ['--dynamic-config-value', `${key}=${value}`];

/** Named configurations: extra `start-dev` arguments. */
const PRESETS: Record<string, readonly string[]> = {
  default: [],
  tuned: DEV_SERVER_TUNING_ARGS,
  transfer: dc('history.transferProcessorMaxPollRPS', 1000),
  timer: dc('history.timerProcessorMaxPollRPS', 1000),
  visibility: dc('history.visibilityProcessorMaxPollRPS', 1000),
  'time-shift': dc('history.timerProcessorMaxTimeShift', '"10ms"'),
  'sa-cache': dc('system.forceSearchAttributesCacheRefreshOnRead', 'false'),
  partitions: [...dc('matching.numTaskqueueReadPartitions', 1), ...dc('matching.numTaskqueueWritePartitions', 1)],
  'all-queues': [
    ...dc('history.transferProcessorMaxPollRPS', 1000),
    ...dc('history.timerProcessorMaxPollRPS', 1000),
    ...dc('history.visibilityProcessorMaxPollRPS', 1000),
    ...dc('history.outboundProcessorMaxPollRPS', 1000),
  ],
};

const DB_MODES = ['file', 'file-nowal', 'memory'] as const;
type DbMode = (typeof DB_MODES)[number];
/** As scripts/stack/main.ts runs the dev server on its SQLite file. */
const WAL_PRAGMAS = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];

interface Options {
  configs: { name: string; args: readonly string[] }[];
  dbs: DbMode[];
  rounds: number;
  runs: number;
  warmup: number;
  activities: number;
  timers: number;
  timerMs: number;
  idleSeconds: number;
  settleSeconds: number;
}

function parseConfigSpec(spec: string, name?: string): { name: string; args: string[] } {
  const tokens = spec.trim().split(/\s+/).filter(Boolean);
  const configName = name ?? tokens.shift();
  if (!configName) throw new Error(`empty configuration: '${spec}'`);
  const args = tokens.flatMap((token) => {
    if (token.startsWith('--')) return [token];
    if (!token.includes('=')) throw new Error(`configuration ${configName}: expected key=value, got '${token}'`);
    return ['--dynamic-config-value', token];
  });
  return { name: configName, args };
}

function parseOptions(argv: string[]): Options {
  const values = new Map<string, string>();
  const extra: { name: string; args: string[] }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [key, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = inline ?? argv[++i];
    if (!key?.startsWith('--') || value === undefined) throw new Error(`bad argument: ${arg} (see the header)`);
    if (key === '--config') extra.push(parseConfigSpec(value));
    else values.set(key.slice(2), value);
  }
  const known = [
    'configs',
    'db',
    'rounds',
    'runs',
    'warmup',
    'activities',
    'timers',
    'timer-ms',
    'idle-seconds',
    'settle-seconds',
  ];
  for (const key of values.keys()) if (!known.includes(key)) throw new Error(`unknown option --${key}`);
  const int = (key: string, fallback: number, min: number, max: number) => {
    const value = Number(values.get(key) ?? fallback);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${key}: ${min}..${max}`);
    return value;
  };
  const names = (values.get('configs') ?? process.env.DISPATCH_CONFIGS ?? (extra.length ? '' : 'default,tuned'))
    .split(',')
    .filter(Boolean);
  const configs = names.map((name) => {
    const args = PRESETS[name];
    if (!args) throw new Error(`unknown configuration ${name}; known: ${Object.keys(PRESETS).join(', ')}`);
    return { name, args };
  });
  if (process.env.DISPATCH_EXTRA_ARGS) configs.push(parseConfigSpec(process.env.DISPATCH_EXTRA_ARGS, 'custom'));
  configs.push(...extra);
  if (configs.length === 0) throw new Error('no configuration to run');
  const dbs = (values.get('db') ?? 'file,memory').split(',').map((db) => {
    if (!(DB_MODES as readonly string[]).includes(db)) throw new Error(`--db: one of ${DB_MODES.join(', ')}`);
    return db as DbMode;
  });
  return {
    configs,
    dbs,
    rounds: int('rounds', 3, 1, 20),
    runs: int('runs', 30, 1, 500),
    warmup: int('warmup', 5, 0, 100),
    activities: int('activities', 8, 0, 100),
    timers: int('timers', 0, 0, 100),
    timerMs: int('timer-ms', 1000, 1, 60_000),
    idleSeconds: int('idle-seconds', 0, 0, 300),
    settleSeconds: int('settle-seconds', 15, 0, 300),
  };
}

// --- processes: every dev server this script starts, stopped on every way out ---

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  running.delete(child);
}

process.on('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping\n`);
    process.exit(130);
  });
}

interface Server {
  child: ChildProcess;
  address: string;
  startupMs: number;
  stop(): Promise<void>;
}

async function startServer(binary: string, db: DbMode, extraArgs: readonly string[]): Promise<Server> {
  const dir = db === 'memory' ? undefined : mkdtempSync(path.join(os.tmpdir(), 'dispatch-latency-'));
  if (dir) tempDirs.add(dir);
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const args = [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--log-level',
    'error',
    ...(dir ? ['--db-filename', path.join(dir, 'temporal.db')] : []),
    ...(db === 'file' ? WAL_PRAGMAS : []),
    ...extraArgs,
  ];
  const started = performance.now();
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const stop = async () => {
    await stopServer(child);
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (dir) tempDirs.delete(dir);
  };
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dev server exited (${child.exitCode}): ${stderr}`);
      if (performance.now() - started > 60_000) throw new Error(`dev server not ready after 60 s: ${stderr}`);
      try {
        const connection = await Connection.connect({ address, connectTimeout: 1_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          break;
        } finally {
          await connection.close();
        }
      } catch {
        await sleep(100);
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, address, startupMs: performance.now() - started, stop };
}

// --- one measurement ---

const EventType = temporal.api.enums.v1.EventType;

interface Gaps {
  /** SCHEDULED→STARTED of workflow tasks and activity tasks: the server's dispatch. */
  workflowTask: number[];
  activityTask: number[];
  /** STARTED→COMPLETED of workflow tasks and activity tasks: the worker's share, with its RPCs. */
  workflowTaskRun: number[];
  activityTaskRun: number[];
  /** TIMER_STARTED→TIMER_FIRED beyond the timer's duration. */
  timerLate: number[];
}

const emptyGaps = (): Gaps => ({
  workflowTask: [],
  activityTask: [],
  workflowTaskRun: [],
  activityTaskRun: [],
  timerLate: [],
});

/** The gaps of one history, added to `gaps`. */
function addGaps(gaps: Gaps, events: temporal.api.history.v1.IHistoryEvent[]): void {
  const at = new Map<number, number>();
  const timerMs = new Map<string, number>();
  const since = (eventId: unknown, time: number) => {
    const earlier = at.get(Number(eventId));
    return earlier === undefined ? [] : [time - earlier];
  };
  for (const event of events) {
    const time = tsToMs(event.eventTime);
    at.set(Number(event.eventId), time);
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        gaps.workflowTask.push(...since(event.workflowTaskStartedEventAttributes?.scheduledEventId, time));
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        gaps.workflowTaskRun.push(...since(event.workflowTaskCompletedEventAttributes?.startedEventId, time));
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        gaps.activityTask.push(...since(event.activityTaskStartedEventAttributes?.scheduledEventId, time));
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        gaps.activityTaskRun.push(...since(event.activityTaskCompletedEventAttributes?.startedEventId, time));
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED: {
        const attributes = event.timerStartedEventAttributes;
        timerMs.set(attributes?.timerId ?? '', tsToMs(attributes?.startToFireTimeout));
        break;
      }
      case EventType.EVENT_TYPE_TIMER_FIRED: {
        const attributes = event.timerFiredEventAttributes;
        const late = since(attributes?.startedEventId, time).map(
          (ms) => ms - (timerMs.get(attributes?.timerId ?? '') ?? 0),
        );
        gaps.timerLate.push(...late);
        break;
      }
    }
  }
}

const mean = (values: readonly number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

interface RoundResult {
  /** Workflow latency, start to result, seen by the client. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Mean SCHEDULED→STARTED gap of the workflow tasks / activity tasks of the measured workflows. */
  workflowTaskGapMs: number;
  activityTaskGapMs: number;
  /** Mean STARTED→COMPLETED of the workflow tasks / activity tasks (the worker and its RPCs). */
  workflowTaskRunMs: number;
  activityTaskRunMs: number;
  /** Mean delay of a timer's TIMER_FIRED beyond its due time (with --timers). */
  timerLateMs?: number;
  /** From the last workflow's result until visibility lists every workflow of the round as completed. */
  visibilityLagMs: number;
  /** Dev server CPU time per measured workflow: from the first until --settle-seconds after the last. */
  serverCpuMsPerWorkflow: number;
  /** Dev server CPU while idle, % of one core (with --idle-seconds). */
  idleCpuPercent?: number;
  startupMs: number;
}

async function measure(
  binary: string,
  bundle: WorkflowBundle,
  db: DbMode,
  args: readonly string[],
  options: Options,
): Promise<RoundResult> {
  const server = await startServer(binary, db, args);
  const pid = server.child.pid!;
  const taskQueue = 'dispatch-latency';
  const activities: DispatchActivities = { noop: async () => undefined };
  let connection: NativeConnection | undefined;
  let client: Client | undefined;
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  try {
    connection = await NativeConnection.connect({ address: server.address });
    worker = await Worker.create({ connection, taskQueue, workflowBundle: bundle, activities });
    workerRun = worker.run();
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const run = async (workflowId: string) => {
      const started = performance.now();
      await client!.workflow.execute('dispatchProbe', {
        taskQueue,
        workflowId,
        args: [{ activities: options.activities, timers: options.timers, timerMs: options.timerMs }],
      });
      return performance.now() - started;
    };
    for (let i = 0; i < options.warmup; i++) await run(`warmup-${i}`);
    const cpuBefore = cpuSeconds(pid) ?? 0;
    const latencies: number[] = [];
    for (let i = 0; i < options.runs; i++) latencies.push(await run(`probe-${i}`));
    const lastResultAt = performance.now();
    const total = options.warmup + options.runs;
    for (;;) {
      const { count } = await client.workflowService.countWorkflowExecutions({
        namespace: 'default',
        query: `ExecutionStatus = "Completed"`,
      });
      if (Number(count) >= total) break;
      if (performance.now() - lastResultAt > 30_000) throw new Error(`visibility shows ${count}/${total} completed`);
      await sleep(10);
    }
    const visibilityLagMs = performance.now() - lastResultAt;
    // Every activity and workflow task leaves a start-to-close timeout timer (10 s) that the timer queue fires, and
    // finds moot, after the workflow is done: that is part of a workflow's cost, and it would muddy the idle figure.
    await sleep(Math.max(0, lastResultAt + options.settleSeconds * 1000 - performance.now()));
    const cpuAfter = cpuSeconds(pid) ?? 0;
    const gaps = emptyGaps();
    for (let i = 0; i < options.runs; i++) {
      const history = await client.workflow.getHandle(`probe-${i}`).fetchHistory();
      addGaps(gaps, history.events ?? []);
    }
    let idleCpuPercent: number | undefined;
    if (options.idleSeconds > 0) {
      await sleep(1_000); // after the history reads
      const idleStart = cpuSeconds(pid) ?? 0;
      const wallStart = performance.now();
      await sleep(options.idleSeconds * 1000);
      const idleCpu = (cpuSeconds(pid) ?? 0) - idleStart;
      idleCpuPercent = round((idleCpu / ((performance.now() - wallStart) / 1000)) * 100, 2);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      meanMs: round(mean(latencies)),
      workflowTaskGapMs: round(mean(gaps.workflowTask)),
      activityTaskGapMs: round(mean(gaps.activityTask)),
      workflowTaskRunMs: round(mean(gaps.workflowTaskRun)),
      activityTaskRunMs: round(mean(gaps.activityTaskRun)),
      ...(options.timers > 0 ? { timerLateMs: round(mean(gaps.timerLate)) } : {}),
      visibilityLagMs: round(visibilityLagMs),
      serverCpuMsPerWorkflow: round(((cpuAfter - cpuBefore) * 1000) / options.runs),
      ...(idleCpuPercent === undefined ? {} : { idleCpuPercent }),
      startupMs: round(server.startupMs, 0),
    };
  } finally {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await workerRun?.catch(() => undefined);
    await client?.connection.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await server.stop();
  }
}

// --- the matrix ---

type Metric = Exclude<keyof RoundResult, 'startupMs'>;
const METRICS: Metric[] = [
  'p50Ms',
  'p99Ms',
  'meanMs',
  'workflowTaskGapMs',
  'activityTaskGapMs',
  'workflowTaskRunMs',
  'activityTaskRunMs',
  'timerLateMs',
  'visibilityLagMs',
  'serverCpuMsPerWorkflow',
  'idleCpuPercent',
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const binary = localToolPath('temporal');
  if (!binary) throw new Error('Temporal CLI not found: run scripts/setup (or set TEMPORAL_CLI_PATH)');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./workflows/dispatch'),
    logger: new DefaultLogger('ERROR'),
  });

  const rounds = new Map<string, RoundResult[]>();
  const key = (db: DbMode, config: string) => `${db}/${config}`;
  for (let r = 1; r <= options.rounds; r++) {
    for (const db of options.dbs) {
      for (const config of options.configs) {
        const result = await measure(binary, bundle, db, config.args, options);
        process.stderr.write(`round ${r} ${key(db, config.name)}: ${JSON.stringify(result)}\n`);
        rounds.set(key(db, config.name), [...(rounds.get(key(db, config.name)) ?? []), result]);
      }
    }
  }

  const results = options.dbs.flatMap((db) =>
    options.configs.map((config) => {
      const list = rounds.get(key(db, config.name)) ?? [];
      const stats = Object.fromEntries(
        METRICS.flatMap((metric) => {
          const values = list.map((result) => result[metric]).filter((value) => value !== undefined);
          if (values.length === 0) return [];
          return [
            [
              metric,
              { median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)) },
            ],
          ];
        }),
      ) as Partial<Record<Metric, { median: number; min: number; max: number }>>;
      return { db, config: config.name, args: config.args, stats, rounds: list };
    }),
  );
  const baseline = options.configs[0]!.name;
  const ratios = results
    .filter((result) => result.config !== baseline)
    .map((result) => {
      const base = results.find((other) => other.db === result.db && other.config === baseline)!;
      const of = (metric: Metric) => ratio(result.stats[metric]?.median ?? 0, base.stats[metric]?.median ?? 0);
      return {
        db: result.db,
        config: result.config,
        vs: baseline,
        p50: of('p50Ms'),
        p99: of('p99Ms'),
        workflowTaskGap: of('workflowTaskGapMs'),
        activityTaskGap: of('activityTaskGapMs'),
        serverCpuPerWorkflow: of('serverCpuMsPerWorkflow'),
      };
    });
  const output = {
    bench: 'dispatch-latency',
    settings: {
      rounds: options.rounds,
      runs: options.runs,
      warmup: options.warmup,
      activities: options.activities,
      timers: options.timers,
      timerMs: options.timerMs,
      idleSeconds: options.idleSeconds,
      settleSeconds: options.settleSeconds,
      concurrency: 1,
      cores: os.cpus().length,
    },
    results,
    ratios,
  };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
