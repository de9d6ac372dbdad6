import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { round } from './stats';

// Samples processes (CPU time, resident memory) and the machine (busy share of all cores) from /proc (Linux).

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux kernel the project runs on

/**
 * The fields of /proc/<pid>/stat after the command name: state(0) ppid(1) ... utime(11) stime(12) cutime(13)
 * cstime(14); undefined once the process has exited.
 */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const seconds = (fields: string[], a: number, b: number) => (Number(fields[a]) + Number(fields[b])) / TICKS_PER_SECOND;

/** utime + stime of a process and its threads, in seconds; undefined once it has exited. */
export function cpuSeconds(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields && seconds(fields, 11, 12);
}

/** ppid → children, from /proc (Linux). */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    const fields = Number.isInteger(pid) ? statFields(pid) : undefined;
    if (!fields) continue; // not a process, or exited meanwhile
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  return children;
}

/**
 * CPU seconds of a process and every descendant alive now, plus what its exited children used (cutime + cstime):
 * PostgreSQL serves each connection from a child process, and the cluster's PostgreSQL runs under runuser.
 */
export function treeCpuSeconds(pid: number): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  const children = childrenByParent();
  let total = seconds(fields, 11, 12) + seconds(fields, 13, 14);
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length) {
    const child = stack.pop()!;
    total += cpuSeconds(child) ?? 0;
    stack.push(...(children.get(child) ?? []));
  }
  return total;
}

/** Resident set size in MB; undefined once the process has exited. */
export function rssMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of all cores together. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

export interface ProcessUsage {
  pid: number;
  /** CPU time used during the window, seconds. */
  cpuSeconds: number;
  /** CPU used as a share of one core over the window, %. */
  cpuPercent: number;
  rssMbMean: number;
  rssMbMax: number;
}

export interface UsageReport {
  wallSeconds: number;
  /** Busy share of the whole machine (all cores) over the window, %. */
  machineBusyPercent: number;
  cores: number;
  processes: Record<string, ProcessUsage>;
}

/**
 * Samples the named processes every `everyMs` until stop(), which reports their usage over the window. The CPU of
 * the processes named in `trees` includes their descendants' (treeCpuSeconds); resident memory is the process's own.
 */
export function sampleUsage(
  pids: Record<string, number | undefined>,
  everyMs = 250,
  trees: readonly string[] = [],
): { stop(): UsageReport } {
  const cpuOf = (name: string, pid: number) => (trees.includes(name) ? treeCpuSeconds(pid) : cpuSeconds(pid));
  const started = performance.now();
  const machineStart = machineTicks();
  const tracked = Object.entries(pids).filter((entry): entry is [string, number] => entry[1] !== undefined);
  const cpuStart = new Map(tracked.map(([name, pid]) => [name, cpuOf(name, pid) ?? 0]));
  const rss = new Map<string, number[]>(tracked.map(([name]) => [name, []]));
  const sample = () => {
    for (const [name, pid] of tracked) {
      const value = rssMb(pid);
      if (value !== undefined) rss.get(name)!.push(value);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const wallSeconds = (performance.now() - started) / 1000;
      const machineEnd = machineTicks();
      const processes: Record<string, ProcessUsage> = {};
      for (const [name, pid] of tracked) {
        const used = (cpuOf(name, pid) ?? cpuStart.get(name)!) - cpuStart.get(name)!;
        const values = rss.get(name)!;
        processes[name] = {
          pid,
          cpuSeconds: round(used, 2),
          cpuPercent: round((used / wallSeconds) * 100),
          rssMbMean: round(values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length)),
          rssMbMax: round(Math.max(0, ...values)),
        };
      }
      const busy = machineEnd.busy - machineStart.busy;
      const total = machineEnd.total - machineStart.total;
      return {
        wallSeconds: round(wallSeconds, 2),
        machineBusyPercent: round(total > 0 ? (busy / total) * 100 : 0),
        cores: os.cpus().length,
        processes,
      };
    },
  };
}
