import assert from 'node:assert/strict';
import { listen } from '../../lib/http/listen';
import { describe, it } from 'node:test';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { authenticate } from '../../api/auth';
import { loadConfig } from '../../api/config';
import { errorHandler } from '../../api/errors';
import { canonicalJson, orderIdFor, requestHash } from '../../api/orders/common';
import { pageTokens, visibilityQuery } from '../../api/orders/list';
import { rateLimit } from '../../api/rate-limit';
import { createLogger } from '../../lib/logger';
import { ConfigError } from '../../lib/env';
import { ServiceError } from '@temporalio/client';
import { isWorkflowTaskFailing } from '../../api/temporal';

describe('api config', () => {
  // Issue 25, item 12: with trust proxy true the client's own X-Forwarded-For picks its address.
  it("refuses TRUST_PROXY=true (spoofable); a hop count or the proxies' addresses are accepted", () => {
    const base = { API_KEYS: 'demo:sk_demo_client:client' };
    assert.throws(
      () => loadConfig({ ...base, TRUST_PROXY: 'true' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /TRUST_PROXY.*number of proxies/);
        return true;
      },
    );
    assert.equal(loadConfig({ ...base, TRUST_PROXY: '1' }).TRUST_PROXY, '1');
    assert.equal(loadConfig({ ...base, TRUST_PROXY: 'loopback' }).TRUST_PROXY, 'loopback');
  });

  it('parses API_KEYS and applies the defaults', () => {
    const config = loadConfig({ API_KEYS: 'demo:sk_demo_client:client, ops:sk_demo_operator:operator' });
    assert.deepEqual(
      config.API_KEYS,
      [
        { name: 'demo', tenant: 'demo', secret: 'sk_demo_client', role: 'client' },
        { name: 'ops', secret: 'sk_demo_operator', role: 'operator' },
      ],
      'name:secret:role: a client key is its own tenant, an operator key is global',
    );
    assert.deepEqual(
      loadConfig({
        API_KEYS:
          'shop:shop-2025:sk_old_secret:client,shop:shop-2026:sk_new_secret:client,shop:shop-ops:sk_ops_secret:operator,*:root:sk_root_secret:operator',
      }).API_KEYS,
      [
        { name: 'shop-2025', tenant: 'shop', secret: 'sk_old_secret', role: 'client' },
        { name: 'shop-2026', tenant: 'shop', secret: 'sk_new_secret', role: 'client' },
        { name: 'shop-ops', tenant: 'shop', secret: 'sk_ops_secret', role: 'operator' },
        { name: 'root', secret: 'sk_root_secret', role: 'operator' },
      ],
      'tenant:name:secret:role: several keys of one tenant, a tenant-scoped and a global operator',
    );
    assert.equal(config.AUTH_FAILURES_PER_MINUTE, 20);
    assert.equal(config.API_PORT, 7100);
    assert.equal(config.TEMPORAL_ADDRESS, '127.0.0.1:7233');
    assert.equal(config.TEMPORAL_NAMESPACE, 'default');
    assert.equal(config.TASK_QUEUE, 'sagaflow-orders');
    assert.equal(config.RATE_LIMIT_PER_MINUTE, 600);
    assert.equal(config.APPROVAL_THRESHOLD_MINOR, 100_000);
    assert.equal(config.APPROVAL_TIMEOUT, '24 hours');
    assert.equal(config.PAYMENT_DEADLINE, '30 minutes');
    assert.throws(
      () => loadConfig({ API_KEYS: 'a:sk_aaaaaaaa:client', PAYMENT_DEADLINE: 'soon' }),
      /PAYMENT_DEADLINE: a duration such as "30 minutes"/,
    );
    assert.equal(
      loadConfig({ API_KEYS: 'a:sk_aaaaaaaa:client', APPROVAL_THRESHOLD_MINOR: '5000' }).APPROVAL_THRESHOLD_MINOR,
      5000,
    );
    assert.equal(config.PUBLISH_SAGA_STEPS, false);
    assert.equal(loadConfig({ API_KEYS: 'a:sk_aaaaaaaa:client', PUBLISH_SAGA_STEPS: 'true' }).PUBLISH_SAGA_STEPS, true);
    assert.throws(
      () => loadConfig({ API_KEYS: 'a:sk_aaaaaaaa:client', PUBLISH_SAGA_STEPS: 'sometimes' }),
      /PUBLISH_SAGA_STEPS/,
    );
  });

  it('rejects bad keys with one message per entry, never echoing a secret', () => {
    const cases: [string | undefined, RegExp][] = [
      [undefined, /API_KEYS/],
      ['', /API_KEYS/],
      ['demo:sk_secret_value', /entry 1: expected tenant:name:secret:role/],
      ['a:b:c:sk_secret_value:client', /entry 1: expected tenant:name:secret:role/],
      ['sh op:demo:sk_secret_value:client', /entry 1: tenant must be/],
      ['*:demo:sk_secret_value:client', /entry 1: only an operator key may be global/],
      ['demo:sk_secret_value:admin', /entry 1: role must be one of client, operator/],
      ['de mo:sk_secret_value:client', /entry 1: name/],
      ['demo:short:client', /entry 1: secret/],
      ['demo:sk_secret_value:client,demo:sk_secret_other:client', /entry 2: duplicate key name demo/],
      ['a:sk_secret_value:client,b:sk_secret_value:operator', /entry 2: duplicate secret/],
    ];
    for (const [value, message] of cases) {
      assert.throws(
        () => loadConfig(value === undefined ? {} : { API_KEYS: value }),
        (err: Error) => {
          assert.ok(err instanceof ConfigError);
          assert.match(err.message, message);
          assert.doesNotMatch(err.message, /sk_secret/);
          return true;
        },
      );
    }
    assert.throws(
      () => loadConfig({ API_KEYS: 'a:sk_aaaaaaaa:client', RATE_LIMIT_PER_MINUTE: '0' }),
      /RATE_LIMIT_PER_MINUTE/,
    );
  });

  it('with NODE_ENV=production, refuses secrets shorter than 32 characters', () => {
    const long = 'shop:shop-1:sk_secret_value_of_31_characters_x:client';
    assert.equal('sk_secret_value_of_31_characters_x'.length, 34, 'at least 32');
    assert.doesNotThrow(() => loadConfig({ API_KEYS: long, NODE_ENV: 'production' }));
    assert.doesNotThrow(() => loadConfig({ API_KEYS: 'shop:sk_secret_value:client' }), 'development: 8 are enough');
    assert.throws(
      () => loadConfig({ API_KEYS: `${long},*:ops:sk_secret_value:operator`, NODE_ENV: 'production' }),
      (err: Error) => {
        assert.match(err.message, /API_KEYS: entry 2: with NODE_ENV=production a secret needs at least 32 characters/);
        assert.doesNotMatch(err.message, /sk_secret/);
        return true;
      },
    );
  });
});

