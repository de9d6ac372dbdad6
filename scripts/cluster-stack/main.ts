import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '../../lib/env';
import { startCluster, stopRunningClusters } from './cluster';

// npm run cluster: the production path on this machine (scripts/cluster-stack/cluster.ts) until Ctrl-C.

const config = parseEnv(
  z.object({
    CLUSTER_DIR: z
      .string()
      .min(1)
      .default(path.resolve(__dirname, '..', '..', '.data', 'cluster')),
    CLUSTER_NODE_IPS: z
      .string()
      .default('127.0.0.2,127.0.0.3')
      .transform((value) => value.split(',').map((ip) => ip.trim()))
      .pipe(z.array(z.ipv4().startsWith('127.')).min(1)),
    CLUSTER_REPLICAS: z.coerce.number().int().min(1).max(8).default(2),
    NUM_HISTORY_SHARDS: z.coerce.number().int().min(1).max(16_384).default(8),
    /** Another dynamic config file for the Temporal nodes (default: compose's). */
    CLUSTER_DYNAMIC_CONFIG: z.string().min(1).optional(),
    LOG_LEVEL: z.string().default('info'),
  }),
);

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  say(`[cluster] starting in ${config.CLUSTER_DIR} (logs there)`);
  const cluster = await startCluster({
    dir: config.CLUSTER_DIR,
    nodeIps: config.CLUSTER_NODE_IPS,
    replicas: config.CLUSTER_REPLICAS,
    historyShards: config.NUM_HISTORY_SHARDS,
    dynamicConfig: config.CLUSTER_DYNAMIC_CONFIG,
    logLevel: config.LOG_LEVEL,
    log: (line) => say(`[${line.split(':')[0]}]${line.slice(line.indexOf(':') + 1)}`),
  });
  for (const proc of cluster.all()) {
    proc.onUnexpectedExit((reason) => say(`[cluster] ${reason} (see ${proc.spec.logFile})`));
  }
  say(
    [
      '',
      'sagaflow cluster is up (Ctrl-C stops it):',
      `  API (HAProxy)         ${cluster.apiUrl}  -> ${cluster.apis.length} instances`,
      `  Temporal (HAProxy)    ${cluster.temporalAddress}  -> ${config.CLUSTER_NODE_IPS.map((ip) => `${ip}:7233`).join(', ')}`,
      `  Temporal mutual TLS   export ${Object.entries(cluster.temporalTlsEnv)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ')}`,
      `  history shards        ${Object.entries(await cluster.shards())
        .map(([node, n]) => `${node}: ${n ?? '?'}`)
        .join(', ')} (of ${config.NUM_HISTORY_SHARDS})`,
      `  PostgreSQL            127.0.0.1:${cluster.postgresPort} (superuser temporal, password in ${path.join(cluster.dir, 'secrets.json')})`,
      ...(['inventory', 'payment', 'order'] as const).map(
        (service) => `  ${service.padEnd(22)}${cluster.serviceUrls[service].join(', ')}`,
      ),
      `  workers               ${cluster.workflowWorkers.length} workflows, ${cluster.laneWorkers.length} lanes`,
      `  client API key        ${cluster.secrets.clientKey}`,
      `  operator API key      ${cluster.secrets.operatorKey}`,
      '',
      'READY',
    ].join('\n'),
  );
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    say(`[cluster] ${signal}: stopping every process`);
    void stopRunningClusters().finally(() => process.exit(0));
  });
}

main().catch(async (error: unknown) => {
  process.stderr.write(`[cluster] ${error instanceof Error ? error.message : String(error)}\n`);
  await stopRunningClusters();
  process.exit(1);
});
