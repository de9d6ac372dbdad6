import os from 'node:os';
import type { HttpTimings } from '../worker';
import type { LoadResult, SagaSample } from './load';
import type { UsageReport } from './proc';
import { ratio, round, summarize } from './stats';
import { MODE_DESCRIPTIONS, cpuPerSaga } from './results';
import type { Mode, ModeResult } from './results';

// Turns the measurements of each round into a mode's result: pooled samples, CPU per saga, percentiles.

export function counts(values: string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const value of values) result[value] = (result[value] ?? 0) + 1;
  return result;
}

export function summarizeMode(
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
  if (load.samples.some((s) => s.eagerlyStarted !== undefined)) {
    result.eagerlyStarted = load.samples.filter((s) => s.eagerlyStarted).length;
  }
  if (mode === 'api') {
    const polls = load.samples.reduce((sum, s) => sum + (s.eventPolls ?? 0), 0);
    result.api = {
      postMs: summarize(load.samples.flatMap((s) => (s.postMs === undefined ? [] : [s.postMs]))),
      getMs: summarize(load.samples.flatMap((s) => s.getMs ?? [])),
      getStatuses: counts(load.samples.flatMap((s) => (s.getStatus === undefined ? [] : [String(s.getStatus)]))),
      temporalDescribeMs: probe(load, 'describe'),
      temporalSystemInfoMs: probe(load, 'systemInfo'),
      apiHealthMs: probe(load, 'apiHealth'),
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

export interface Pool {
  load: LoadResult;
  usages: UsageReport[];
  loadAverage: ModeResult['loadAverage'];
  http?: HttpTimings;
  closed?: number[];
}

export interface Measured {
  load: LoadResult;
  usage: UsageReport;
  loadAverage: ModeResult['loadAverage'];
  http: HttpTimings | undefined;
  closed: number[] | undefined;
}

/** Adds one round's measurement of a mode to its pool. */
export function pool(pools: Map<Mode, Pool>, mode: Mode, m: Measured): void {
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
export function mergeUsage(usages: UsageReport[]): UsageReport {
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

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return round(sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2, 3);
}

export function loadAverage(): number[] {
  return os.loadavg().map((value) => round(value, 2));
}

/**
 * One benchmark run: a fresh stack on free loopback ports (its inventory seeded with enough stock), then each
 * mode in turn (warm-up, then `count` sagas at `concurrency`), sampling the worker's CPU and memory; stops
 * everything it started, and returns the results.
 */

const probe = (load: LoadResult, which: keyof NonNullable<SagaSample['probesMs']>) =>
  summarize(load.samples.flatMap((s) => (s.probesMs ? [s.probesMs[which]] : [])));