describe('order ids and request hashes', () => {
  it('the order id depends on the tenant and the Idempotency-Key only', () => {
    assert.match(orderIdFor('demo', 'k1'), /^ord_[0-9a-f]{24}$/);
    assert.equal(orderIdFor('demo', 'k1'), orderIdFor('demo', 'k1'));
    assert.notEqual(orderIdFor('demo', 'k1'), orderIdFor('other', 'k1'));
    assert.notEqual(orderIdFor('demo', 'k1'), orderIdFor('demo', 'k2'));
  });

  it('canonical JSON ignores key order but keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] }), '{"a":[{"x":1,"y":2}],"b":1}');
    assert.equal(requestHash({ a: 1, b: 2 }), requestHash({ b: 2, a: 1 }));
    assert.notEqual(requestHash({ items: [1, 2] }), requestHash({ items: [2, 1] }));
  });
});

describe('listing helpers', () => {
  it('builds the visibility query from validated filters', () => {
    assert.equal(visibilityQuery({}), 'WorkflowType = "orderFulfillment" AND ExecutionStatus != "ContinuedAsNew"');
    assert.equal(
      visibilityQuery({ tenant: 'shop', status: 'COMPLETED' }),
      'WorkflowType = "orderFulfillment" AND ExecutionStatus != "ContinuedAsNew" AND TenantId = "shop" AND OrderStatus = "COMPLETED"',
    );
    assert.equal(
      visibilityQuery({ status: 'COMPLETED', customerId: 'cust-1' }),
      'WorkflowType = "orderFulfillment" AND ExecutionStatus != "ContinuedAsNew" AND OrderStatus = "COMPLETED" AND CustomerId = "cust-1"',
    );
  });

  it('page tokens round-trip for the same filter and keys, and are refused otherwise', () => {
    const keys = loadConfig({ API_KEYS: 'a:sk_aaaaaaaa:client' }).API_KEYS;
    const tokens = pageTokens(keys);
    const raw = Buffer.from([1, 2, 3, 250]);
    const token = tokens.encode({ customerId: 'c1' }, raw);
    assert.match(token, /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/);
    assert.deepEqual(tokens.decode({ customerId: 'c1' }, token), raw);
    assert.deepEqual(pageTokens(keys).decode({ customerId: 'c1' }, token), raw, 'another process, same keys');
    assert.throws(() => tokens.decode({ customerId: 'c2' }, token), /nextPageToken/);
    assert.throws(() => tokens.decode({ customerId: 'c1' }, `AAAA.${token.split('.')[1]}`), /nextPageToken/);
    const otherKeys = loadConfig({ API_KEYS: 'a:sk_bbbbbbbb:client' }).API_KEYS;
    assert.throws(() => pageTokens(otherKeys).decode({ customerId: 'c1' }, token), /nextPageToken/);
  });
});

