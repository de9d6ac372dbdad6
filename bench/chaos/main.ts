import { parseArgs } from 'node:util';
import { DEFAULT_FAULTS, runChaos } from './run';
import { stopRunningClusters } from '../../scripts/cluster-stack/cluster';
import type { ClusterFault } from './options';
import { SERVICES, stopRunningStacks } from './stack';
import { CLUSTER_FAULTS } from './target';
import type { ServiceName } from './stack';
import { DEFAULT_MIX } from './workload';
import type { OrderKind } from './workload';

// npm run chaos -- --sagas 1000 --concurrency 50 (see usage below; docs/CHAOS.md)
// Prints progress on stderr and the JSON summary on stdout; exits 1 when an invariant fails.

const usage = `usage: npm run chaos -- [--sagas N] [--concurrency C] [--budget-minutes M] [--worker-kills K]
  [--service inventory|payment|order|none] [--signal SIGKILL|SIGTERM] [--down-ms MS] [--service-down-ms MS]
  [--fault-rate R] [--latency-ms MS] [--lost-rate R] [--seed S] [--mix kind=weight,...] [--postgres ADMIN_URL] [--resolve-parked] [--keep]
  [--cluster] [--cluster-faults temporal-node,worker,service-replica,postgres] [--node-down-ms MS] [--postgres-down-ms MS]
  --cluster: on the production cluster (scripts/cluster) with its faults instead of --worker-kills and --service
  kinds: ${Object.keys(DEFAULT_MIX).join(', ')} (default ${Object.entries(DEFAULT_MIX)
    .map(([kind, weight]) => `${kind}=${weight}`)
    .join(',')})`;

function parseMix(value: string | undefined): Record<OrderKind, number> | undefined {
  if (value === undefined) return undefined;
  const mix = Object.fromEntries(Object.keys(DEFAULT_MIX).map((kind) => [kind, 0])) as Record<OrderKind, number>;
  for (const entry of value.split(',')) {
    const [kind = '', weight = ''] = entry.split('=');
    if (!(kind in mix) || !(Number(weight) >= 0)) throw new Error(`--mix: bad entry ${entry}\n${usage}`);
    mix[kind as OrderKind] = Number(weight);
  }
  if (Object.values(mix).every((weight) => weight === 0)) throw new Error(`--mix: every weight is 0\n${usage}`);
  return mix;
}

function parseClusterFaults(value: string | undefined): ClusterFault[] {
  if (value === undefined) return [...CLUSTER_FAULTS];
  const faults = value.split(',').map((fault) => fault.trim());
  for (const fault of faults) {
    if (!(CLUSTER_FAULTS as readonly string[]).includes(fault))
      throw new Error(`--cluster-faults: ${fault}?\n${usage}`);
  }
  return faults as ClusterFault[];
}

function number(value: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new Error(`--${name} must be a number in ${min}..${max}\n${usage}`);
  }
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sagas: { type: 'string' },
      concurrency: { type: 'string' },
      'budget-minutes': { type: 'string' },
      'worker-kills': { type: 'string' },
      service: { type: 'string' },
      signal: { type: 'string' },
      'down-ms': { type: 'string' },
      'service-down-ms': { type: 'string' },
      'resolve-parked': { type: 'boolean' },
      'fault-rate': { type: 'string' },
      'latency-ms': { type: 'string' },
      'lost-rate': { type: 'string' },
      seed: { type: 'string' },
      mix: { type: 'string' },
      postgres: { type: 'string' },
      cluster: { type: 'boolean', default: false },
      'cluster-faults': { type: 'string' },
      'node-down-ms': { type: 'string' },
      'postgres-down-ms': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const service = values.service ?? 'payment';
  if (service !== 'none' && !(SERVICES as readonly string[]).includes(service)) throw new Error(usage);
  const signal = values.signal ?? 'SIGKILL';
  if (signal !== 'SIGKILL' && signal !== 'SIGTERM') throw new Error(usage);
  const sagas = number(values.sagas, 1000, 'sagas', 1, 5000);
  const summary = await runChaos({
    sagas,
    concurrency: number(values.concurrency, 50, 'concurrency', 1, 200),
    seed: number(values.seed, 1, 'seed', 0, 2 ** 31),
    budgetMs: number(values['budget-minutes'], 45, 'budget-minutes', 1, 180) * 60_000,
    workerKills: number(values['worker-kills'], 2, 'worker-kills', 0, 10),
    restartService: service === 'none' ? null : (service as ServiceName),
    serviceSignal: signal,
    downMs: number(values['down-ms'], 2_000, 'down-ms', 0, 600_000),
    ...(values['service-down-ms'] === undefined
      ? {}
      : { serviceDownMs: number(values['service-down-ms'], 2_000, 'service-down-ms', 0, 600_000) }),
    faults: {
      rate: number(values['fault-rate'], DEFAULT_FAULTS.rate!, 'fault-rate', 0, 0.5),
      latencyMs: number(values['latency-ms'], DEFAULT_FAULTS.latencyMs!, 'latency-ms', 0, 5_000),
      lostResponseRate: number(values['lost-rate'], DEFAULT_FAULTS.lostResponseRate!, 'lost-rate', 0, 0.5),
    },
    mix: parseMix(values.mix),
    database: values.postgres ? { kind: 'postgres', adminUrl: values.postgres } : { kind: 'sqlite' },
    contentionStockRatio: 0.5,
    ...(values.cluster
      ? {
          cluster: {
            faults: parseClusterFaults(values['cluster-faults']),
            nodeDownMs: number(values['node-down-ms'], 5_000, 'node-down-ms', 0, 600_000),
            postgresDownMs: number(values['postgres-down-ms'], 10_000, 'postgres-down-ms', 0, 600_000),
          },
        }
      : {}),
    resolveParked: values['resolve-parked'] ?? false,
    keep: values.keep,
    log: (line) => console.error(`${new Date().toISOString()} ${line}`),
  });
  console.log(JSON.stringify(summary, null, 2));
  for (const action of summary.chaos) {
    const recovered = action.recoveredMs === undefined ? 'not measured' : `recovered after ${action.recoveredMs} ms`;
    console.error(`fault ${action.action} at ${action.at}: back up in ${action.tookMs} ms, ${recovered}`);
  }
  for (const result of summary.invariants) {
    console.error(`${result.ok ? 'ok  ' : 'FAIL'} ${result.name} (${result.checked} checked)`);
    for (const violation of result.violations) console.error(`       ${violation}`);
  }
  console.error(summary.ok ? 'chaos: every invariant holds' : `chaos: FAILED (logs in ${summary.dir})`);
  process.exitCode = summary.ok ? 0 : 1;
}

// Interrupted: stop every process the run started (they run in their own process groups), then exit.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`chaos: ${signal}: stopping the processes it started`);
    void Promise.all([stopRunningStacks(), stopRunningClusters()]).finally(() => process.exit(130));
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
});
