import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { devServerTuningArgs } from '../../lib/dev-server';
import { parseEnv, port } from '../../lib/env';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../lib/search-attributes';
import { LANES, TASK_QUEUES, laneTaskQueue } from '../../lib/task-queues';
import { localToolPath } from '../../lib/temporal-tools';
import { Supervisor, httpOk } from './supervisor';
import { ensureDevKeys } from '../../lib/codec/dev-keys';

const root = path.resolve(__dirname, '..', '..');
const config = parseEnv(
  z.object({
    SAGAFLOW_DATA_DIR: z.string().default(path.join(root, '.data')),
    TEMPORAL_PORT: port(7233),
    TEMPORAL_UI_PORT: port(8233),
    TEMPORAL_NAMESPACE: z.string().default('default'),
    API_PORT: port(7100),
    INVENTORY_PORT: port(7101),
    PAYMENT_PORT: port(7102),
    ORDER_PORT: port(7103),
    CODEC_PORT: port(8234),
    API_METRICS_PORT: port(7110),
    WORKER_METRICS_PORT: port(7111),
    /** The API's own saga worker (API_SAGA_WORKER=on), its SDK and saga metrics. */
    API_WORKER_METRICS_PORT: port(7112),
    /**
     * `on`: the API also runs the saga worker and starts sagas eagerly on it (api/saga-worker.ts); the worker
     * process still runs, for the lanes and every saga task the API's worker does not take.
     */
    API_SAGA_WORKER: z.enum(['on', 'off']).default('off'),
    // Development defaults only; docker-compose and real deployments set their own secrets.
    /** One token for all three services (the bench sets it); otherwise each has its own development token. */
    SERVICE_TOKEN: z.string().min(8).optional(),
    INVENTORY_SERVICE_TOKEN: z.string().min(8).optional(),
    PAYMENT_SERVICE_TOKEN: z.string().min(8).optional(),
    ORDER_SERVICE_TOKEN: z.string().min(8).optional(),
    API_KEYS: z.string().default('demo:demo:sk_demo_client:client,*:ops:sk_demo_operator:operator'),
    /** Who may decode payloads through the codec server (name:secret). */
    CODEC_TOKENS: z.string().default('ops:sk_demo_codec_operator'),
    /** Payload keys; by default a key file made once in the data directory (lib/codec/dev-keys.ts). */
    PAYLOAD_KEYS_FILE: z.string().optional(),
    CUSTOMER_REF_KEY: z.string().optional(),
  }),
);

const temporalAddress = `127.0.0.1:${config.TEMPORAL_PORT}`;
const uiUrl = `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
const apiUrl = `http://127.0.0.1:${config.API_PORT}`;
const codecUrl = `http://127.0.0.1:${config.CODEC_PORT}`;
const services = (
  [
    ['inventory', config.INVENTORY_PORT, config.INVENTORY_SERVICE_TOKEN],
    ['payment', config.PAYMENT_PORT, config.PAYMENT_SERVICE_TOKEN],
    ['order', config.ORDER_PORT, config.ORDER_SERVICE_TOKEN],
  ] as const
).map(([name, servicePort, token]) => ({
  name,
  port: servicePort,
  url: `http://127.0.0.1:${servicePort}`,
  // Each service checks its own token; only the worker's lane for it holds it.
  token: token ?? config.SERVICE_TOKEN ?? `sagaflow-dev-${name}-token`,
}));

