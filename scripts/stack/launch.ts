import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// Starts the whole stack (scripts/stack/main.ts: dev server + UI, three services, worker, API) as a child
// process on free loopback ports with a throwaway data directory, and waits for its READY line. Used by the
// end-to-end test and the benchmarks.

const root = path.resolve(__dirname, '..', '..');

export const STACK_PORT_VARS = [
  'TEMPORAL_PORT',
  'TEMPORAL_UI_PORT',
  'API_PORT',
  'INVENTORY_PORT',
  'PAYMENT_PORT',
  'ORDER_PORT',
  'CODEC_PORT',
  'API_METRICS_PORT',
  'WORKER_METRICS_PORT',
  'API_WORKER_METRICS_PORT',
] as const;
export type StackPortVar = (typeof STACK_PORT_VARS)[number];

export interface StackOptions {
  /** Extra environment for the stack and (through its supervisor) every process it starts. */
  env?: NodeJS.ProcessEnv;
  /** Data directory (SQLite files); a fresh temporary one, removed by stop(), when omitted. */
  dataDir?: string;
  /** How long to wait for READY (default 180 s). */
  readyTimeoutMs?: number;
  /** Receives the stack's output as it comes (it is also kept, see output()). */
  onOutput?: (chunk: string) => void;
}

export interface RunningStack {
  /** The stack's supervisor process (scripts/stack/main.ts). */
  child: ChildProcess;
  ports: Record<StackPortVar, number>;
  urls: {
    api: string;
    ui: string;
    codec: string;
    temporal: string;
    inventory: string;
    payment: string;
    order: string;
    apiMetrics: string;
    workerMetrics: string;
    /** The API's saga worker's metrics (API_SAGA_WORKER=on). */
    apiWorkerMetrics: string;
  };
  dataDir: string;
  /** Everything the stack printed so far. */
  output(): string;
  /** Pid of the process the supervisor started for `name` ('worker', 'api', 'inventory', ...), if found. */
  pidOf(name: keyof typeof processMarkers): number | undefined;
  /** Ctrl-C (SIGINT), waits for the exit (SIGKILL after graceMs), removes a temporary data dir; the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port below Linux's ephemeral range (32768-60999). A port the kernel hands out for port 0 is an
 * ephemeral one, which an outgoing connection may take as its source port before the process meant to listen on it
 * binds it (a listener without SO_REUSEADDR, such as the SDK runtime's metrics exporter, then fails to start).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await bindable(port)) return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Direct children of a process, from /proc (Linux). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // the process exited meanwhile
    }
  }
  return children;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

const processMarkers = {
  worker: `${path.sep}workers${path.sep}main.ts`,
  api: `${path.sep}api${path.sep}main.ts`,
  inventory: `${path.sep}services${path.sep}inventory${path.sep}main.ts`,
  payment: `${path.sep}services${path.sep}payment${path.sep}main.ts`,
  order: `${path.sep}services${path.sep}order${path.sep}main.ts`,
  temporal: 'start-dev',
  codec: `${path.sep}codec-server${path.sep}main.ts`,
} as const;

export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const ports = {} as Record<StackPortVar, number>;
  const taken = new Set<number>();
  for (const name of STACK_PORT_VARS) {
    let port: number;
    do port = await freePort();
    while (taken.has(port));
    taken.add(port);
    ports[name] = port;
  }
  const temporaryDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'sagaflow-stack-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'stack', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      ...options.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      SAGAFLOW_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    options.onOutput?.(text);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = (port: number) => `http://127.0.0.1:${port}`;
  const stack: RunningStack = {
    child,
    ports,
    dataDir,
    urls: {
      api: url(ports.API_PORT),
      ui: url(ports.TEMPORAL_UI_PORT),
      codec: url(ports.CODEC_PORT),
      temporal: `127.0.0.1:${ports.TEMPORAL_PORT}`,
      inventory: url(ports.INVENTORY_PORT),
      payment: url(ports.PAYMENT_PORT),
      order: url(ports.ORDER_PORT),
      apiMetrics: `${url(ports.API_METRICS_PORT)}/metrics`,
      workerMetrics: `${url(ports.WORKER_METRICS_PORT)}/metrics`,
      apiWorkerMetrics: `${url(ports.API_WORKER_METRICS_PORT)}/metrics`,
    },
    output: () => output,
    pidOf: (name) => {
      if (child.pid === undefined) return undefined;
      return childPids(child.pid).find((pid) => commandLine(pid).includes(processMarkers[name]));
    },
    stop: async (graceMs = 30_000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      if (temporaryDir) rmSync(dataDir, { recursive: true, force: true });
      return child.exitCode;
    },
  };

  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), options.readyTimeoutMs ?? 180_000);
    const check = () => {
      if (output.includes('\nREADY')) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(true);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (!ready) {
    await stack.stop(5_000);
    throw new Error(`the stack did not become ready:\n${output.slice(-4000)}`);
  }
  return stack;
}
