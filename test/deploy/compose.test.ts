import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../lib/search-attributes';

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
}

describe('docker-compose.yml', () => {
  const config = JSON.parse(compose(['config', '--format', 'json'])) as { services: Record<string, ComposeService> };
  const services = config.services;

  it('runs the whole production-like stack', () => {
    assert.deepEqual(Object.keys(services).sort(), [
      'api',
      'inventory',
      'order',
      'payment',
      'postgres',
      'temporal',
      'temporal-namespace',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ]);
  });

  it('pins every third-party image to an exact tag', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.image === 'sagaflow:local') continue;
      assert.match(service.image ?? '', /:\d+(\.\d+)+/, `${name} image ${service.image} is not pinned`);
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

  it('registers exactly the search attributes the saga publishes', () => {
    const script = readFileSync(path.join(root, 'docker', 'temporal', 'setup-namespace.sh'), 'utf8');
    const listed = /for attribute in ([^;]+);/.exec(script)?.[1]?.trim().split(/\s+/);
    assert.deepEqual(listed, SEARCH_ATTRIBUTE_FLAGS);
  });
});
