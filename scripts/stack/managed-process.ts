import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';

// One child process the chaos harness and scripts/cluster can kill (any signal, really: SIGKILL gives the process no say) and start
// again, unlike scripts/stack's supervisor, which treats any exit as a crash of the whole stack. Output goes to a
// log file; every start, kill and unexpected exit is recorded.

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Appends the process's output here (kept across restarts). */
  logFile: string;
  /** Polled until true after each start; default: started. */
  ready?: () => Promise<boolean>;
  /** Or ready once a line of output matches. */
  readyLine?: RegExp;
  readyTimeoutMs?: number;
  /** The signal of a graceful stop (default SIGTERM; PostgreSQL's fast shutdown is SIGINT). */
  stopSignal?: NodeJS.Signals;
}

export interface ProcessEvent {
  at: number;
  process: string;
  event: 'start' | 'ready' | 'signal' | 'exit';
  detail?: string;
}

export class ManagedProcess {
  private child?: ChildProcess;
  private log: WriteStream;
  private exitedPromise?: Promise<void>;
  private expectingExit = false;
  /** Exits nobody asked for (crashes). */
  readonly unexpectedExits: string[] = [];
  private readonly crashListeners: ((reason: string) => void)[] = [];

  constructor(
    readonly spec: ProcessSpec,
    private readonly events: ProcessEvent[],
  ) {
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private record(event: ProcessEvent['event'], detail?: string): void {
    this.events.push({ at: Date.now(), process: this.spec.name, event, detail });
    this.log.write(`### ${new Date().toISOString()} ${event}${detail ? ` ${detail}` : ''}\n`);
  }

  /** Called on every exit nobody asked for. */
  onUnexpectedExit(listener: (reason: string) => void): void {
    this.crashListeners.push(listener);
  }

  /** Spawns the process (own process group) and waits until it is ready. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.spec.name} is already running`);
    const { spec } = this;
    this.expectingExit = false;
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.record('start', `pid ${child.pid}`);
    let sawReadyLine = false;
    let tail = '';
    const onData = (chunk: Buffer) => {
      this.log.write(chunk);
      if (spec.readyLine && !sawReadyLine) {
        tail = (tail + chunk.toString()).slice(-8192);
        if (spec.readyLine.test(tail)) sawReadyLine = true;
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exitedPromise = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.record('exit', `code ${code} signal ${signal}`);
        if (!this.expectingExit) {
          const reason = `${spec.name} exited (code ${code}, signal ${signal})`;
          this.unexpectedExits.push(reason);
          for (const listener of this.crashListeners) listener(reason);
        }
        resolve();
      }),
    );
    const deadline = Date.now() + (spec.readyTimeoutMs ?? 120_000);
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${spec.name} exited while starting (see ${spec.logFile})`);
      const ready = spec.readyLine ? sawReadyLine : spec.ready ? await spec.ready().catch(() => false) : true;
      if (ready) {
        this.record('ready');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await this.stop(2_000);
    throw new Error(`${spec.name} was not ready within ${spec.readyTimeoutMs ?? 120_000} ms (see ${spec.logFile})`);
  }

  /** Sends `signal` to the process group and waits for the exit (SIGKILL after graceMs). */
  async kill(signal: NodeJS.Signals, graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.expectingExit = true;
    this.record('signal', signal);
    this.signalGroup(signal);
    const timer =
      signal === 'SIGKILL'
        ? undefined
        : setTimeout(() => {
            this.record('signal', `SIGKILL (no exit within ${graceMs} ms)`);
            this.signalGroup('SIGKILL');
          }, graceMs);
    await this.exitedPromise;
    if (timer) clearTimeout(timer);
  }

  /** Kills with `signal`, waits `downMs`, starts again. */
  async restart(signal: NodeJS.Signals, downMs = 0): Promise<void> {
    await this.kill(signal);
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.start();
  }

  /** Graceful stop (SIGTERM, SIGKILL after graceMs); closes the log. */
  async stop(graceMs = 10_000): Promise<void> {
    await this.kill(this.spec.stopSignal ?? 'SIGTERM', graceMs);
  }

  closeLog(): Promise<void> {
    return new Promise((resolve) => this.log.end(resolve));
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      this.child?.kill(signal);
    }
  }
}
