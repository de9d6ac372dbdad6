import { temporalTlsProbe } from '../../scripts/cluster-stack/tls-probe';
import type { Client } from '@temporalio/client';
import { startCluster } from '../../scripts/cluster-stack/cluster';
import type { ManagedProcess } from '../../scripts/stack/managed-process';
import type { ServiceEndpoint } from './observe';
import type { ChaosOptions, ClusterFault } from './options';
import { CLIENT_KEY, OPERATOR_KEY, SERVICE_TOKEN, SERVICES, seedStock, startChaosStack } from './stack';
import type { ChaosStackOptions, ServiceName } from './stack';

// What a chaos run points at: the dev stack (one process per role, the dev server) or the production cluster
// (scripts/cluster-stack), with the faults each one gets, in the order they come due.

export interface Fault {
  /** Due once this share of the planned sagas has closed. */
  fraction: number;
  action: string;
  run: () => Promise<void>;
}

export interface ChaosTarget {
  temporalAddress: string;
  apiUrl: string;
  services: Record<ServiceName, ServiceEndpoint>;
  client: Client;
  faults: Fault[];
  /** The cluster's history shards per Temporal node, read once it is up. */
  shards?: Record<string, number | undefined>;
  /** What the cluster's frontend does with clients without mutual TLS (both must be refused). */
  temporalTls?: Awaited<ReturnType<typeof temporalTlsProbe>>;
  all(): ManagedProcess[];
  stop(): Promise<void>;
}

type StackSettings = Pick<ChaosStackOptions, 'dir' | 'faults' | 'stock' | 'paymentSlowMs'>;

/** Where worker kills fall: spread over the first 70% of the run. */
const spread = (count: number) => Array.from({ length: count }, (_, i) => (0.7 * (i + 1)) / (count + 1));

export async function startDevTarget(options: ChaosOptions, settings: StackSettings): Promise<ChaosTarget> {
  const stack = await startChaosStack({ ...settings, database: options.database });
  const faults: Fault[] = spread(options.workerKills).map((fraction) => ({
    fraction,
    action: 'worker SIGKILL + restart',
    run: () => stack.worker.restart('SIGKILL', options.downMs),
  }));
  if (options.restartService) {
    const service = stack.services[options.restartService];
    faults.push({
      fraction: 0.6,
      action: `${options.restartService} ${options.serviceSignal} + restart`,
      run: () => service.restart(options.serviceSignal, options.serviceDownMs ?? options.downMs),
    });
  }
  return {
    temporalAddress: stack.temporalAddress,
    apiUrl: stack.apiUrl,
    services: Object.fromEntries(
      SERVICES.map((service) => [service, { url: stack.serviceUrls[service], token: SERVICE_TOKEN }]),
    ) as Record<ServiceName, ServiceEndpoint>,
    client: stack.client,
    faults: faults.sort((a, b) => a.fraction - b.fraction),
    all: stack.all,
    stop: stack.stop,
  };
}

export const CLUSTER_FAULTS: readonly ClusterFault[] = ['temporal-node', 'worker', 'service-replica', 'postgres'];

export async function startClusterTarget(
  options: ChaosOptions & { cluster: NonNullable<ChaosOptions['cluster']> },
  settings: StackSettings,
): Promise<ChaosTarget> {
  const { cluster: clusterOptions } = options;
  const cluster = await startCluster({
    dir: settings.dir,
    nodeIps: clusterOptions.nodeIps,
    historyShards: clusterOptions.historyShards,
    unsafeFastPostgres: clusterOptions.unsafeFastPostgres,
    beforeServices: (databaseUrls) => seedStock(databaseUrls.inventory, settings.stock),
    serviceEnv: (service) => {
      const faults = settings.faults[service] ?? {};
      const prefix = service.toUpperCase();
      return {
        // One line per request (with its X-Workflow-Id and Idempotency-Key) in the log file, for forensics.
        LOG_LEVEL: 'debug',
        [`${prefix}_FAULT_RATE`]: String(faults.rate ?? 0),
        [`${prefix}_FAULT_LATENCY_MS`]: String(faults.latencyMs ?? 0),
        [`${prefix}_FAULT_LOST_RESPONSE_RATE`]: String(faults.lostResponseRate ?? 0),
        PAYMENT_SLOW_MS: String(settings.paymentSlowMs ?? 2_000),
      };
    },
    apiEnv: {
      API_KEYS: `chaos:chaos:${CLIENT_KEY}:client,*:chaosops:${OPERATOR_KEY}:operator`,
      RATE_LIMIT_PER_MINUTE: '10000000',
      APPROVAL_THRESHOLD_MINOR: '1000000000',
      TEMPORAL_RPC_TIMEOUT_MS: '10000',
      LOG_LEVEL: 'warn',
    },
    logLevel: 'info',
    log: options.log,
  });
  // In turn, spread over the run: a Temporal node, a worker with the workflows role (its sagas' cached state and
  // local steps in flight are lost), a payment replica, then PostgreSQL under everything.
  const actions: Record<ClusterFault, Omit<Fault, 'fraction'>> = {
    'temporal-node': {
      action: 'temporal-2 SIGKILL + restart',
      run: () => cluster.nodes[cluster.nodes.length - 1]!.restart('SIGKILL', clusterOptions.nodeDownMs),
    },
    worker: {
      action: 'worker-workflows-1 SIGKILL + restart',
      run: () => cluster.workflowWorkers[0]!.restart('SIGKILL', options.downMs),
    },
    'service-replica': {
      action: 'payment-1 SIGKILL + restart',
      run: () => cluster.services.payment[0]!.restart('SIGKILL', options.downMs),
    },
    postgres: {
      action: `postgres stop + ${clusterOptions.postgresDownMs / 1000} s + start`,
      run: () => cluster.postgres.restart('SIGINT', clusterOptions.postgresDownMs),
    },
  };
  const chosen = clusterOptions.faults;
  const faults = chosen.map((fault, i) => ({ fraction: (0.8 * (i + 1)) / (chosen.length + 1), ...actions[fault] }));
  // The harness reads each service through its last replica (the faults hit the first).
  const services = Object.fromEntries(
    SERVICES.map((service) => [
      service,
      { url: cluster.serviceUrls[service].at(-1)!, token: cluster.secrets.serviceTokens[service] },
    ]),
  ) as Record<ServiceName, ServiceEndpoint>;
  return {
    temporalAddress: cluster.temporalAddress,
    apiUrl: cluster.apiUrl,
    services,
    client: cluster.client,
    faults,
    shards: await cluster.shards(),
    temporalTls: await temporalTlsProbe(cluster.temporalAddress, cluster.temporalTlsEnv),
    all: cluster.all,
    stop: cluster.stop,
  };
}
