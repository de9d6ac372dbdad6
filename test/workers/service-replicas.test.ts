import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { balancedFetch } from '../../lib/http/balanced-fetch';
import { loadWorkerConfig } from '../../workers/config';

// A worker's service clients over several replicas of a service (INVENTORY_URL=http://a,http://b): undici's
// BalancedPool spreads the calls, and a replica that is down (connection refused) costs no call.

interface Replica {
  url: string;
  hits: number;
  close(): Promise<void>;
}

async function replica(name: string): Promise<Replica> {
  const state = { hits: 0 };
  const server = http.createServer((request, response) => {
    state.hits += 1;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ replica: name, path: request.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("service replicas: a worker's calls balanced over them", () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers) await close().catch(() => undefined);
  });

  it('parses a comma-separated list of URLs per service, and refuses a bad one by name', () => {
    const config = loadWorkerConfig({
      SERVICE_TOKEN: 'dev-token-123',
      INVENTORY_URL: 'http://10.0.0.1:7101, http://10.0.0.2:7101',
    });
    assert.deepEqual(config.services.inventoryUrl, ['http://10.0.0.1:7101', 'http://10.0.0.2:7101']);
    assert.deepEqual(config.services.paymentUrl, ['http://127.0.0.1:7102']);
    assert.throws(
      () => loadWorkerConfig({ SERVICE_TOKEN: 'dev-token-123', ORDER_URL: 'http://10.0.0.1:7103,not a url' }),
      /ORDER_URL/,
    );
  });

  it('spreads calls over every replica, and a replica that is down costs no call', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const transport = balancedFetch([a.url, b.url]);
    closers.push(a.close, b.close, transport.close);
    const call = async (i: number) => {
      const response = await transport.fetch(`${a.url}/products/${i}`, { method: 'GET' });
      assert.equal(response.status, 200);
      return (await response.json()) as { replica: string; path: string };
    };
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(i)));
    assert.ok(a.hits > 0 && b.hits > 0, `both replicas served: a ${a.hits}, b ${b.hits}`);
    assert.deepEqual(
      answers.map((answer) => answer.path),
      Array.from({ length: 20 }, (_, i) => `/products/${i}`),
    );

    await a.close();
    const before = b.hits;
    for (let i = 0; i < 20; i++) assert.equal((await call(i)).replica, 'b');
    assert.equal(b.hits - before, 20);
  });
});
