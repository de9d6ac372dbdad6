import { z } from 'zod';
import { duration, flag, parseEnv, urlList } from '../lib/env';
import { LANES, TASK_QUEUES } from '../lib/task-queues';
import type { Lane } from '../lib/task-queues';
import { msToNumber } from '@temporalio/common/lib/time';

const msFromDuration = (value: string) => msToNumber(value as Parameters<typeof msToNumber>[0]);

const concurrency = (fallback: number) => z.coerce.number().int().min(1).max(10_000).default(fallback);
const ROLES = ['workflows', ...LANES] as const;
export type WorkerRole = (typeof ROLES)[number];

const token = z.string().min(8, 'at least 8 characters').optional();

/** Service tokens must be at least this long with NODE_ENV=production. */
export const PRODUCTION_TOKEN_MIN = 32;

const fields = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default(TASK_QUEUES.orders),
  /** Which pollers this process runs; split them across processes to scale each independently. */
  WORKER_ROLES: z
    .string()
    .default(ROLES.join(','))
    .transform((value) => value.split(',').map((role) => role.trim()))
    .pipe(z.array(z.enum(ROLES)).min(1)),
  /**
   * A worker with the workflows role also runs the sagas' service calls as local activities, for sagas started
   * with `stepExecution: 'local'` (the API's SAGA_STEP_EXECUTION), each lane limited to its concurrency below;
   * it then needs every service's URL and token. Off: only for deployments whose sagas all run `remote`.
   */
  WORKER_LOCAL_STEPS: flag(true),
  /**
   * With payload encryption on, what the worker does with a payload that is not encrypted: `refuse` (default) fails
   * it, so a start, Update or signal sent to Temporal's frontend by anyone without the keys is never acted on;
   * `accept` only while sagas recorded before encryption was turned on still run (docs/DEPLOYMENT.md).
   */
  PAYLOAD_PLAINTEXT: z.enum(['refuse', 'accept']).default('refuse'),
  WORKFLOW_TASK_CONCURRENCY: concurrency(100),
  /**
   * The most workflow task polls the worker keeps open (the SDK's default, 10). A fifth of them (at least one) wait
   * for the first task of new workflows, the rest for the worker's sticky queue. A task queue has four partitions on
   * a cluster, and a task written to a partition where no poll waits sits there until one arrives: with fewer such
   * polls than partitions across the task queue's workers, about one new workflow in a hundred waited 2 s for its
   * first workflow task at twenty in flight (docs/BENCHMARKS.md). 20 gives four.
   */
  WORKFLOW_TASK_POLLERS: z.coerce.number().int().min(2).max(100).default(10),
  /**
   * `on`: the workflow sandbox records every workflow promise's stack, for the Web UI's Stack Trace tab (the
   * `__stack_trace` query). Off by default: the recording is a stack capture per promise, about 7 ms of worker CPU per
   * order saga (docs/BENCHMARKS.md); the sagas publish their step and state for operators instead.
   */
  WORKFLOW_STACK_TRACES: z.enum(['on', 'off']).default('off'),
  /**
   * How long one activation of a saga's workflow code may run before the SDK interrupts it and fails its workflow
   * task, or `off` (default). The SDK enforces it with a watchdog thread per call into the sandbox, about 7 ms of
   * worker CPU per order saga; off, a workflow that never yields blocks the worker's workflow thread instead.
   */
  WORKFLOW_ACTIVATION_TIMEOUT: z.union([z.literal('off'), duration('5 seconds')]).default('off'),
  /**
   * Where the workflow worker runs the sagas' workflow code: `main`, the process's own thread (default), or a
   * `separate` worker thread (the SDK's default). With one reused V8 context there is nothing slow to keep off the
   * event loop, and each activation then skips two messages between threads: about a quarter of an order's latency
   * one at a time (docs/BENCHMARKS.md).
   */
  WORKFLOW_THREAD: z.enum(['main', 'separate']).default('main'),
  INVENTORY_ACTIVITY_CONCURRENCY: concurrency(50),
  PAYMENT_ACTIVITY_CONCURRENCY: concurrency(50),
  ORDER_ACTIVITY_CONCURRENCY: concurrency(50),
  /** A service's base URL, or its replicas' as a comma-separated list: calls are balanced over them. */
  INVENTORY_URL: urlList('http://127.0.0.1:7101'),
  PAYMENT_URL: urlList('http://127.0.0.1:7102'),
  ORDER_URL: urlList('http://127.0.0.1:7103'),
  /** Each service's bearer token, needed only by a worker that runs that service's lane. */
  INVENTORY_SERVICE_TOKEN: token,
  PAYMENT_SERVICE_TOKEN: token,
  ORDER_SERVICE_TOKEN: token,
  /** Development only: one token for all three services, where a lane's own is not set. */
  SERVICE_TOKEN: token,
  /** production: no shared SERVICE_TOKEN, and every token at least PRODUCTION_TOKEN_MIN characters. */
  NODE_ENV: z.string().optional(),
  /**
   * On SIGTERM the worker stops polling and lets activities in flight finish for this long; then it cancels them
   * (their attempts fail and retry on another worker). Keep the orchestrator's stop timeout above it
   * (docker-compose.yml: stop_grace_period).
   */
  WORKER_SHUTDOWN_GRACE_TIME: duration('30 seconds'),
  /** After the grace time, how long cancelled activities get to wind down before the worker gives up on them. */
  WORKER_SHUTDOWN_FORCE_TIME: duration('10 seconds'),
  SERVICE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Circuit breaker per service: faults in a row that open it (0 turns the breakers off). */
  BREAKER_CONSECUTIVE_FAILURES: z.coerce.number().int().min(0).max(1_000).default(5),
  /** How long an open circuit waits before one probe call. */
  BREAKER_HALF_OPEN_AFTER_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Where Prometheus scrapes the worker: the SDK runtime's metrics and the sagas'. Off when unset. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

