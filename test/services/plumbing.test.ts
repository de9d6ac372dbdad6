import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Router } from 'express';
import { canonicalJson } from '../../lib/http/canonical-json';
import { createServiceApp } from '../../lib/http/service-app';
import { parseDatabaseUrl, redact } from '../../lib/db/url';
import { silentLogger, TOKEN } from './helpers';

async function serve(options: { ping?: () => Promise<void>; faultRate?: number }) {
  const routes = Router();
  routes.get('/boom', () => {
    throw new Error('secret internals');
  });
  routes.post('/echo', (req, res) => {
    res.status(201).json(req.body);
  });
  const app = createServiceApp({
    name: 'plumbing',
    token: TOKEN,
    logger: silentLogger,
    ping: options.ping ?? (async () => undefined),
    faultRate: options.faultRate,
    routes,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  return {
    get: (path: string) => fetch(`${url}${path}`, { headers: auth }),
    post: (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) }),
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
