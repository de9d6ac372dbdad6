import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { formatLogLine } from './format-log';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Resolves once the process is ready to serve (polled); rejects or times out otherwise. */
  ready?: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

const colors = [36, 33, 35, 32, 34, 91, 96, 93];

export interface RestartPolicy {
  /** The first restart waits this long; each further one twice as long, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A process that ran this long before dying starts again from initialDelayMs. */
  resetAfterMs: number;
  /** Restarts in a row (without a reset) before the supervisor gives up on a process. */
  maxRestarts: number;
}

const DEFAULT_RESTARTS: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  resetAfterMs: 60_000,
  maxRestarts: 10,
};

interface Managed {
  spec: ProcessSpec;
  prefix: string;
  child: ChildProcess;
  startedAt: number;
  restarts: number;
  /** Set once the process was first ready: from then on, an exit is a crash to restart. */
  supervised: boolean;
  pending?: NodeJS.Timeout;
}

/**
 * Starts child processes in order, prefixes their output with their name, waits for each to be ready, restarts a
 * process that dies afterwards (with exponential backoff and a log line each time), and stops them all (SIGTERM,
 * then SIGKILL after a grace period) in reverse order on shutdown.
 */
export class Supervisor {
  private readonly children: Managed[] = [];
  private stopping = false;
  private giveUp: (name: string) => void = () => undefined;
  private readonly gaveUp = new Promise<string>((resolve) => (this.giveUp = resolve));

  constructor(
    private readonly out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
    private readonly restarts: RestartPolicy = DEFAULT_RESTARTS,
  ) {}

  async start(spec: ProcessSpec): Promise<void> {
    const color = colors[this.children.length % colors.length];
    const prefix = `\x1b[${color}m${spec.name.padEnd(10)}\x1b[0m|`;
    const managed = { spec, prefix, restarts: 0, supervised: false } as Managed;
    const child = this.spawn(managed);
    this.children.push(managed);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => {
        if (!this.stopping) reject(new Error(`${spec.name} exited early (code ${code}, signal ${signal})`));
      }),
    );
    exited.catch(() => undefined);
    if (spec.ready) await Promise.race([this.waitReady(spec), exited]);
    managed.supervised = true;
  }

  /** Resolves, with its name, when a process keeps dying and the supervisor stopped restarting it. */
  givenUp(): Promise<string> {
    return this.gaveUp;
  }

  /** The pid of the running process of `name`, if it runs. */
  pidOf(name: string): number | undefined {
    return this.children.find((m) => m.spec.name === name)?.child.pid;
  }

  private spawn(managed: Managed): ChildProcess {
    const { spec } = managed;
    const child = spawn(spec.command, spec.args, {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so shutdown reaches grandchildren too
    });
    managed.child = child;
    managed.startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => this.out(`${managed.prefix} ${formatLogLine(line)}`));
    }
    child.once('exit', (code, signal) => this.onExit(managed, code, signal));
    return child;
  }

  private onExit(managed: Managed, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || !managed.supervised) return;
    const { name } = managed.spec;
    if (Date.now() - managed.startedAt >= this.restarts.resetAfterMs) managed.restarts = 0;
    if (managed.restarts >= this.restarts.maxRestarts) {
      this.out(
        `${name} exited (code ${code}, signal ${signal}) after ${managed.restarts} restarts in a row: giving up`,
      );
      this.giveUp(name);
      return;
    }
    const delay = Math.min(this.restarts.initialDelayMs * 2 ** managed.restarts, this.restarts.maxDelayMs);
    managed.restarts += 1;
    this.out(
      `${name} exited (code ${code}, signal ${signal}): restarting in ${delay} ms (restart ${managed.restarts})`,
    );
    managed.pending = setTimeout(() => {
      managed.pending = undefined;
      if (!this.stopping) this.spawn(managed);
    }, delay);
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const managed of this.children) clearTimeout(managed.pending);
    for (const { spec, child } of [...this.children].reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => {
        this.out(`${spec.name} did not stop within ${graceMs} ms: killing`);
        signalGroup(child, 'SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
  }

  private async waitReady(spec: ProcessSpec): Promise<void> {
    const deadline = Date.now() + (spec.readyTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (await spec.ready!().catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${spec.name} was not ready within ${spec.readyTimeoutMs ?? 60_000} ms`);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
}

/** True when an HTTP GET answers with a 2xx status. */
export async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return response.ok;
}
