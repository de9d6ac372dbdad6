import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFor } from '../../lib/codec/data-converter';
import { ensureDevKeys } from '../../lib/codec/dev-keys';
import { loadPayloadKeys } from '../../lib/codec/payload-keys';
import { LANES } from '../../lib/task-queues';
import type { Lane } from '../../lib/task-queues';
import { temporalTls } from '../../lib/temporal-tls';
import { toolsBinDir } from '../../lib/temporal-tools';
import { freePort } from '../stack/launch';
import { ManagedProcess } from '../stack/managed-process';
import type { ProcessEvent } from '../stack/managed-process';
import { httpOk } from '../stack/supervisor';
import { haproxyProcess } from './haproxy';
import { initPostgres, POSTGRES_SUPERUSER, postgresProcess } from './postgres';
import { FRONTEND_PORT, ownedShards, serverHome, temporalClientTlsEnv, temporalNode } from './temporal-node';

// The production path on one machine (docs/DEPLOYMENT.md#the-cluster): PostgreSQL, two Temporal server nodes
// behind HAProxy, the three services with replicas on their own PostgreSQL databases, workers with the workflow
// and lane roles split, and API instances behind HAProxy. Databases and namespace are set up by the same scripts
// compose runs (docker/postgres/create-databases.sh, docker/temporal/setup-schema.sh, setup-namespace.sh).

const root = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

/** A service's database and its owner, as docker/postgres/create-databases.sh creates them. */
const DATABASES: Record<Lane, string> = { inventory: 'inventory', payment: 'payment', order: 'orders' };

export interface ClusterSecrets {
  postgresPassword: string;
  /** Each service's database owner's own password, as compose gives them (INVENTORY_DB_PASSWORD, ...). */
  serviceDbPasswords: Record<Lane, string>;
  serviceTokens: Record<Lane, string>;
  clientKey: string;
  operatorKey: string;
}

export interface ClusterOptions {
  /** Data (PostgreSQL, keys, secrets) and logs; a cluster started again on the same directory keeps its data. */
  dir: string;
  /** One loopback address per Temporal node (default 127.0.0.2 and 127.0.0.3). */
  nodeIps?: string[];
  /** Fixed when the cluster's databases are created (default 8). */
  historyShards?: number;
  /** The Temporal nodes' dynamic config file (default: compose's, docker/temporal/dynamicconfig/production-sql.yaml). */
  dynamicConfig?: string;
  /** Instances of each service, each worker role and the API (default 2). */
  replicas?: number;
  /** PostgreSQL without fsync: throwaway clusters only (tests). */
  unsafeFastPostgres?: boolean;
  /** Runs once the services' databases exist, before the services start (e.g. to seed stock). */
  beforeServices?: (databaseUrls: Record<Lane, string>) => Promise<void>;
  /** Extra environment per service (fault injection), for the workers and for the APIs. */
  serviceEnv?: (service: Lane) => NodeJS.ProcessEnv;
  workerEnv?: NodeJS.ProcessEnv;
  apiEnv?: NodeJS.ProcessEnv;
  logLevel?: string;
  log?: (line: string) => void;
}

export interface Cluster {
  dir: string;
  /** HAProxy's address in front of the Temporal frontends (mutual TLS: `temporalTlsEnv`). */
  temporalAddress: string;
  /** The TLS settings every client of the cluster's Temporal needs (lib/temporal-tls.ts reads them). */
  temporalTlsEnv: Record<string, string>;
  /** HAProxy's address in front of the API instances. */
  apiUrl: string;
  /** Every replica's URL, per service. */
  serviceUrls: Record<Lane, string[]>;
  /** What a worker needs to call the services: each one's token and replica list (the env of workers/config.ts). */
  serviceClientEnv: Record<string, string>;
  secrets: ClusterSecrets;
  postgres: ManagedProcess;
  postgresPort: number;
  nodes: ManagedProcess[];
  haproxy: ManagedProcess;
  services: Record<Lane, ManagedProcess[]>;
  workflowWorkers: ManagedProcess[];
  laneWorkers: ManagedProcess[];
  apis: ManagedProcess[];
  client: Client;
  events: ProcessEvent[];
  /** The history shards each node owns now (by node name). */
  shards(): Promise<Record<string, number | undefined>>;
  all(): ManagedProcess[];
  stop(): Promise<void>;
}

