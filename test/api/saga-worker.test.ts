import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startStack } from '../../scripts/stack/launch';
import type { RunningStack } from '../../scripts/stack/launch';
import { dataConverterFor } from '../../lib/codec/data-converter';
import { loadPayloadKeys } from '../../lib/codec/payload-keys';
import { scrape } from '../helpers/prometheus';

// API_SAGA_WORKER=on: the API runs the saga worker itself and starts sagas eagerly on it (api/saga-worker.ts). The
// whole stack on free ports, its worker process still running beside it.
const EventType = temporal.api.enums.v1.EventType;

describe('the API with its own saga worker (API_SAGA_WORKER=on)', () => {
  let stack: RunningStack;

  before(async () => {
    stack = await startStack({ env: { API_SAGA_WORKER: 'on' } });
  });

  after(async () => {
    await stack?.stop(10_000);
  });

  async function post(route: string, body: unknown) {
    const response = await fetch(`${stack.urls.api}${route}`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk_demo_client',
        'content-type': 'application/json',
        'idempotency-key': `api-saga-worker-${randomBytes(6).toString('hex')}`,
        prefer: 'wait=60',
      },
      body: JSON.stringify(body),
    });
    return { httpStatus: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Who ran each workflow task of the saga, in order (the identity a worker reports: pid@host). */
  async function workflowTaskIdentities(workflowId: string): Promise<string[]> {
    const connection = await Connection.connect({ address: stack.urls.temporal });
    try {
      const keys = loadPayloadKeys({ PAYLOAD_KEYS_FILE: path.join(stack.dataDir, 'payload-keys') });
      const client = new Client({ connection, dataConverter: dataConverterFor(keys) });
      const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
      return (events ?? [])
        .filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)
        .map((event) => event.workflowTaskStartedEventAttributes?.identity ?? '');
    } finally {
      await connection.close();
    }
  }

  it('is ready once its saga worker runs', async () => {
    const ready = await fetch(`${stack.urls.api}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      status: 'ready',
      temporal: { namespace: 'default' },
      sagaWorker: 'running',
    });
  });

  /** An order placed and waited for: it must have completed. */
  async function completedOrder(sku: string): Promise<string> {
    const placed = await post('/orders', {
      customerId: 'eager-customer',
      currency: 'EUR',
      items: [{ sku, quantity: 1 }],
      paymentMethod: 'tok_ok',
    });
    assert.equal(placed.body.status, 'COMPLETED', JSON.stringify(placed));
    return String(placed.body.orderId);
  }

  /** The saga's first workflow task ran in the API process, and the API logged its start (`started`) as eager. */
  async function assertStartedEagerlyInApi(workflowId: string, started: string): Promise<void> {
    const identities = await workflowTaskIdentities(workflowId);
    const api = `${stack.pidOf('api')}@${os.hostname()}`;
    assert.equal(identities[0], api, `the first workflow task ran in the API (${api}): ${identities.join(', ')}`);
    const line = stack
      .output()
      .split('\n')
      .find((text) => text.includes(started) && text.includes(workflowId));
    assert.match(line ?? '', /eager=true/, 'the server handed the first workflow task back with the start');
  }

  it('starts an order eagerly: the API process runs its first workflow task, and the order completes', async () => {
    const before = await scrape(stack.urls.apiWorkerMetrics);
    const orderId = await completedOrder('SKU-1');
    await assertStartedEagerlyInApi(orderId, 'order saga started');
    // Its saga metrics are the API's saga worker's to export.
    const afterwards = await scrape(stack.urls.apiWorkerMetrics);
    const finished = (scraped: typeof before) =>
      scraped.value('sagaflow_sagas_finished_total', { saga: 'order-fulfillment', status: 'COMPLETED' });
    assert.equal(finished(afterwards) - finished(before), 1);
  });

  it('starts a return of that kind of order eagerly as well', async () => {
    const orderId = await completedOrder('SKU-2');
    const placed = await post(`/orders/${orderId}/returns`, { items: [{ sku: 'SKU-2', quantity: 1 }] });
    assert.ok(placed.httpStatus < 300, JSON.stringify(placed));
    await assertStartedEagerlyInApi(String(placed.body.returnId), 'return saga started');
  });

  it('stops cleanly with the stack', async () => {
    assert.equal(await stack.stop(10_000), 0, stack.output().slice(-3000));
  });
});
