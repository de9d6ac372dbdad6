import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { API_CLIENT, startBenchStack } from './bench-stack';
import type { BenchStack } from './bench-stack';
import { loadWorkerConfig } from '../../workers/config';
import { temporalTls } from '../../lib/temporal-tls';
import { bundleConverterPaths, dataConverterFor } from '../../lib/codec/data-converter';
import { ensureDevKeys } from '../../lib/codec/dev-keys';
import { loadPayloadKeys } from '../../lib/codec/payload-keys';
import { summarizeProfile } from '../profile';
import type { ProfileSummary } from '../profile';
import { apiRunner } from './api-runner';
import { callsServices, directStart, startsEagerly } from './direct-modes';
import { closeLatencies, directRunner, runLoad } from './load';
import type { SagaRunner } from './load';
import { slowestSaga } from './slowest';
import { historyCost, poolHistoryCosts } from './history-cost';
import { sampleUsage } from './proc';
import { roundOrder } from './rounds';
import { bootstrapCi95, ratio, round } from './stats';
import { API_WAIT_SECONDS, SERVICE_TOKEN, quiet, startBenchWorker, tail } from './bench-worker';
import type { BenchWorker } from './bench-worker';
import {
  EAGER_START_OF,
  ENGINE_BASELINE_OF,
  HAND_WRITTEN_OF,
  LOCAL_MODE_OF,
  MODES,
  MODE_DESCRIPTIONS,
  pooledThroughput,
} from './results';
import type { BenchResult, BenchSettings, Mode, ModeResult } from './results';
import { loadAverage, median, mergeUsage, pool, summarizeMode } from './summary';
import type { Pool } from './summary';
import { workflowBundlerOptions } from '../../lib/workflow-bundle';

export { MODE_DESCRIPTIONS, WORKER_SETTING_VARS } from './results';
export { MODES };
export type { BenchResult, BenchSettings, Mode, ModeResult } from './results';

/** Completed sagas per mode and round whose histories are read for `ModeResult.history`. */
const HISTORIES_PER_ROUND = 3;

