import { randomInt } from 'node:crypto';
import path from 'node:path';
import { startCluster } from '../../scripts/cluster-stack/cluster';
import type { Cluster } from '../../scripts/cluster-stack/cluster';
import { startStack } from '../../scripts/stack/launch';
import type { RunningStack } from '../../scripts/stack/launch';
import { SERVICE_TOKEN } from './bench-worker';
import { prepareInventory } from './stock';

// What the bench runs against: the embedded default (scripts/stack: the dev server on SQLite, one process per
// role) or the production cluster (scripts/cluster-stack: two Temporal nodes on PostgreSQL behind HAProxy, service
// replicas, split workers, two APIs). Either way: where the bench worker and the load go, and which processes'
// CPU counts.

export type BenchTarget = 'dev' | 'cluster';

export const API_CLIENT = { key: 'sk_demo_client', tenant: 'demo' };

export interface BenchStack {
  target: BenchTarget;
  temporalAddress: string;
  /** What a client of this Temporal sets for TLS (the cluster's mutual TLS; none on the dev server). */
  temporalTlsEnv: Record<string, string>;
  apiUrl: string;
  /** The bench worker's service settings: URLs (a replica list on the cluster) and tokens. */
  workerServiceEnv: Record<string, string>;
  /** The processes whose CPU counts in every mode, by name. */
  pids(): Record<string, number | undefined>;
  /** The stack's own workers (they run the api mode's sagas); the first is reported as `worker`. */
  workerPids(): Record<string, number | undefined>;
  /** Names whose CPU includes their child processes (PostgreSQL's backends). */
  trees: string[];
  /** Output to show when the stack misbehaved. */
  output(): string;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  target: BenchTarget;
  /** Scratch directory of the run. */
  dir: string;
  /** Units of every in-stock product. */
  stock: number;
  /** Environment for what the stack starts (worker settings, rate limit, profiling). */
  env: Record<string, string>;
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  return options.target === 'cluster' ? clusterStack(options) : devStack(options);
}

async function devStack(options: BenchStackOptions): Promise<BenchStack> {
  await prepareInventory(`file:${path.join(options.dir, 'inventory.db')}`, options.stock);
  const stack: RunningStack = await startStack({ dataDir: options.dir, env: { ...options.env, SERVICE_TOKEN } });
  return {
    target: 'dev',
    temporalAddress: stack.urls.temporal,
    temporalTlsEnv: {},
    apiUrl: stack.urls.api,
    workerServiceEnv: {
      SERVICE_TOKEN,
      INVENTORY_URL: stack.urls.inventory,
      PAYMENT_URL: stack.urls.payment,
      ORDER_URL: stack.urls.order,
    },
    pids: () => ({
      temporal: stack.pidOf('temporal'),
      api: stack.pidOf('api'),
      inventory: stack.pidOf('inventory'),
      payment: stack.pidOf('payment'),
      order: stack.pidOf('order'),
    }),
    workerPids: () => ({ worker: stack.pidOf('worker') }),
    trees: [],
    output: () => stack.output(),
    stop: async () => {
      const code = await stack.stop();
      if (code !== 0) throw new Error(`the stack stopped with code ${code}`);
    },
  };
}

async function clusterStack(options: BenchStackOptions): Promise<BenchStack> {
  // Node addresses of the run's own, so a cluster someone runs on 127.0.0.2 is left alone.
  const prefix = `127.${randomInt(1, 255)}.${randomInt(1, 255)}`;
  const cluster: Cluster = await startCluster({
    // The run's directory: the cluster makes its payload keys there, the ones the bench's client decodes with.
    dir: options.dir,
    nodeIps: [`${prefix}.2`, `${prefix}.3`],
    // Settings trials (docs/BENCHMARKS.md): another dynamic config for the Temporal nodes.
    dynamicConfig: process.env.CLUSTER_DYNAMIC_CONFIG,
    beforeServices: (databaseUrls) => prepareInventory(databaseUrls.inventory, options.stock),
    workerEnv: options.env,
    apiEnv: {
      ...options.env,
      API_KEYS: `${API_CLIENT.tenant}:${API_CLIENT.tenant}:${API_CLIENT.key}:client`,
    },
    logLevel: options.env.LOG_LEVEL ?? 'warn',
  });
  const named = (procs: { spec: { name: string }; pid: number | undefined }[]) =>
    Object.fromEntries(procs.map((proc) => [proc.spec.name, proc.pid]));
  return {
    target: 'cluster',
    temporalAddress: cluster.temporalAddress,
    temporalTlsEnv: cluster.temporalTlsEnv,
    apiUrl: cluster.apiUrl,
    workerServiceEnv: cluster.serviceClientEnv,
    pids: () => ({
      ...named(cluster.nodes),
      postgres: cluster.postgres.pid,
      haproxy: cluster.haproxy.pid,
      ...named(cluster.apis),
      ...named(Object.values(cluster.services).flat()),
    }),
    workerPids: () => {
      const [first, ...others] = [...cluster.workflowWorkers, ...cluster.laneWorkers];
      return { worker: first?.pid, ...named(others) };
    },
    trees: ['postgres', 'haproxy'],
    output: () => `logs in ${cluster.dir}`,
    stop: () => cluster.stop(),
  };
}