const TOKEN_VARS = {
  inventory: 'INVENTORY_SERVICE_TOKEN',
  payment: 'PAYMENT_SERVICE_TOKEN',
  order: 'ORDER_SERVICE_TOKEN',
} as const satisfies Record<Lane, string>;

const schema = fields.superRefine((env, ctx) => {
  const production = env.NODE_ENV === 'production';
  if (production && env.SERVICE_TOKEN) {
    const message = 'a shared token is for development: set INVENTORY_/PAYMENT_/ORDER_SERVICE_TOKEN instead';
    ctx.addIssue({ code: 'custom', path: ['SERVICE_TOKEN'], message });
  }
  for (const lane of callerOf(env)) {
    const name = TOKEN_VARS[lane];
    const value = env[name] ?? (production ? undefined : env.SERVICE_TOKEN);
    if (value === undefined) {
      const why = env.WORKER_ROLES.includes(lane)
        ? `this worker runs the ${lane} lane`
        : `this worker runs local steps (WORKER_LOCAL_STEPS), ${lane}'s included`;
      ctx.addIssue({ code: 'custom', path: [name], message: `required: ${why}` });
    } else if (production && value.length < PRODUCTION_TOKEN_MIN) {
      const message = `with NODE_ENV=production at least ${PRODUCTION_TOKEN_MIN} characters (openssl rand -hex 32)`;
      ctx.addIssue({ code: 'custom', path: [name], message });
    }
  }
});

/** The services this worker calls: its lanes', and every one when it runs the sagas' local steps. */
function callerOf(env: { WORKER_ROLES: string[]; WORKER_LOCAL_STEPS: boolean }): Lane[] {
  if (runsLocalSteps(env)) return [...LANES];
  return LANES.filter((lane) => env.WORKER_ROLES.includes(lane));
}

/** Whether this worker's workflow worker runs the sagas' local steps. */
export function runsLocalSteps(env: { WORKER_ROLES: string[]; WORKER_LOCAL_STEPS: boolean }): boolean {
  return env.WORKER_LOCAL_STEPS && env.WORKER_ROLES.includes('workflows');
}

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = parseEnv(schema, env);
  return {
    ...parsed,
    laneConcurrency: {
      inventory: parsed.INVENTORY_ACTIVITY_CONCURRENCY,
      payment: parsed.PAYMENT_ACTIVITY_CONCURRENCY,
      order: parsed.ORDER_ACTIVITY_CONCURRENCY,
    },
    services: {
      inventoryUrl: parsed.INVENTORY_URL,
      paymentUrl: parsed.PAYMENT_URL,
      orderUrl: parsed.ORDER_URL,
      // A service this worker does not call gets no token: its activities are not registered here.
      tokens: Object.fromEntries(
        LANES.map((lane) => [
          lane,
          callerOf(parsed).includes(lane) ? (parsed[TOKEN_VARS[lane]] ?? parsed.SERVICE_TOKEN ?? '') : '',
        ]),
      ) as Record<Lane, string>,
      timeoutMs: parsed.SERVICE_TIMEOUT_MS,
      ...(parsed.BREAKER_CONSECUTIVE_FAILURES > 0
        ? {
            breaker: {
              consecutiveFailures: parsed.BREAKER_CONSECUTIVE_FAILURES,
              halfOpenAfterMs: parsed.BREAKER_HALF_OPEN_AFTER_MS,
            },
          }
        : {}),
    },
  };
}

/**
 * The tuning options of the workflow worker and of one lane's activity worker, from the config. workers/main.ts
 * and the benchmark worker (bench/worker.ts) both build their workers with these, so they run the same settings.
 */
export function workflowWorkerTuning(config: WorkerConfig) {
  return {
    maxConcurrentWorkflowTaskExecutions: config.WORKFLOW_TASK_CONCURRENCY,
    workflowTaskPollerBehavior: { type: 'simple-maximum' as const, maximum: config.WORKFLOW_TASK_POLLERS },
    // Both options come from patches/@temporalio+worker+*.patch (docs/ARCHITECTURE.md, "The SDK patch").
    workflowStackTraces: config.WORKFLOW_STACK_TRACES === 'on',
    isolateExecutionTimeout:
      config.WORKFLOW_ACTIVATION_TIMEOUT === 'off' ? 0 : msFromDuration(config.WORKFLOW_ACTIVATION_TIMEOUT),
    // The SDK runs workflows in the calling thread only in its debug mode; with the timeout set just above, the
    // thread is all that mode changes.
    debugMode: config.WORKFLOW_THREAD === 'main',
    // The lanes' bulkheads limit local steps (laneLimitedLocalActivities); the pool is never the tighter limit.
    maxConcurrentLocalActivityExecutions: Object.values(config.laneConcurrency).reduce((sum, n) => sum + n, 0),
    ...shutdownTimes(config),
  };
}

export function laneWorkerTuning(config: WorkerConfig, lane: Lane) {
  return { maxConcurrentActivityTaskExecutions: config.laneConcurrency[lane], ...shutdownTimes(config) };
}

/** Graceful shutdown: bounded, so a hung call cannot keep a stopping worker alive past the orchestrator's patience. */
function shutdownTimes(config: WorkerConfig) {
  const grace = msFromDuration(config.WORKER_SHUTDOWN_GRACE_TIME);
  return { shutdownGraceTime: grace, shutdownForceTime: grace + msFromDuration(config.WORKER_SHUTDOWN_FORCE_TIME) };
}