export async function runBench(settings: BenchSettings): Promise<BenchResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const runId = randomBytes(3).toString('hex');
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'sagaflow-bench-'));
  const dataDir = path.join(scratch, 'data');
  mkdirSync(dataDir);
  const log = settings.log;
  let stack: BenchStack | undefined;
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
    const workflowsPath = require.resolve('../workflows');
    const bundle = await bundleWorkflowCode({
      workflowsPath,
      logger: quiet,
      ...bundleConverterPaths(payloadKeys),
      ...workflowBundlerOptions(workflowsPath),
    });
    const bundlePath = path.join(scratch, 'workflow-bundle.js');
    writeFileSync(bundlePath, bundle.code);

    const perMode = settings.count + settings.warmup;
    log(
      `starting the stack (${settings.target === 'cluster' ? 'the production cluster' : 'the embedded default'}) ...`,
    );
    if (settings.profileDir) mkdirSync(settings.profileDir, { recursive: true });
    stack = await startBenchStack({
      target: settings.target,
      dir: dataDir,
      stock: perMode * settings.modes.length + 100,
      env: {
        ...settings.stackEnv,
        ...settings.workerEnv,
        // The load generator is one API key placing every order; the API's per-key limit would throttle it.
        RATE_LIMIT_PER_MINUTE: '10000000',
        ...(settings.profileDir
          ? {
              NODE_OPTIONS: `--import ${path.join(__dirname, 'cpu-profile.mjs')}`,
              BENCH_CPU_PROFILE_DIR: path.join(settings.profileDir, 'stack'),
            }
          : {}),
      },
    });
    connection = await Connection.connect({ address: stack.temporalAddress, tls: temporalTls(stack.temporalTlsEnv) });
    const client = new Client({ connection, dataConverter: dataConverterFor(payloadKeys) });
    const stackPids = { ...stack.pids(), bench: process.pid };
    for (const [name, pid] of Object.entries({ ...stackPids, ...stack.workerPids() })) {
      if (pid !== undefined) names.set(pid, name);
    }

    // Rounds interleave the modes (bare, quiet, ..., then again, one place further on: roundOrder), so a change in
    // the machine's background load hits every mode alike; each mode's results pool its rounds, and the ratios are
    // also taken round by round.
    const perRound = Math.ceil(settings.count / settings.rounds);
    const pooled = new Map<Mode, Pool>();
    const roundResults: Partial<Record<Mode, ModeResult>>[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const results: Partial<Record<Mode, ModeResult>> = {};
      roundResults.push(results);
      for (const mode of roundOrder(settings.modes, round)) {
        if (round === 1) log(`${mode}: ${MODE_DESCRIPTIONS[mode]}`);
        const taskQueue = `bench-${mode}-${runId}-r${round}`;
        let worker: BenchWorker | undefined;
        let workerPid: number | undefined;
        let stackWorkers: Record<string, number | undefined> = {};
        if (mode === 'api') {
          stackWorkers = stack.workerPids();
          workerPid = stackWorkers.worker;
        } else {
          worker = await startBenchWorker({
            ...process.env,
            ...settings.stackEnv,
            ...settings.workerEnv,
            BENCH_MODE: mode,
            BENCH_WORKFLOW_BUNDLE: bundlePath,
            PAYLOAD_KEYS_FILE: payloadKeysFile,
            TEMPORAL_ADDRESS: stack.temporalAddress,
            ...stack.temporalTlsEnv,
            TASK_QUEUE: taskQueue,
            ...stack.workerServiceEnv,
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
                  apiUrl: stack!.apiUrl,
                  apiKey: API_CLIENT.key,
                  tenant: API_CLIENT.tenant,
                  idPrefix: `bench-${mode}-${runId}-r${round}-${phase}`,
                  readAfterMs: settings.readAfterMs,
                  waitSeconds: API_WAIT_SECONDS,
                  client,
                })
              : startsEagerly(mode)
                ? worker!.runner(`bench-${mode}-${runId}-r${round}-${phase}`)
                : directRunner({
                    client,
                    taskQueue,
                    idPrefix: `bench-${mode}-${runId}-r${round}-${phase}`,
                    ...directStart(mode),
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
          const sampler = sampleUsage({ ...stackPids, ...stackWorkers, worker: workerPid }, 250, stack.trees);
          const load = await runLoad({
            count: perRound,
            concurrency: settings.concurrency,
            deadline: performance.now() + settings.modeBudgetSeconds * 1000,
            saga: runner('run'),
          });
          const usage = sampler.stop();
          const http = callsServices(mode) ? await worker!.request('stats') : undefined;
          const closed = mode === 'api' ? await closeLatencies(client, load.samples) : undefined;
          const loadAvg = { before, after: loadAverage() };
          const m = summarizeMode(mode, perRound, load, usage, loadAvg, http, closed);
          const sampledIds = load.samples
            .flatMap((s) => (s.ok && s.orderId ? [s.orderId] : []))
            .slice(0, HISTORIES_PER_ROUND);
          m.history = await historyCost(client, sampledIds);
          m.slowest = await slowestSaga(client, load.samples);
          if (m.slowest && m.slowest.serverMs !== undefined && m.slowest.clientMs - m.slowest.serverMs > 1_000) {
            log(
              `${mode}: the slowest saga's client waited ${m.slowest.clientMs} ms, its workflow ran ${m.slowest.serverMs} ms`,
            );
          }
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
      modes[mode]!.history = poolHistoryCosts(roundResults.map((results) => results[mode]?.history));
      modes[mode]!.rounds = roundResults.flatMap((results, i) => {
        const r = results[mode];
        return r
          ? [
              {
                sagasPerSecond: r.sagasPerSecond,
                p50: r.latencyMs.p50,
                p99: r.latencyMs.p99,
                loadAverage: r.loadAverage.after[0]!,
                position: roundOrder(settings.modes, i + 1).indexOf(mode) + 1,
                ...(r.slowest ? { slowest: r.slowest } : {}),
              },
            ]
          : [];
      });
    }
    const ratios: BenchResult['ratios'] = {};
    const bare = modes.bare;
    if (bare) {
      for (const mode of MODES.filter((m): m is Exclude<Mode, 'bare'> => m !== 'bare')) {
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
    // A run without `bare` still compares its local and engine modes with theirs.
    type Ratios = NonNullable<BenchResult['ratios'][Exclude<Mode, 'bare'>]>;
    const withoutBare = (): Ratios => ({
      throughput: null,
      p99: null,
      throughputRoundMedian: null,
      p99RoundMedian: null,
      cpu: null,
      cpuRoundMedian: null,
      throughputCi95: null,
    });
    /** A mode against another of the same run: throughput and CPU (other ÷ mode), p50 (mode ÷ other). */
    const against = (mode: Mode, other: Mode) => {
      const [a, b] = [modes[mode], modes[other]];
      if (!a || !b) return undefined;
      return {
        mode: other,
        throughput: ratio(a.sagasPerSecond, b.sagasPerSecond),
        cpu: ratio(b.cpuMsPerSaga.total, a.cpuMsPerSaga.total),
        p50: ratio(a.latencyMs.p50, b.latencyMs.p50),
      };
    };
    // Each comparison of a mode with another mode of the same run, and where its ratios go.
    const comparisons = [
      ['vsRemote', LOCAL_MODE_OF],
      ['vsBaseline', ENGINE_BASELINE_OF],
      ['vsHandWritten', HAND_WRITTEN_OF],
      ['vsLazyStart', EAGER_START_OF],
    ] as const;
    for (const [key, others] of comparisons) {
      for (const [mode, other] of Object.entries(others) as [Mode, Mode][]) {
        const compared = against(mode, other);
        if (compared) (ratios[mode as Exclude<Mode, 'bare'>] ??= withoutBare())[key] = compared;
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
          WORKFLOW_TASK_POLLERS: config.WORKFLOW_TASK_POLLERS,
          INVENTORY_ACTIVITY_CONCURRENCY: config.INVENTORY_ACTIVITY_CONCURRENCY,
          PAYMENT_ACTIVITY_CONCURRENCY: config.PAYMENT_ACTIVITY_CONCURRENCY,
          ORDER_ACTIVITY_CONCURRENCY: config.ORDER_ACTIVITY_CONCURRENCY,
        },
        apiStepExecution: settings.stackEnv?.SAGA_STEP_EXECUTION ?? 'local',
        target: settings.target,
      },
      modes,
      ratios,
    };
  } finally {
    await connection?.close();
    if (stack) {
      const stopping = stack;
      await stopping.stop().catch((error: unknown) => log(`${String(error)}:\n${tail(stopping.output())}`));
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