describe('rate limit', () => {
  it('refills continuously at the configured rate', async () => {
    let now = 0;
    const app = express();
    app.use((req, _res, next) => {
      req.id = 'r';
      req.log = createLogger().child({}, { level: 'silent' });
      req.apiKey = {
        name: String(req.query.key),
        tenant: String(req.query.tenant ?? req.query.key),
        secret: 'x',
        role: 'client',
      };
      next();
    });
    app.use(rateLimit(60, () => now));
    app.get('/', (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorHandler);
    const server = await listen(app, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const status = async (key = 'a') => (await fetch(`${url}?key=${key}`)).status;
    try {
      for (let i = 0; i < 60; i++) assert.equal(await status(), 200);
      const refused = await fetch(`${url}?key=a`);
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '1', 'one token a second at 60 a minute');
      assert.equal(await status('b'), 200, 'another tenant has its own bucket');
      assert.equal(
        (await fetch(`${url}?key=a2&tenant=a`)).status,
        429,
        "the keys of one tenant share the tenant's bucket",
      );
      now += 1_000;
      assert.equal(await status(), 200);
      assert.equal(await status(), 429);
      now += 60_000;
      for (let i = 0; i < 60; i++) assert.equal(await status(), 200, 'a full minute refills to the burst, no more');
      assert.equal(await status(), 429);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('failed authentication limit', () => {
  it('locks a source address out after its failures, whatever key it sends then, until the bucket refills', async () => {
    let now = 0;
    const keys = loadConfig({ API_KEYS: 'shop:sk_right_secret:client,other:sk_other_secret:client' }).API_KEYS;
    const app = express();
    app.use((req, _res, next) => {
      req.id = 'r';
      req.log = createLogger().child({}, { level: 'silent' });
      next();
    });
    app.use(authenticate(keys, { failuresPerMinute: 3, now: () => now }));
    app.get('/', (_req, res) => {
      res.json({ ok: true });
    });
    app.use(errorHandler);
    const server = await listen(app, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const get = (secret?: string) => fetch(url, secret ? { headers: { authorization: `Bearer ${secret}` } } : {});
    try {
      assert.equal((await get('sk_right_secret')).status, 200, 'successes cost nothing');
      assert.equal((await get('sk_right_secret')).status, 200);
      assert.equal((await get('sk_guess_0001')).status, 401);
      assert.equal((await get()).status, 401, 'a missing key is a failure too');
      assert.equal((await get('sk_guess_0002')).status, 401);
      // Issue 25, item 12: a key that authenticated from this address before is spared (tenants behind one NAT);
      // any other, right or wrong, waits for the refill.
      assert.equal((await get('sk_right_secret')).status, 200, 'a key known at this address is not locked out');
      const locked = await get('sk_other_secret');
      assert.equal(locked.status, 429, 'locked out: a key never seen here is not checked, even a right one');
      assert.equal(((await locked.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
      assert.equal(locked.headers.get('retry-after'), '20', 'one failure refills every 20 s at 3 a minute');
      now += 20_000;
      assert.equal((await get('sk_right_secret')).status, 200, 'refilled');
      assert.equal((await get('sk_guess_0003')).status, 401);
      assert.equal((await get('sk_guess_0004')).status, 429);
    } finally {
      server.close();
    }
  });
});

describe('temporal errors', () => {
  const grpcError = (code: number, details: string) =>
    Object.assign(new Error(`${code} ${details}`), { code, details });

  it('an Update refused while the workflow task is failed is the saga not responding (503), not an internal error', () => {
    // What the cluster's chaos run got from Temporal (docs/CHAOS.md, finding 4): the client's ServiceError around
    // the gRPC status.
    const details = 'Unable to perform workflow execution update due to Workflow Task in failed state.';
    const refused = new ServiceError('Workflow Update failed', { cause: grpcError(9, details) });
    assert.equal(isWorkflowTaskFailing(refused), true);
    assert.equal(
      isWorkflowTaskFailing(new ServiceError('x', { cause: grpcError(9, 'Workflow is not running') })),
      false,
    );
    assert.equal(isWorkflowTaskFailing(new ServiceError('x', { cause: grpcError(14, details) })), false);
  });
});
