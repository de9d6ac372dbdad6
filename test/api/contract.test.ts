import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { apiOnDevServer, KEYS, newKey, validOrder } from './harness';

// The API against its own OpenAPI document, fuzzed by Schemathesis (scripts/schemathesis: PyPI, pinned), every
// check on, bounded examples per operation, with an operator key: no server error, no answer outside the schema.
// The rate limit is raised for the fuzzer (one client sending hundreds of requests a minute would get 429s, which
// the document declares; docs/API.md says how to test against the default limit).
const suite = apiOnDevServer('contract', { RATE_LIMIT_PER_MINUTE: '1000000' });
const root = path.resolve(__dirname, '..', '..');

function schemathesis(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(root, 'scripts', 'schemathesis'), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the API contract (Schemathesis)', () => {
  it('every operation answers within its schema, and never with a server error', () =>
    suite.run(async () => {
      const placed = await suite.api.request<{ orderId: string }>('POST', '/orders', {
        key: KEYS.client,
        body: validOrder({ items: [{ sku: 'SKU-1', quantity: 1000 }] }),
        headers: { 'Idempotency-Key': newKey('contract') },
      });
      assert.equal(placed.status, 202, placed.text);
      const { code, output } = await schemathesis(
        [
          '--config-file',
          path.join(__dirname, 'schemathesis.toml'),
          'run',
          `${suite.api.url}/openapi.json`,
          '--checks',
          'all',
          '--max-examples',
          process.env.CONTRACT_MAX_EXAMPLES ?? '15',
          '--seed',
          '1',
          '--workers',
          '1',
          '--header',
          `Authorization: Bearer ${KEYS.operator}`,
          '--no-color',
        ],
        { CONTRACT_ORDER_ID: placed.body.orderId },
      );
      assert.equal(code, 0, output);
    }));
});
