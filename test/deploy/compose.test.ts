import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { msToNumber } from '@temporalio/common/lib/time';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../lib/search-attributes';
import { loadWorkerConfig } from '../../workers/config';
import { DYNAMIC_CONFIG, temporalNodeEnv } from '../../scripts/cluster-stack/temporal-node';

// docker-compose.yml cannot run here (no Docker engine); it is resolved by Docker Compose itself and checked.
const root = path.resolve(__dirname, '..', '..');

function compose(args: string[]): string {
  const local = path.join(root, '.tools', 'bin', 'docker-compose');
  const [command, prefix] = existsSync(local) ? [local, []] : ['docker', ['compose']];
  return execFileSync(command, [...prefix, '--env-file', '.env.example', ...args], { cwd: root, encoding: 'utf8' });
}

interface ComposeService {
  image?: string;
  command?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  environment?: Record<string, string>;
  ports?: { host_ip?: string; published: string; target: number }[];
  secrets?: { source: string }[];
  stop_grace_period?: string;
  networks?: Record<string, unknown>;
}

describe('docker-compose.yml', () => {
  const config = JSON.parse(compose(['config', '--format', 'json'])) as {
    services: Record<string, ComposeService>;
    networks: Record<string, { internal?: boolean }>;
  };
  const services = config.services;

  it('runs the whole production-like stack', () => {
    assert.deepEqual(Object.keys(services).sort(), [
      'api',
      'codec-server',
      'grafana',
      'inventory',
      'jaeger',
      'order',
      'payment',
      'postgres',
      'prometheus',
      'temporal',
      'temporal-namespace',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ]);
  });

  it('separates who reaches whom: PostgreSQL, Temporal and the services each on an internal network of their own', () => {
    const on = (name: string) => Object.keys(services[name]?.networks ?? {}).sort();
    const members = (network: string) =>
      Object.keys(services)
        .filter((name) => network in (services[name]!.networks ?? {}))
        .sort();
    for (const network of ['data', 'temporal', 'services']) assert.equal(config.networks[network]?.internal, true);
    assert.deepEqual(members('data'), ['inventory', 'order', 'payment', 'postgres', 'temporal', 'temporal-schema']);
    assert.deepEqual(members('services'), ['inventory', 'jaeger', 'order', 'payment', 'prometheus', 'worker']);
    assert.deepEqual(members('temporal'), [
      'api',
      'jaeger',
      'prometheus',
      'temporal',
      'temporal-namespace',
      'temporal-ui',
      'worker',
    ]);
    // The API cannot call a service or PostgreSQL; a service cannot reach Temporal; the codec server reaches neither.
    assert.deepEqual(on('api'), ['edge', 'temporal']);
    assert.deepEqual(on('inventory'), ['data', 'services']);
    assert.deepEqual(on('codec-server'), ['edge']);
    // Every published port is on edge, the one network that is not internal.
    for (const [name, service] of Object.entries(services)) {
      if (service.ports?.length) assert.ok(on(name).includes('edge'), `${name} publishes a port off edge`);
    }
  });

  it("requires mutual TLS on Temporal's frontend: every client of it presents the client certificate, keys stay put", () => {
    const temporal = services.temporal!;
    assert.equal(temporal.environment!.TEMPORAL_TLS_REQUIRE_CLIENT_AUTH, 'true');
    assert.deepEqual(temporal.secrets?.map((s) => s.source).sort(), [
      'temporal_ca',
      'temporal_server_cert',
      'temporal_server_key',
    ]);
    const clients = Object.keys(services).filter((name) => 'TEMPORAL_ADDRESS' in (services[name]!.environment ?? {}));
    assert.deepEqual(clients.sort(), ['api', 'temporal-namespace', 'temporal-ui', 'worker']);
    for (const name of clients) {
      const env = services[name]!.environment!;
      assert.deepEqual(
        [env.TEMPORAL_TLS_CA, env.TEMPORAL_TLS_CERT, env.TEMPORAL_TLS_KEY, env.TEMPORAL_TLS_SERVER_NAME],
        [
          '/run/secrets/temporal_ca',
          '/run/secrets/temporal_client_cert',
          '/run/secrets/temporal_client_key',
          'temporal',
        ],
        name,
      );
      const secrets = services[name]!.secrets?.map((s) => s.source) ?? [];
      for (const needed of ['temporal_ca', 'temporal_client_cert', 'temporal_client_key']) {
        assert.ok(secrets.includes(needed), `${name} lacks ${needed}`);
      }
    }
    // The server's key is the server's only; nothing but Temporal's clients holds the client key.
    for (const [name, service] of Object.entries(services)) {
      const secrets = service.secrets?.map((s) => s.source) ?? [];
      if (name !== 'temporal') assert.ok(!secrets.includes('temporal_server_key'), `${name} holds the server key`);
      if (!clients.includes(name)) assert.ok(!secrets.includes('temporal_client_key'), `${name} holds the client key`);
    }
  });

  it('gives each service database owner its own password', () => {
    const passwords = ['inventory', 'payment', 'order'].map(
      (name) => /^postgresql:\/\/\w+:([^@]+)@/.exec(services[name]!.environment!.DATABASE_URL!)?.[1],
    );
    assert.equal(new Set(passwords).size, 3, passwords.join(','));
    const postgres = services.postgres!.environment!;
    assert.deepEqual(passwords, [
      postgres.INVENTORY_DB_PASSWORD,
      postgres.PAYMENT_DB_PASSWORD,
      postgres.ORDERS_DB_PASSWORD,
    ]);
  });

  it('pins every third-party image to an exact tag', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.image === 'sagaflow:local') continue;
      assert.match(service.image ?? '', /:v?\d+(\.\d+)+/, `${name} image ${service.image} is not pinned`);
    }
  });

  it('starts the app containers from the compiled entry points, each service on its own database', () => {
    const databases = new Set<string>();
    for (const name of ['inventory', 'payment', 'order']) {
      assert.deepEqual(services[name]?.command, ['node', `dist/services/${name}/main.js`]);
      const url = new URL(services[name]?.environment?.DATABASE_URL ?? '');
      databases.add(url.pathname);
      assert.ok(services[name]?.healthcheck, `${name} has no health check`);
    }
    assert.equal(databases.size, 3, 'database per service');
    assert.deepEqual(services.worker?.command, ['node', 'dist/workers/main.js']);
    assert.deepEqual(services.api?.command, ['node', 'dist/api/main.js']);
  });

  it('orders start-up with health and completion conditions', () => {
    assert.equal(services.temporal?.depends_on?.['temporal-schema']?.condition, 'service_completed_successfully');
    assert.equal(services.worker?.depends_on?.['temporal-namespace']?.condition, 'service_completed_successfully');
    for (const name of ['inventory', 'payment', 'order']) {
      assert.equal(services.worker?.depends_on?.[name]?.condition, 'service_healthy');
    }
  });

  it('publishes only the API on every interface; the UI and the codec server on loopback, the UI decoding through it', () => {
    const published = Object.entries(services).filter(([, service]) => service.ports?.length);
    const loopback = ['codec-server', 'grafana', 'jaeger', 'prometheus', 'temporal-ui'];
    assert.deepEqual(published.map(([name]) => name).sort(), ['api', ...loopback].sort());
    for (const name of loopback) {
      assert.deepEqual(
        services[name]?.ports?.map((p) => p.host_ip),
        ['127.0.0.1'],
        `${name} is published beyond loopback`,
      );
    }
    const ui = services['temporal-ui']?.environment ?? {};
    assert.equal(ui.TEMPORAL_CODEC_ENDPOINT, `http://127.0.0.1:${services['codec-server']?.ports?.[0]?.published}`);
    assert.equal(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS, 'true');
  });

  it('gives each service its own token and the payload keys only to what talks to Temporal', () => {
    const tokens = ['inventory', 'payment', 'order'].map((name) => services[name]?.environment?.SERVICE_TOKEN);
    assert.equal(new Set(tokens).size, 3, 'one token per service');
    const worker = services.worker?.environment ?? {};
    assert.equal(worker.SERVICE_TOKEN, undefined, 'no shared token');
    assert.deepEqual(
      [worker.INVENTORY_SERVICE_TOKEN, worker.PAYMENT_SERVICE_TOKEN, worker.ORDER_SERVICE_TOKEN],
      tokens,
    );
    const withKeys = Object.entries(services)
      .filter(([, service]) => service.secrets?.some((secret) => secret.source === 'payload_keys'))
      .map(([name]) => name)
      .sort();
    assert.deepEqual(withKeys, ['api', 'codec-server', 'worker']);
    assert.equal(services.api?.environment?.PAYLOAD_KEYS_FILE, '/run/secrets/payload_keys');
  });

  it("lets the worker drain: Docker's stop timeout exceeds the worker's grace and force times", () => {
    const seconds = Number(/^(\d+)s$/.exec(services.worker?.stop_grace_period ?? '')?.[1]);
    const defaults = loadWorkerConfig({ SERVICE_TOKEN: 'dev-token-123' });
    const drainMs = ['WORKER_SHUTDOWN_GRACE_TIME', 'WORKER_SHUTDOWN_FORCE_TIME'] as const;
    const needed = drainMs.reduce((sum, name) => sum + msToNumber(defaults[name] as '1s'), 0);
    assert.ok(seconds * 1000 > needed, `stop_grace_period ${services.worker?.stop_grace_period} <= ${needed} ms`);
  });

  it("sends every process's spans to Jaeger and lets Prometheus scrape each metrics port", () => {
    const apps = ['api', 'worker', 'inventory', 'payment', 'order'];
    for (const name of apps) {
      assert.equal(services[name]?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://jaeger:4318', name);
    }
    const env = (name: string) => services[name]?.environment ?? {};
    const targets = {
      api: env('api').API_METRICS_PORT,
      worker: env('worker').WORKER_METRICS_PORT,
      inventory: env('inventory').PORT,
      payment: env('payment').PORT,
      order: env('order').PORT,
    };
    assert.equal(env('api').API_METRICS_HOST, '0.0.0.0');
    assert.equal(env('worker').WORKER_METRICS_HOST, '0.0.0.0');
    const scrapeConfig = readFileSync(path.join(root, 'docker', 'prometheus', 'prometheus.yml'), 'utf8');
    for (const [name, port] of Object.entries(targets)) {
      assert.ok(port, `${name} has a metrics port`);
      assert.match(
        scrapeConfig,
        new RegExp(`names: \\[${name}\\], type: A, port: ${port} `),
        `${name}:${port} scraped`,
      );
    }
    assert.notEqual(targets.api, services.api?.ports?.[0]?.target, "the API's metrics are not on its public port");
  });

  it('provisions Grafana with a dashboard whose queries name metrics the processes export', () => {
    const dashboard = JSON.parse(
      readFileSync(path.join(root, 'docker', 'grafana', 'dashboards', 'sagaflow.json'), 'utf8'),
    ) as { panels: { targets: { expr: string }[] }[] };
    const exported = [
      'sagaflow_sagas_finished_total',
      'sagaflow_saga_steps_parked_total',
      'sagaflow_step_duration_bucket',
      'sagaflow_compensation_attempts_total',
      'sagaflow_circuit_state',
      'http_request_duration_seconds_bucket',
      'http_requests_total',
      'temporal_activity_schedule_to_start_latency_bucket',
    ];
    const used = dashboard.panels.flatMap((p) =>
      p.targets.map((t) => /\b(sagaflow_\w+|http_\w+|temporal_\w+)/.exec(t.expr)?.[1]),
    );
    assert.deepEqual([...new Set(used)].sort(), [...exported].sort());
  });

  it('registers exactly the search attributes the saga publishes', () => {
    const script = readFileSync(path.join(root, 'docker', 'temporal', 'setup-namespace.sh'), 'utf8');
    const listed = /for attribute in ([^;]+);/.exec(script)?.[1]?.replace(/\\\n/g, ' ').trim().split(/\s+/);
    assert.deepEqual(listed, SEARCH_ATTRIBUTE_FLAGS);
  });

  // scripts/cluster runs the server binaries instead of the images: the parts they share must stay one.
  it('the cluster runs what compose runs: the same server version, environment, dynamic config and setup scripts', () => {
    const versions = readFileSync(path.join(root, 'scripts', 'tool-versions.env'), 'utf8');
    const serverVersion = /^TEMPORAL_SERVER_VERSION=v(.+)$/m.exec(versions)?.[1];
    assert.equal(services.temporal!.image, `temporalio/server:${serverVersion}`);
    assert.match(services['temporal-schema']!.image ?? '', new RegExp(`^temporalio/admin-tools:${serverVersion}-`));
    const nodeEnv = temporalNodeEnv({
      ip: '127.0.0.2',
      postgresPort: 5432,
      postgresPassword: 'x',
      historyShards: 8,
      tlsDir: '/tls',
    });
    for (const name of Object.keys(services.temporal!.environment ?? {})) {
      assert.ok(name in nodeEnv, `compose sets ${name} on the temporal service; the cluster's nodes do not`);
    }
    assert.equal(
      path.basename(services.temporal!.environment!.DYNAMIC_CONFIG_FILE_PATH!),
      path.basename(DYNAMIC_CONFIG),
    );
    const cluster = readFileSync(path.join(root, 'scripts', 'cluster-stack', 'cluster.ts'), 'utf8');
    for (const script of [
      'docker/postgres/create-databases.sh',
      'docker/temporal/setup-schema.sh',
      'docker/temporal/setup-namespace.sh',
    ]) {
      assert.ok(cluster.includes(`'${script}'`), `scripts/cluster runs ${script}`);
    }
  });
});
