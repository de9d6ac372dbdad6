import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { migrate } from '../../lib/db/migrate';
import { createPostgresDatabase, dropPostgresDatabase } from '../../lib/db/postgres-admin';
import { parseDatabaseUrl } from '../../lib/db/url';
import type { FaultConfig } from '../../lib/http/fault-injection';
import { dataConverterFor } from '../../lib/codec/data-converter';
import { ensureDevKeys } from '../../lib/codec/dev-keys';
import { devServerTuningArgs } from '../../lib/dev-server';
import { loadPayloadKeys } from '../../lib/codec/payload-keys';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../lib/search-attributes';
import { localToolPath } from '../../lib/temporal-tools';
import { DEMO_CATALOGUE } from '../../prisma/catalogue';
import type { CatalogueProduct } from '../../prisma/catalogue';
import { freePort } from '../../scripts/stack/launch';
import { httpOk } from '../../scripts/stack/supervisor';
import { inventoryMigrations, openInventoryDb } from '../../services/inventory/db';
import { seedInventory } from '../../services/inventory/seed';
import { ManagedProcess } from '../../scripts/stack/managed-process';
import type { ProcessEvent } from '../../scripts/stack/managed-process';

// The chaos stack: the real processes (Temporal dev server, three services, worker, API) on free loopback ports,
// each its own process group so a SIGKILL is real, with the services' databases on SQLite files in the run
// directory or on fresh PostgreSQL databases.

const root = path.resolve(__dirname, '..', '..');
export const SERVICES = ['inventory', 'payment', 'order'] as const;
export type ServiceName = (typeof SERVICES)[number];
export const SERVICE_TOKEN = 'chaos-service-token';
export const CLIENT_KEY = 'sk_chaos_client';
export const OPERATOR_KEY = 'sk_chaos_operator';

export interface ChaosStackOptions {
  /** Logs and SQLite files go here. */
  dir: string;
  database: { kind: 'sqlite' } | { kind: 'postgres'; adminUrl: string };
  faults: Partial<Record<ServiceName, FaultConfig>>;
  /** Initial stock per product, seeded before the inventory service first starts. */
  stock: (product: CatalogueProduct) => number;
  paymentSlowMs?: number;
  paymentFlakyFailures?: number;
  /** Extra worker environment (concurrency, timeouts). */
  workerEnv?: NodeJS.ProcessEnv;
  logLevel?: string;
}

export interface ChaosStack {
  temporalAddress: string;
  apiUrl: string;
  serviceUrls: Record<ServiceName, string>;
  temporal: ManagedProcess;
  services: Record<ServiceName, ManagedProcess>;
  worker: ManagedProcess;
  api: ManagedProcess;
  client: Client;
  events: ProcessEvent[];
  all(): ManagedProcess[];
  stop(): Promise<void>;
}

/** Migrates the inventory database and seeds the catalogue with the run's stock (the service keeps it on start). */
export async function seedStock(databaseUrl: string, stock: ChaosStackOptions['stock']): Promise<void> {
  const target = parseDatabaseUrl(databaseUrl);
  await migrate({ target, migrationsDir: inventoryMigrations(target.provider) });
  const db = openInventoryDb(target);
  try {
    await seedInventory(
      db,
      DEMO_CATALOGUE.map((product) => ({ ...product, stock: stock(product) })),
    );
  } finally {
    await db.close();
  }
}

/** Every stack started and not yet stopped, so an interrupted run (Ctrl-C) can still stop what it started. */
const runningStacks = new Set<() => Promise<void>>();

export async function stopRunningStacks(): Promise<void> {
  for (const stop of [...runningStacks]) await stop();
}

