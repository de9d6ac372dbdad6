import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Router } from 'express';
import { canonicalJson } from '../../lib/http/canonical-json';
import type { FaultConfig } from '../../lib/http/fault-injection';
import { createServiceApp } from '../../lib/http/service-app';
import { loadServiceEnv } from '../../lib/http/service-env';
import { parseDatabaseUrl, redact } from '../../lib/db/url';
import { runService } from '../../lib/http/run-service';
import { listen } from '../../lib/http/listen';
import { createApp } from '../../services/order/app';
import { openOrderDb, orderMigrations } from '../../services/order/db';
import type { OrderTx } from '../../services/order/db';
import { freshDatabase, silentLogger, TOKEN } from './helpers';

async function serve(options: { ping?: () => Promise<void>; faultRate?: number; faults?: FaultConfig }) {
  const routes = Router();
  let effects = 0;
  routes.get('/boom', () => {
    throw new Error('secret internals');
  });
  routes.post('/echo', (req, res) => {
    effects += 1;
    res.status(201).json(req.body);
  });
  routes.get('/things/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  routes.post('/conflict', (_req, res) => {
    effects += 1;
    res.status(409).json({ error: { code: 'PAYMENT_DECLINED', message: 'declined', details: null } });
  });
  const app = createServiceApp({
    name: 'plumbing',
    token: TOKEN,
    logger: silentLogger,
    ping: options.ping ?? (async () => undefined),
    faultRate: options.faultRate,
    faults: options.faults,
    routes,
  });
  const server = await listen(app, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  return {
    get: (path: string) => fetch(`${url}${path}`, { headers: auth }),
    post: (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) }),
    effects: () => effects,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('service plumbing', () => {
  it('/ready is 503 NOT_READY when the database is unreachable (/health stays 200)', async () => {
    const app = await serve({ ping: () => Promise.reject(new Error('ECONNREFUSED')) });
    try {
      const ready = await app.get('/ready');
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { error: { code: string } }).error.code, 'NOT_READY');
      assert.equal((await app.get('/health')).status, 200);
    } finally {
      await app.close();
    }
  });

  it('an unexpected error is 500 INTERNAL without leaking its message', async () => {
    const app = await serve({});
    try {
      const answer = await app.get('/boom');
      assert.equal(answer.status, 500);
      const text = await answer.text();
      assert.deepEqual(JSON.parse(text), { error: { code: 'INTERNAL', message: 'Internal error', details: null } });
      assert.ok(!text.includes('secret'));
    } finally {
      await app.close();
    }
  });

  it('fault injection answers 503 to mutating requests only', async () => {
    const app = await serve({ faultRate: 1 });
    try {
      const post = await app.post('/echo', { a: 1 });
      assert.equal(post.status, 503);
      assert.deepEqual(((await post.json()) as { error: { details: unknown } }).error.details, { injected: true });
      assert.equal((await app.get('/boom')).status, 500, 'reads pass through');
    } finally {
      await app.close();
    }
    const healthy = await serve({ faultRate: 0 });
    try {
      assert.equal((await healthy.post('/echo', { a: 1 })).status, 201);
    } finally {
      await healthy.close();
    }
  });

  it('fault latency delays mutating requests by up to the configured time, reads not at all', async () => {
    const app = await serve({ faults: { latencyMs: 300 } });
    try {
      const timed = async (request: () => Promise<Response>) => {
        const started = performance.now();
        const answer = await request();
        return { status: answer.status, ms: performance.now() - started };
      };
      const posts = await Promise.all(Array.from({ length: 12 }, () => timed(() => app.post('/echo', { a: 1 }))));
      assert.ok(
        posts.every((post) => post.status === 201),
        'latency alone fails nothing',
      );
      assert.ok(
        posts.some((post) => post.ms >= 60),
        `some request waited: ${posts.map((p) => Math.round(p.ms)).join(', ')}`,
      );
      assert.ok(
        posts.every((post) => post.ms < 1_500),
        'never much longer than the maximum',
      );
      const read = await timed(() => app.get('/boom'));
      assert.equal(read.status, 500);
      assert.ok(read.ms < 250, `reads are not delayed (${Math.round(read.ms)} ms)`);
    } finally {
      await app.close();
    }
  });

  it('a lost response applies the effect, then answers 503; errors pass through unchanged', async () => {
    const app = await serve({ faults: { lostResponseRate: 1 } });
    try {
      const post = await app.post('/echo', { a: 1 });
      assert.equal(post.status, 503);
      assert.deepEqual(((await post.json()) as { error: { code: string; details: unknown } }).error, {
        code: 'SERVICE_UNAVAILABLE',
        message: 'Injected fault (response lost after the effect)',
        details: { injected: true, afterEffect: true },
      });
      assert.equal(app.effects(), 1, 'the effect happened');
      const conflict = await app.post('/conflict', {});
      assert.equal(conflict.status, 409, 'a business answer is not turned into a fault');
      assert.equal(app.effects(), 2);
    } finally {
      await app.close();
    }
  });

  it('reads the faults from <NAME>_FAULT_RATE, _FAULT_LATENCY_MS and _FAULT_LOST_RESPONSE_RATE', () => {
    const base = { SERVICE_TOKEN: 'a-long-enough-token' };
    assert.deepEqual(loadServiceEnv('payment', 7102, base).faults, { rate: 0, latencyMs: 0, lostResponseRate: 0 });
    const env = loadServiceEnv('payment', 7102, {
      ...base,
      PAYMENT_FAULT_RATE: '0.1',
      PAYMENT_FAULT_LATENCY_MS: '250',
      PAYMENT_FAULT_LOST_RESPONSE_RATE: '0.05',
      INVENTORY_FAULT_RATE: '0.9',
    });
    assert.deepEqual(env.faults, { rate: 0.1, latencyMs: 250, lostResponseRate: 0.05 });
    assert.equal(env.faultRate, 0.1);
    assert.throws(
      () =>
        loadServiceEnv('order', 7103, { ...base, ORDER_FAULT_LATENCY_MS: '-1', ORDER_FAULT_LOST_RESPONSE_RATE: '2' }),
      (err: Error) => /ORDER_FAULT_LATENCY_MS/.test(err.message) && /ORDER_FAULT_LOST_RESPONSE_RATE/.test(err.message),
    );
  });

  it('a path parameter that is not valid percent-encoding is 400 VALIDATION_ERROR, not 500', async () => {
    const app = await serve({});
    try {
      assert.equal((await app.get('/things/a%20b')).status, 200);
      for (const id of ['%E0%A4%A', '%', 'a%zz']) {
        const answer = await app.get(`/things/${id}`);
        assert.equal(answer.status, 400, id);
        assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'VALIDATION_ERROR');
      }
    } finally {
      await app.close();
    }
  });

  it('canonical JSON ignores key order and undefined fields, keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null, e: undefined } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
    assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
    assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
  });

  it('picks the database by URL', () => {
    assert.deepEqual(parseDatabaseUrl('postgres://u:p@h:5432/db'), {
      provider: 'postgres',
      url: 'postgres://u:p@h:5432/db',
    });
    assert.equal(parseDatabaseUrl('postgresql://h/db').provider, 'postgres');
    assert.deepEqual(parseDatabaseUrl('file:.data/x.db', '/srv'), {
      provider: 'sqlite',
      file: '/srv/.data/x.db',
      url: 'file:/srv/.data/x.db',
    });
    assert.equal(parseDatabaseUrl('/tmp/y.db').provider, 'sqlite');
    assert.throws(() => parseDatabaseUrl('mysql://h/db'), /Unsupported/);
    assert.throws(() => parseDatabaseUrl('file::memory:'), /file path/);
    assert.equal(redact('postgres://user:hunter2@h/db'), 'postgres://user:***@h/db');
  });
});

describe('runService', () => {
  it('fails to start when its port is taken, instead of reporting that it listens', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const db = await freshDatabase('sqlite', 'port_taken');
    try {
      await assert.rejects(
        runService<OrderTx>({
          name: 'order',
          databaseUrl: db.target.url,
          host: '127.0.0.1',
          port,
          logger: silentLogger,
          migrationsDir: orderMigrations,
          openDb: (target) => openOrderDb(target),
          createApp: (orderDb) => createApp({ db: orderDb, config: { token: TOKEN }, logger: silentLogger }),
        }),
        /EADDRINUSE/,
      );
    } finally {
      taken.close();
      await db.drop();
    }
  });
});
