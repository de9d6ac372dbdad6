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

/**
 * Starts child processes in order, prefixes their output with their name, waits for each to be ready,
 * and stops them all (SIGTERM, then SIGKILL after a grace period) in reverse order on shutdown.
 */
export class Supervisor {
  private readonly children: { spec: ProcessSpec; child: ChildProcess }[] = [];
  private stopping = false;

  constructor(private readonly out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  async start(spec: ProcessSpec): Promise<void> {
    const color = colors[this.children.length % colors.length];
    const prefix = `\x1b[${color}m${spec.name.padEnd(10)}\x1b[0m|`;
    const child = spawn(spec.command, spec.args, {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so shutdown reaches grandchildren too
    });
    this.children.push({ spec, child });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => this.out(`${prefix} ${formatLogLine(line)}`));
    }
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => {
        if (!this.stopping) reject(new Error(`${spec.name} exited early (code ${code}, signal ${signal})`));
      }),
    );
    exited.catch(() => undefined);
    if (spec.ready) await Promise.race([this.waitReady(spec), exited]);
  }

  /** Resolves when any child exits on its own (a crash), with its name. */
  firstExit(): Promise<string> {
    return Promise.race(
      this.children.map(
        ({ spec, child }) => new Promise<string>((resolve) => child.once('exit', () => resolve(spec.name))),
      ),
    );
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
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