export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const events: ProcessEvent[] = [];
  const started: ManagedProcess[] = [];
  const temporalBinary = localToolPath('temporal');
  if (!temporalBinary) throw new Error('Temporal CLI not found: run scripts/setup (or set TEMPORAL_CLI_PATH)');
  const logLevel = options.logLevel ?? 'warn';
  const tsx = ['--import', 'tsx'];
  const log = (name: string) => path.join(options.dir, `${name}.log`);
  // Payloads are encrypted as in production, with keys made in the run's directory.
  const devKeys = ensureDevKeys(options.dir);
  const encryption = { PAYLOAD_KEYS_FILE: devKeys.payloadKeysFile };

  const databases: Record<ServiceName, string> = {} as Record<ServiceName, string>;
  const pgNames: string[] = [];
  const suffix = randomBytes(4).toString('hex');
  for (const service of SERVICES) {
    if (options.database.kind === 'sqlite') {
      databases[service] = `file:${path.join(options.dir, `${service}.db`)}`;
    } else {
      const name = `chaos_${suffix}_${service}`;
      databases[service] = await createPostgresDatabase(options.database.adminUrl, name);
      pgNames.push(name);
    }
  }
  const dropDatabases = async () => {
    if (options.database.kind !== 'postgres') return;
    for (const name of pgNames) await dropPostgresDatabase(options.database.adminUrl, name).catch(() => undefined);
  };

  let client: Client | undefined;
  const stopAll = async () => {
    runningStacks.delete(stopAll);
    await client?.connection.close().catch(() => undefined);
    for (const proc of [...started].reverse()) await proc.stop().catch(() => undefined);
    for (const proc of started) await proc.closeLog();
    await dropDatabases();
  };

  runningStacks.add(stopAll);
  try {
    await seedStock(databases.inventory, options.stock);

    const temporalPort = await freePort();
    const temporalAddress = `127.0.0.1:${temporalPort}`;
    const temporal = new ManagedProcess(
      {
        name: 'temporal',
        command: temporalBinary,
        args: [
          'server',
          'start-dev',
          '--ip',
          '127.0.0.1',
          '--port',
          String(temporalPort),
          '--headless',
          '--log-level',
          'error',
          ...SEARCH_ATTRIBUTE_FLAGS.flatMap((flag) => ['--search-attribute', flag]),
          // Task dispatch in ~2 ms instead of ~45 ms (lib/dev-server.ts); SAGAFLOW_DEV_SERVER_TUNING=off for stock.
          ...devServerTuningArgs,
        ],
        logFile: log('temporal'),
        ready: async () => {
          const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 1_000 });
          try {
            await connection.workflowService.getSystemInfo({});
            return true;
          } finally {
            await connection.close();
          }
        },
      },
      events,
    );
    started.push(temporal);
    await temporal.start();
    client = new Client({
      connection: await Connection.connect({ address: temporalAddress }),
      dataConverter: dataConverterFor(loadPayloadKeys(encryption)),
    });

    const serviceUrls = {} as Record<ServiceName, string>;
    const services = {} as Record<ServiceName, ManagedProcess>;
    for (const service of SERVICES) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const faults = options.faults[service] ?? {};
      const prefix = service.toUpperCase();
      serviceUrls[service] = url;
      services[service] = new ManagedProcess(
        {
          name: service,
          command: process.execPath,
          args: [...tsx, path.join(root, 'services', service, 'main.ts')],
          cwd: root,
          env: {
            PORT: String(port),
            DATABASE_URL: databases[service],
            SERVICE_TOKEN,
            // One line per request (with its X-Workflow-Id and Idempotency-Key) in the log file, for forensics.
            LOG_LEVEL: options.logLevel ?? 'debug',
            [`${prefix}_FAULT_RATE`]: String(faults.rate ?? 0),
            [`${prefix}_FAULT_LATENCY_MS`]: String(faults.latencyMs ?? 0),
            [`${prefix}_FAULT_LOST_RESPONSE_RATE`]: String(faults.lostResponseRate ?? 0),
            PAYMENT_SLOW_MS: String(options.paymentSlowMs ?? 2_000),
            PAYMENT_FLAKY_FAILURES: String(options.paymentFlakyFailures ?? 2),
          },
          logFile: log(service),
          ready: () => httpOk(`${url}/ready`),
        },
        events,
      );
      started.push(services[service]);
      await services[service].start();
    }

    const worker = new ManagedProcess(
      {
        name: 'worker',
        command: process.execPath,
        args: [...tsx, path.join(root, 'workers', 'main.ts')],
        cwd: root,
        env: {
          TEMPORAL_ADDRESS: temporalAddress,
          SERVICE_TOKEN,
          ...encryption,
          LOG_LEVEL: logLevel === 'warn' ? 'info' : logLevel,
          INVENTORY_URL: serviceUrls.inventory,
          PAYMENT_URL: serviceUrls.payment,
          ORDER_URL: serviceUrls.order,
          ...options.workerEnv,
        },
        logFile: log('worker'),
        // The worker logs this once every poller is created (the workflow bundle is built by then).
        readyLine: /"msg":"worker started"/,
        readyTimeoutMs: 180_000,
      },
      events,
    );
    started.push(worker);
    await worker.start();

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = new ManagedProcess(
      {
        name: 'api',
        command: process.execPath,
        args: [...tsx, path.join(root, 'api', 'main.ts')],
        cwd: root,
        env: {
          API_PORT: String(apiPort),
          TEMPORAL_ADDRESS: temporalAddress,
          API_KEYS: `chaos:chaos:${CLIENT_KEY}:client,*:chaosops:${OPERATOR_KEY}:operator`,
          // Loopback load from one key: the per-key rate limit is not what is under test.
          RATE_LIMIT_PER_MINUTE: '10000000',
          // No order waits for a manual approval (an operator decision is not part of the run).
          APPROVAL_THRESHOLD_MINOR: '1000000000',
          TEMPORAL_RPC_TIMEOUT_MS: '10000',
          ...encryption,
          CUSTOMER_REF_KEY: devKeys.customerRefKey,
          LOG_LEVEL: logLevel,
        },
        logFile: log('api'),
        ready: () => httpOk(`${apiUrl}/ready`),
      },
      events,
    );
    started.push(api);
    await api.start();

    const connectedClient = client;
    return {
      temporalAddress,
      apiUrl,
      serviceUrls,
      temporal,
      services,
      worker,
      api,
      client: connectedClient,
      events,
      all: () => [...started],
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
