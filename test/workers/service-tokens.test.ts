import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadServiceEnv } from '../../lib/http/service-env';
import { loadWorkerConfig } from '../../workers/config';

const long = (label: string) => `${label}-${'x'.repeat(40)}`;
const own = {
  INVENTORY_SERVICE_TOKEN: long('inventory'),
  PAYMENT_SERVICE_TOKEN: long('payment'),
  ORDER_SERVICE_TOKEN: long('order'),
};

describe('per-service credentials', () => {
  it('a worker holds only the tokens of the lanes it runs', () => {
    const config = loadWorkerConfig({ NODE_ENV: 'production', WORKER_ROLES: 'payment', ...own });
    assert.deepEqual(config.services.tokens, { inventory: '', payment: own.PAYMENT_SERVICE_TOKEN, order: '' });
    const all = loadWorkerConfig({ NODE_ENV: 'production', ...own });
    assert.deepEqual(all.services.tokens, {
      inventory: own.INVENTORY_SERVICE_TOKEN,
      payment: own.PAYMENT_SERVICE_TOKEN,
      order: own.ORDER_SERVICE_TOKEN,
    });
  });

  it("a lane's token is required, and so is every one for local steps; a remote-only workflow worker needs none", () => {
    assert.throws(
      () =>
        loadWorkerConfig({
          WORKER_ROLES: 'workflows,order',
          WORKER_LOCAL_STEPS: 'false',
          INVENTORY_SERVICE_TOKEN: long('i'),
        }),
      /ORDER_SERVICE_TOKEN: required: this worker runs the order lane/,
    );
    assert.throws(
      () => loadWorkerConfig({ WORKER_ROLES: 'workflows', ORDER_SERVICE_TOKEN: long('o') }),
      /INVENTORY_SERVICE_TOKEN: required: this worker runs local steps/,
    );
    const remoteOnly = { NODE_ENV: 'production', WORKER_ROLES: 'workflows', WORKER_LOCAL_STEPS: 'false' };
    assert.deepEqual(loadWorkerConfig(remoteOnly).services.tokens, { inventory: '', payment: '', order: '' });
    const local = loadWorkerConfig({ NODE_ENV: 'production', WORKER_ROLES: 'workflows', ...own });
    assert.deepEqual(Object.values(local.services.tokens).map(Boolean), [true, true, true]);
  });

  it('production refuses the shared development token and short tokens', () => {
    assert.throws(
      () => loadWorkerConfig({ NODE_ENV: 'production', SERVICE_TOKEN: long('shared'), ...own }),
      /SERVICE_TOKEN: a shared token is for development/,
    );
    assert.throws(
      () => loadWorkerConfig({ NODE_ENV: 'production', ...own, PAYMENT_SERVICE_TOKEN: 'short-token' }),
      /PAYMENT_SERVICE_TOKEN: with NODE_ENV=production at least 32/,
    );
    assert.throws(
      () => loadServiceEnv('payment', 7102, { NODE_ENV: 'production', SERVICE_TOKEN: 'short-token' }),
      /SERVICE_TOKEN: with NODE_ENV=production at least 32/,
    );
    assert.equal(
      loadServiceEnv('payment', 7102, { NODE_ENV: 'production', SERVICE_TOKEN: long('p') }).token,
      long('p'),
    );
  });

  it('in development one SERVICE_TOKEN still serves every lane', () => {
    const config = loadWorkerConfig({ SERVICE_TOKEN: 'dev-token-123' });
    assert.deepEqual(config.services.tokens, {
      inventory: 'dev-token-123',
      payment: 'dev-token-123',
      order: 'dev-token-123',
    });
  });
});
