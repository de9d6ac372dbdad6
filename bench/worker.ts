// The benchmark's own worker process, started by bench/run.ts for one mode at a time, with the production
// worker's settings (workers/config.ts: the same env variables, the same Worker options) on its own task queues:
//
//   bare    the baseline: bench/workflows/bare.ts, eight no-op activities on the same lane queues
//   bare-local  the same eight no-op calls as local activities (bareOrderLocal)
//   bare-pivot  the same calls placed as the engine places them with local steps (bareOrderPivot)
//   hand-local  the order saga's calls (same inputs, options and results), deadline, compensations and publishing,
//           written by hand without the engine, placed as bare-pivot (handOrderLocal)
//   quiet   the saga engine running the order saga with no-op activities, publishing nothing (bench/workflows/quiet.ts)
//   engine  the real order saga (workflows/order) with no-op activities, started as the API starts it: the saga
//           engine without the services
//   steps   as engine, started with publishMode every-step (search attributes upserted at every step)
//   saga    the real order saga with the real activities calling the real services, with a timing wrapper
//           around their fetch (how long the saga spends inside HTTP calls to the services)
//   engine-local, saga-local  as engine and saga, the saga started with stepExecution 'local': its calls run as
//           local activities in the workflow worker, behind the lanes' bulkheads as in workers/main.ts
//   engine-local-eager, saga-local-eager  as engine-local and saga-local, started by this process over the
//           workers' own connection with eager workflow start (the server answers the start with its first workflow
//           task, which this worker runs at once)
//
// It tells its parent 'ready' over IPC once its workers exist, answers 'stats' and 'reset' messages with the
// HTTP timings, starts the sagas its parent asks for in eager modes ('saga' messages, answered with their sample),
// and stops gracefully on SIGINT like the production worker.
import { performance } from 'node:perf_hooks';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { temporalTls } from '../lib/temporal-tls';
import { dataConverterFor } from '../lib/codec/data-converter';
import { loadPayloadKeys } from '../lib/codec/payload-keys';
import type { WorkerOptions } from '@temporalio/worker';
import { z } from 'zod';
import { createActivities } from '../activities';
import { parseEnv } from '../lib/env';
import { createLogger } from '../lib/logger';
import { LANES, ORDER_ACTIVITY_LANES, laneTaskQueue } from '../lib/task-queues';
import type { Lane } from '../lib/task-queues';
import { temporalLoggerFor } from '../lib/temporal-logger';
import { laneWorkerTuning, loadWorkerConfig, workflowWorkerTuning } from '../workers/config';
import type { BareActivities } from './workflows/bare';
import { Client } from '@temporalio/client';
import { directRunner } from './lib/load';
import { noopOrderActivities } from './lib/noop-activities';
import type { SagaRunner, SagaSample } from './lib/load';
import { callsServices, directStart } from './lib/direct-modes';
import type { DirectMode } from './lib/direct-modes';
import { MODES } from './lib/results';
import { laneLimitedLocalActivities } from '@sagaflow/saga/worker';
import { workflowBundlerOptions } from '../lib/workflow-bundle';

/** Every mode but `api` (which runs on the stack's own worker). */
const BENCH_WORKER_MODES = MODES.filter((mode): mode is DirectMode => mode !== 'api') as [DirectMode, ...DirectMode[]];

/** What the worker answers to 'stats': the service calls it timed since the last 'reset' (saga mode only). */
export interface HttpTimings {
  calls: number;
  errors: number;
  totalMs: number;
  /** Every call's duration, ms. */
  durationsMs: number[];
  byRoute: Record<string, { calls: number; totalMs: number }>;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'stats'; http: HttpTimings }
  | { type: 'saga'; idPrefix: string; index: number; sample: SagaSample };

/** What the parent sends: 'reset', 'stats', or a saga to start here (eager modes), with the time it has left. */
type ParentMessage = 'reset' | 'stats' | { type: 'saga'; idPrefix: string; index: number; remainingMs: number };

const config = loadWorkerConfig();
const bench = parseEnv(
  z.object({
    BENCH_MODE: z.enum(BENCH_WORKER_MODES),
    /** A prebuilt bundle of bench/workflows (bench/run.ts bundles once per run); bundled here when unset. */
    BENCH_WORKFLOW_BUNDLE: z.string().optional(),
  }),
);
const logger = createLogger({ component: 'bench-worker', mode: bench.BENCH_MODE, taskQueue: config.TASK_QUEUE });

