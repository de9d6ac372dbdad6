import { z } from 'zod';
import { parseEnv } from '../lib/env';
import { LANES, TASK_QUEUES } from '../lib/task-queues';
import type { Lane } from '../lib/task-queues';

const concurrency = (fallback: number) => z.coerce.number().int().min(1).max(10_000).default(fallback);
const ROLES = ['workflows', ...LANES] as const;
export type WorkerRole = (typeof ROLES)[number];

const schema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default(TASK_QUEUES.orders),
  /** Which pollers this process runs; split them across processes to scale each independently. */
  WORKER_ROLES: z
    .string()
    .default(ROLES.join(','))
    .transform((value) => value.split(',').map((role) => role.trim()))
    .pipe(z.array(z.enum(ROLES)).min(1)),
  WORKFLOW_TASK_CONCURRENCY: concurrency(100),
  INVENTORY_ACTIVITY_CONCURRENCY: concurrency(50),
  PAYMENT_ACTIVITY_CONCURRENCY: concurrency(50),
  ORDER_ACTIVITY_CONCURRENCY: concurrency(50),
  INVENTORY_URL: z.url().default('http://127.0.0.1:7101'),
  PAYMENT_URL: z.url().default('http://127.0.0.1:7102'),
  ORDER_URL: z.url().default('http://127.0.0.1:7103'),
  SERVICE_TOKEN: z.string({ error: "SERVICE_TOKEN (the services' shared bearer token) is required" }).min(8),
  SERVICE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
});

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
      token: parsed.SERVICE_TOKEN,
      timeoutMs: parsed.SERVICE_TIMEOUT_MS,
    },
  };
}

/**
 * The tuning options of the workflow worker and of one lane's activity worker, from the config. workers/main.ts
 * and the benchmark worker (bench/worker.ts) both build their workers with these, so they run the same settings.
 */
export function workflowWorkerTuning(config: WorkerConfig) {
  return { maxConcurrentWorkflowTaskExecutions: config.WORKFLOW_TASK_CONCURRENCY };
}

export function laneWorkerTuning(config: WorkerConfig, lane: Lane) {
  return { maxConcurrentActivityTaskExecutions: config.laneConcurrency[lane] };
}
