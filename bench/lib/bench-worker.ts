import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HttpTimings, WorkerMessage } from '../worker';
import { failed } from './load';
import type { SagaRunner, SagaSample } from './load';

// The benchmark's worker process (bench/worker.ts), forked and driven over IPC.

export const SERVICE_TOKEN = 'sagaflow-dev-service-token';
/** API mode: `Prefer: wait=N` of each POST /orders, and each events long-poll's wait. */
export const API_WAIT_SECONDS = 30;
const ignore = () => undefined;
export const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

export function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

export interface BenchWorker {
  child: ChildProcess;
  request(message: 'stats'): Promise<HttpTimings>;
  send(message: 'reset'): void;
  /**
   * Sagas the worker starts itself, over its own connection (eager workflow start needs the worker's): the
   * latency is the worker's, from its start request to the result; the times around it are this process's.
   */
  runner(idPrefix: string): SagaRunner;
  stop(): Promise<void>;
}

export async function startBenchWorker(env: NodeJS.ProcessEnv): Promise<BenchWorker> {
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
  const pending = new Map<string, (sample: SagaSample) => void>();
  child.on('message', (reply: WorkerMessage) => {
    if (reply.type !== 'saga') return;
    const key = `${reply.idPrefix}#${reply.index}`;
    pending.get(key)?.(reply.sample);
    pending.delete(key);
  });
  // A worker that dies leaves no saga waiting for an answer that cannot come.
  void exited.then(() => {
    for (const resolve of pending.values()) resolve(failed(performance.now(), 'ERROR', 'the bench worker exited'));
    pending.clear();
  });
  return {
    child,
    send: (message) => child.send(message),
    runner: (idPrefix) => async (index, deadline) => {
      const startedAt = performance.now();
      const sample = await new Promise<SagaSample>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve(failed(startedAt, 'ERROR', 'the bench worker exited'));
          return;
        }
        pending.set(`${idPrefix}#${index}`, resolve);
        child.send({ type: 'saga', idPrefix, index, remainingMs: deadline - startedAt });
      });
      return { ...sample, startedAt, completedAt: performance.now() };
    },
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