const secret = () => randomBytes(24).toString('hex');

function loadSecrets(dir: string): ClusterSecrets {
  const file = path.join(dir, 'secrets.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as ClusterSecrets & { serviceDbPassword?: string };
    // A cluster directory made before each owner had its own password: the one password it created them with.
    const shared = stored.serviceDbPassword;
    if (!stored.serviceDbPasswords && shared)
      stored.serviceDbPasswords = { inventory: shared, payment: shared, order: shared };
    return stored;
  }
  const secrets: ClusterSecrets = {
    postgresPassword: secret(),
    serviceDbPasswords: { inventory: secret(), payment: secret(), order: secret() },
    serviceTokens: { inventory: secret(), payment: secret(), order: secret() },
    clientKey: `sk_cluster_client_${secret()}`,
    operatorKey: `sk_cluster_operator_${secret()}`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function shell(script: string, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  try {
    const { stdout, stderr } = await run('sh', [path.join(root, script)], {
      env: { ...process.env, PATH: `${toolsBinDir}:${process.env.PATH}`, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    writeFileSync(logFile, stdout + stderr, { flag: 'a' });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    writeFileSync(logFile, stdout + stderr, { flag: 'a' });
    throw new Error(`${script} failed (see ${logFile}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

/** Every cluster started and not yet stopped, so an interrupted run can stop what it started. */
const runningClusters = new Set<() => Promise<void>>();

export async function stopRunningClusters(): Promise<void> {
  for (const stop of [...runningClusters]) await stop();
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = path.resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const log = options.log ?? (() => undefined);
  const logFile = (name: string) => path.join(dir, `${name}.log`);
  const events: ProcessEvent[] = [];
  const started: ManagedProcess[] = [];
  const replicas = options.replicas ?? 2;
  const nodeIps = options.nodeIps ?? ['127.0.0.2', '127.0.0.3'];
  const secrets = loadSecrets(dir);
  const keys = ensureDevKeys(dir);
  const appLogLevel = options.logLevel ?? 'info';
  const tsx = ['--import', 'tsx'];
  let client: Client | undefined;

  const stopAll = async () => {
    runningClusters.delete(stopAll);
    await client?.connection.close().catch(() => undefined);
    for (const proc of [...started].reverse()) await proc.stop().catch(() => undefined);
    for (const proc of started) await proc.closeLog();
  };
  runningClusters.add(stopAll);
  const startProcess = async (proc: ManagedProcess) => {
    started.push(proc);
    await proc.start();
    return proc;
  };
  const appProcess = (name: string, entry: string, env: NodeJS.ProcessEnv, ready: Partial<ManagedProcess['spec']>) =>
    new ManagedProcess(
      {
        name,
        command: process.execPath,
        args: [...tsx, path.join(root, entry)],
        cwd: root,
        env: { LOG_LEVEL: appLogLevel, ...env },
        logFile: logFile(name),
        ...ready,
      },
      events,
    );

  // Mutual TLS on Temporal, as compose runs it: the certificates once per directory, for both nodes' addresses.
  const tlsDir = path.join(dir, 'tls');
  await run('bash', [path.join(root, 'scripts', 'temporal-certs'), tlsDir, ...nodeIps]);
  const temporalTlsEnv = temporalClientTlsEnv(tlsDir);
  try {
    // PostgreSQL: created once per directory, with compose's databases and owners.
    const pgDir = path.join(dir, 'postgres');
    mkdirSync(pgDir, { recursive: true });
    const fresh = initPostgres({ dir: pgDir, password: secrets.postgresPassword });
    const pgPort = await freePort();
    const postgres = await startProcess(
      postgresProcess({
        dir: pgDir,
        port: pgPort,
        password: secrets.postgresPassword,
        unsafeFast: options.unsafeFastPostgres,
        events,
      }),
    );
    log(`cluster: PostgreSQL on 127.0.0.1:${pgPort}`);
    const pgEnv = { PGHOST: '127.0.0.1', PGPORT: String(pgPort), PGPASSWORD: secrets.postgresPassword };
    if (fresh) {
      await shell(
        'docker/postgres/create-databases.sh',
        {
          ...pgEnv,
          POSTGRES_USER: POSTGRES_SUPERUSER,
          INVENTORY_DB_PASSWORD: secrets.serviceDbPasswords.inventory,
          PAYMENT_DB_PASSWORD: secrets.serviceDbPasswords.payment,
          ORDERS_DB_PASSWORD: secrets.serviceDbPasswords.order,
        },
        logFile('setup'),
      );
    }
    await shell(
      'docker/temporal/setup-schema.sh',
      {
        POSTGRES_SEEDS: '127.0.0.1',
        POSTGRES_PORT: String(pgPort),
        POSTGRES_USER: POSTGRES_SUPERUSER,
        SQL_PASSWORD: secrets.postgresPassword,
        TEMPORAL_SCHEMA_DIR: path.join(serverHome, 'schema', 'postgresql', 'v12'),
      },
      logFile('setup'),
    );
    log('cluster: Temporal schemas ready');

    // The Temporal nodes, one after the other (the first owns every shard until the second joins).
    const nodes: ManagedProcess[] = [];
    for (const [i, ip] of nodeIps.entries()) {
      const name = `temporal-${i + 1}`;
      nodes.push(
        await startProcess(
          temporalNode({
            name,
            ip,
            postgresPort: pgPort,
            postgresPassword: secrets.postgresPassword,
            historyShards: options.historyShards ?? 8,
            dynamicConfig: options.dynamicConfig,
            tlsDir,
            logFile: logFile(name),
            events,
          }),
        ),
      );
      log(`cluster: ${name} on ${ip}:${FRONTEND_PORT}`);
    }

    const apiPorts = await Promise.all(Array.from({ length: replicas }, () => freePort()));
    const temporalPort = await freePort();
    const apiPort = await freePort();
    const haproxy = await startProcess(
      haproxyProcess({
        dir,
        temporal: {
          port: temporalPort,
          backends: nodeIps.map((ip, i) => ({ name: `temporal-${i + 1}`, address: `${ip}:${FRONTEND_PORT}` })),
        },
        api: {
          port: apiPort,
          backends: apiPorts.map((port, i) => ({ name: `api-${i + 1}`, address: `127.0.0.1:${port}` })),
        },
        events,
      }),
    );
    const temporalAddress = `127.0.0.1:${temporalPort}`;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await shell(
      'docker/temporal/setup-namespace.sh',
      { TEMPORAL_ADDRESS: temporalAddress, NAMESPACE: 'default', ...temporalTlsEnv },
      logFile('setup'),
    );
    log(`cluster: namespace and search attributes ready (Temporal through HAProxy at ${temporalAddress})`);

    const databaseUrls = Object.fromEntries(
      LANES.map((lane) => [
        lane,
        `postgresql://${DATABASES[lane]}_svc:${secrets.serviceDbPasswords[lane]}@127.0.0.1:${pgPort}/${DATABASES[lane]}`,
      ]),
    ) as Record<Lane, string>;
    await options.beforeServices?.(databaseUrls);

    // The services: the first replica of each migrates (and seeds) alone, then the others join.
    const services = { inventory: [], payment: [], order: [] } as Record<Lane, ManagedProcess[]>;
    const serviceUrls = { inventory: [], payment: [], order: [] } as Record<Lane, string[]>;
    for (let r = 1; r <= replicas; r++) {
      await Promise.all(
        LANES.map(async (lane) => {
          const port = await freePort();
          const url = `http://127.0.0.1:${port}`;
          serviceUrls[lane].push(url);
          const proc = appProcess(
            `${lane}-${r}`,
            `services/${lane}/main.ts`,
            {
              HOST: '127.0.0.1',
              PORT: String(port),
              DATABASE_URL: databaseUrls[lane],
              SERVICE_TOKEN: secrets.serviceTokens[lane],
              ...options.serviceEnv?.(lane),
            },
            { ready: () => httpOk(`${url}/ready`) },
          );
          services[lane].push(await startProcess(proc));
        }),
      );
    }
    log(`cluster: services up (${replicas} replicas each)`);

    const temporalEnv = { TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: 'default', ...temporalTlsEnv };
    const serviceClientEnv = {
      INVENTORY_SERVICE_TOKEN: secrets.serviceTokens.inventory,
      PAYMENT_SERVICE_TOKEN: secrets.serviceTokens.payment,
      ORDER_SERVICE_TOKEN: secrets.serviceTokens.order,
      // Each worker balances its calls over every replica of a service.
      INVENTORY_URL: serviceUrls.inventory.join(','),
      PAYMENT_URL: serviceUrls.payment.join(','),
      ORDER_URL: serviceUrls.order.join(','),
    };
    const workerEnv = {
      ...temporalEnv,
      PAYLOAD_KEYS_FILE: keys.payloadKeysFile,
      ...serviceClientEnv,
      ...options.workerEnv,
      // Its start is recognised by its "worker started" line (info).
      LOG_LEVEL: ['debug', 'trace'].includes(options.workerEnv?.LOG_LEVEL ?? appLogLevel)
        ? (options.workerEnv?.LOG_LEVEL ?? appLogLevel)
        : 'info',
    };
    const workerReady = { readyLine: /"msg":"worker started"/, readyTimeoutMs: 180_000 };
    const roles = [
      { role: 'workflows', name: 'worker-workflows' },
      { role: LANES.join(','), name: 'worker-lanes' },
    ];
    const workers = await Promise.all(
      roles.flatMap(({ role, name }) =>
        Array.from({ length: replicas }, (_, i) =>
          startProcess(
            appProcess(`${name}-${i + 1}`, 'workers/main.ts', { ...workerEnv, WORKER_ROLES: role }, workerReady),
          ),
        ),
      ),
    );
    log(`cluster: workers up (${replicas} with the workflows role, ${replicas} with the lanes)`);

    const apis = await Promise.all(
      apiPorts.map((port, i) =>
        startProcess(
          appProcess(
            `api-${i + 1}`,
            'api/main.ts',
            {
              ...temporalEnv,
              API_HOST: '127.0.0.1',
              API_PORT: String(port),
              PAYLOAD_KEYS_FILE: keys.payloadKeysFile,
              CUSTOMER_REF_KEY: keys.customerRefKey,
              API_KEYS: `cluster:cluster:${secrets.clientKey}:client,*:ops:${secrets.operatorKey}:operator`,
              ...options.apiEnv,
            },
            { ready: () => httpOk(`http://127.0.0.1:${port}/ready`) },
          ),
        ),
      ),
    );
    // HAProxy's health checks see the APIs within a second or two.
    const deadline = Date.now() + 15_000;
    const apiReady = () => httpOk(`${apiUrl}/ready`).catch(() => false);
    while (!(await apiReady()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    log(`cluster: APIs up (${replicas}, through HAProxy at ${apiUrl})`);

    client = new Client({
      connection: await Connection.connect({ address: temporalAddress, tls: temporalTls(temporalTlsEnv) }),
      dataConverter: dataConverterFor(loadPayloadKeys({ PAYLOAD_KEYS_FILE: keys.payloadKeysFile })),
    });
    return {
      dir,
      temporalAddress,
      temporalTlsEnv,
      apiUrl,
      serviceUrls,
      serviceClientEnv,
      secrets,
      postgres,
      postgresPort: pgPort,
      nodes,
      haproxy,
      services,
      workflowWorkers: workers.slice(0, replicas),
      laneWorkers: workers.slice(replicas),
      apis,
      client,
      events,
      shards: async () =>
        Object.fromEntries(
          await Promise.all(nodeIps.map(async (ip, i) => [`temporal-${i + 1}`, await ownedShards(ip)] as const)),
        ),
      all: () => [...started],
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