function tcpOpen(hostPort: string): Promise<boolean> {
  const [host, portText] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = net.connect(Number(portText), host, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function hasPollers(taskQueue: string, kind: 'workflow' | 'activity'): Promise<boolean> {
  const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 2000 });
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: { name: taskQueue },
      taskQueueType:
        kind === 'workflow'
          ? temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
          : temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return (pollers?.length ?? 0) > 0;
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const temporal = localToolPath('temporal');
  if (!temporal) throw new Error('Temporal CLI not found: run scripts/setup (or set TEMPORAL_CLI_PATH)');
  mkdirSync(config.SAGAFLOW_DATA_DIR, { recursive: true });
  const devKeys = ensureDevKeys(config.SAGAFLOW_DATA_DIR);
  // Everything that talks to Temporal encrypts and decrypts payloads with the same keys.
  const encryption = {
    PAYLOAD_KEYS_FILE: config.PAYLOAD_KEYS_FILE ?? devKeys.payloadKeysFile,
  };
  const tsx = ['--import', 'tsx'];
  const supervisor = new Supervisor();
  let shuttingDown = false;
  const shutdown = async (reason: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stdout.write(`\nstopping the stack (${reason})...\n`);
    await supervisor.stop();
    process.stdout.write('stopped.\n');
    process.exit(reason.startsWith('crash') ? 1 : 0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    await supervisor.start({
      name: 'codec',
      command: process.execPath,
      args: [...tsx, path.join(root, 'codec-server', 'main.ts')],
      env: {
        ...encryption,
        CODEC_PORT: String(config.CODEC_PORT),
        CODEC_TOKENS: config.CODEC_TOKENS,
        CODEC_CORS_ORIGINS: uiUrl,
        CODEC_NAMESPACES: config.TEMPORAL_NAMESPACE,
      },
      ready: () => httpOk(`${codecUrl}/health`),
    });
    await supervisor.start({
      name: 'temporal',
      command: temporal,
      args: [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(config.TEMPORAL_PORT),
        '--ui-port',
        String(config.TEMPORAL_UI_PORT),
        '--namespace',
        config.TEMPORAL_NAMESPACE,
        '--db-filename',
        path.join(config.SAGAFLOW_DATA_DIR, 'temporal.db'),
        // SQLite's defaults (rollback journal, synchronous=FULL) make every history write wait for several
        // fsyncs; a write-ahead log with synchronous=NORMAL survives a crash of the process and is several
        // times faster (docs/BENCHMARKS.md). A power cut may lose the last moments of a dev server's history.
        '--sqlite-pragma',
        'journal_mode=wal',
        '--sqlite-pragma',
        'synchronous=normal',
        '--ui-codec-endpoint',
        codecUrl,
        '--log-level',
        'error',
        ...SEARCH_ATTRIBUTE_FLAGS.flatMap((flag) => ['--search-attribute', flag]),
        // Task dispatch in ~2 ms instead of ~45 ms (lib/dev-server.ts); SAGAFLOW_DEV_SERVER_TUNING=off for stock.
        ...devServerTuningArgs,
      ],
      ready: async () => (await tcpOpen(temporalAddress)) && (await httpOk(uiUrl)),
    });
    for (const service of services) {
      await supervisor.start({
        name: service.name,
        command: process.execPath,
        args: [...tsx, path.join(root, 'services', service.name, 'main.ts')],
        env: {
          PORT: String(service.port),
          DATABASE_URL: `file:${path.join(config.SAGAFLOW_DATA_DIR, `${service.name}.db`)}`,
          SERVICE_TOKEN: service.token,
        },
        ready: () => httpOk(`${service.url}/ready`),
      });
    }
    // What a worker running the sagas' local steps needs: every service's URL and token.
    const serviceClientEnv = Object.fromEntries(
      services.flatMap((service) => [
        [`${service.name.toUpperCase()}_URL`, service.url],
        [`${service.name.toUpperCase()}_SERVICE_TOKEN`, service.token],
      ]),
    );
    await supervisor.start({
      name: 'worker',
      command: process.execPath,
      args: [...tsx, path.join(root, 'workers', 'main.ts')],
      env: {
        TEMPORAL_ADDRESS: temporalAddress,
        TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
        WORKER_METRICS_PORT: String(config.WORKER_METRICS_PORT),
        ...encryption,
        ...serviceClientEnv,
      },
      ready: async () =>
        (await hasPollers(TASK_QUEUES.orders, 'workflow')) &&
        (await Promise.all(LANES.map((lane) => hasPollers(laneTaskQueue(TASK_QUEUES.orders, lane), 'activity')))).every(
          Boolean,
        ),
    });
    await supervisor.start({
      name: 'api',
      command: process.execPath,
      args: [...tsx, path.join(root, 'api', 'main.ts')],
      env: {
        API_PORT: String(config.API_PORT),
        API_METRICS_PORT: String(config.API_METRICS_PORT),
        TEMPORAL_ADDRESS: temporalAddress,
        TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
        API_KEYS: config.API_KEYS,
        ...encryption,
        CUSTOMER_REF_KEY: config.CUSTOMER_REF_KEY ?? devKeys.customerRefKey,
        API_SAGA_WORKER: config.API_SAGA_WORKER,
        ...(config.API_SAGA_WORKER === 'on'
          ? { WORKER_METRICS_PORT: String(config.API_WORKER_METRICS_PORT), ...serviceClientEnv }
          : {}),
      },
      ready: () => httpOk(`${apiUrl}/ready`),
    });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown('crash during start');
    return;
  }

  process.stdout.write(
    [
      '',
      'sagaflow is up (Ctrl-C to stop):',
      `  Temporal server   ${temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE})`,
      `  Temporal Web UI   ${uiUrl}`,
      `  codec server      ${codecUrl}  (payloads are encrypted; to read them in the UI sign in at ${codecUrl}/login`,
      `                    with a CODEC_TOKENS secret, docs/OPERATIONS.md "Reading encrypted payloads")`,
      `  API               ${apiUrl}  (docs ${apiUrl}/docs)`,
      ...services.map((service) => `  ${service.name.padEnd(18)}${service.url}`),
      `  worker            task queue ${TASK_QUEUES.orders} (+ lanes ${LANES.join(', ')})`,
      `  metrics           api http://127.0.0.1:${config.API_METRICS_PORT}/metrics, worker http://127.0.0.1:${config.WORKER_METRICS_PORT}/metrics,`,
      ...(config.API_SAGA_WORKER === 'on'
        ? [`                    the API's saga worker http://127.0.0.1:${config.API_WORKER_METRICS_PORT}/metrics,`]
        : []),
      `                    each service at its /metrics (docs/OPERATIONS.md "Metrics")`,
      `  data              ${config.SAGAFLOW_DATA_DIR}`,
      `  API keys          ${config.API_KEYS}`,
      `  codec tokens      ${config.CODEC_TOKENS}`,
      `  try it            bash scripts/demo`,
      'READY',
      '',
    ].join('\n'),
  );
  const crashed = await supervisor.givenUp();
  await shutdown(`crash: ${crashed} keeps exiting`);
}

void main();