let timings: HttpTimings = emptyTimings();
function emptyTimings(): HttpTimings {
  return { calls: 0, errors: 0, totalMs: 0, durationsMs: [], byRoute: {} };
}

/** A service's transport (the global fetch, or the balancing one over its replicas), timed to the last byte. */
const timed =
  (transport: typeof fetch): typeof fetch =>
  async (input, init) => {
    const started = performance.now();
    const url = new URL(input instanceof Request ? input.url : String(input));
    // Service routes are /<collection>[/<id or verb>[/<action>]]: group the calls by route, not by id (ids have digits).
    const path = url.pathname.replace(/^(\/[^/]+\/)[^/]*\d[^/]*/, '$1:id');
    const route = `${init?.method ?? 'GET'} ${url.port} ${path}`;
    let ok = false;
    try {
      const response = await transport(input, init);
      const body = await response.arrayBuffer();
      ok = true;
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      const ms = performance.now() - started;
      timings.calls++;
      if (!ok) timings.errors++;
      timings.totalMs += ms;
      timings.durationsMs.push(ms);
      const entry = (timings.byRoute[route] ??= { calls: 0, totalMs: 0 });
      entry.calls++;
      entry.totalMs += ms;
    }
  };

/** Every activity the mode's sagas call, by name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyActivities = Record<string, (input: any) => Promise<unknown>>;

function modeActivities(): AnyActivities {
  if (bench.BENCH_MODE.startsWith('bare')) {
    const bare: BareActivities = { noop: async () => undefined };
    return { ...bare };
  }
  return callsServices(bench.BENCH_MODE)
    ? createActivities({ config: config.services, http: { decorate: timed }, logger })
    : { ...noopOrderActivities() };
}

/** The activities one lane's worker registers. */
function laneActivities(lane: Lane): object {
  const all = modeActivities();
  if ('noop' in all) return all;
  const names = Object.entries(ORDER_ACTIVITY_LANES)
    .filter(([, owner]) => owner === lane)
    .map(([name]) => name);
  return Object.fromEntries(names.map((name) => [name, all[name]]));
}

/** What the workflow worker runs as local activities: as workers/main.ts, each lane behind its bulkhead. */
function localActivities(): object {
  const all = modeActivities();
  if ('noop' in all) return all;
  return laneLimitedLocalActivities(
    Object.fromEntries(Object.keys(ORDER_ACTIVITY_LANES).map((name) => [name, all[name]!])),
    ORDER_ACTIVITY_LANES,
    config.laneConcurrency,
  );
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  Runtime.install({ logger: temporalLoggerFor(logger) });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS, tls: temporalTls() });
  const common = {
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterFor(loadPayloadKeys()),
  };
  const benchWorkflows = require.resolve('./workflows');
  const workflows: Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> =
    bench.BENCH_WORKFLOW_BUNDLE
      ? { workflowBundle: { codePath: bench.BENCH_WORKFLOW_BUNDLE } }
      : { workflowsPath: benchWorkflows, bundlerOptions: workflowBundlerOptions(benchWorkflows) };
  const workers = [
    await Worker.create({
      ...common,
      ...workflows,
      taskQueue: config.TASK_QUEUE,
      activities: localActivities(),
      ...workflowWorkerTuning(config),
    }),
  ];
  for (const lane of LANES) {
    workers.push(
      await Worker.create({
        ...common,
        taskQueue: laneTaskQueue(config.TASK_QUEUE, lane),
        activities: laneActivities(lane),
        ...laneWorkerTuning(config, lane),
      }),
    );
  }
  // Eager workflow start needs the client on the workers' connection, in the workers' process.
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: common.dataConverter });
  const runners = new Map<string, SagaRunner>();
  const runnerFor = (idPrefix: string) => {
    let runner = runners.get(idPrefix);
    if (!runner) {
      runner = directRunner({ client, taskQueue: config.TASK_QUEUE, idPrefix, ...directStart(bench.BENCH_MODE) });
      runners.set(idPrefix, runner);
    }
    return runner;
  };
  process.on('message', (message: ParentMessage) => {
    if (message === 'reset') timings = emptyTimings();
    else if (message === 'stats') send({ type: 'stats', http: timings });
    else if (message.type === 'saga') {
      const { idPrefix, index } = message;
      void runnerFor(idPrefix)(index, performance.now() + message.remainingMs).then((sample) =>
        send({ type: 'saga', idPrefix, index, sample }),
      );
    }
  });
  send({ type: 'ready' });
  try {
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    await connection.close();
    process.disconnect?.();
  }
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'bench worker failed');
  process.exit(1);
});
