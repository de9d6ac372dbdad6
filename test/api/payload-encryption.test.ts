import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { OrderViewSchema } from '../../api/schemas';
import { ENCRYPTED_ENCODING } from '../../lib/codec/encryption-codec';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { testDataConverter, workflowBundle } from '../helpers/worker';
import { orderInput } from '../helpers/order-saga';
import { apiOnDevServer, KEYS, newKey, pollUntil, validOrder } from './harness';

// What an order saga leaves in Temporal when the API, the worker and their clients encrypt payloads
// (lib/codec): read straight from the server, as anyone with the database or the UI (without the codec
// server) would, it holds no customer id, payment method token or failure message in plain text.
const suite = apiOnDevServer('payload-encryption');
const { run } = suite;

const SECRETS = ['cust-private-4711', 'cust-private-4712', 'tok_ok', 'tok_declined', 'declined for cust-private'];

async function rawRecords(orderId: string): Promise<Buffer> {
  const { env } = suite;
  const namespace = env.namespace ?? 'default';
  const execution = { workflowId: orderId };
  const { history } = await env.client.workflowService.getWorkflowExecutionHistory({ namespace, execution });
  const description = await env.client.workflowService.describeWorkflowExecution({ namespace, execution });
  return Buffer.concat([
    temporal.api.history.v1.History.encode(history!).finish(),
    temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(description).finish(),
  ]);
}

const order = (customerId: string, paymentMethod: string) =>
  suite.api.request('POST', '/orders', {
    key: KEYS.client,
    body: validOrder({ customerId, paymentMethod }),
    headers: { 'Idempotency-Key': newKey('encrypted'), Prefer: 'wait=30' },
  });

describe('payload encryption at rest', () => {
  it('the worker acts on nothing that reached Temporal unencrypted: a plaintext approve and a plaintext start', () =>
    run(async () => {
      // Anyone who reaches the frontend without the payload keys: a client with the SDK's plain converter.
      const mallory = new Client({ connection: suite.env.connection, namespace: suite.env.namespace ?? 'default' });
      const placed = await suite.api.request('POST', '/orders', {
        key: KEYS.client,
        body: validOrder({ items: [{ sku: 'SKU-1', quantity: 1000 }] }),
        headers: { 'Idempotency-Key': newKey('plaintext') },
      });
      assert.equal(placed.status, 202, placed.text);
      const orderId = (placed.body as { orderId: string }).orderId;
      const status = async () =>
        OrderViewSchema.parse((await suite.api.request('GET', `/orders/${orderId}`, { key: KEYS.operator })).body);
      await pollUntil(status, (o) => o.status === 'AWAITING_APPROVAL', 'awaiting approval');

      // A plaintext approve is rejected by its validation; the saga still waits for a decision.
      // (Its answer is encrypted too: Mallory cannot even read why.)
      await assert.rejects(
        mallory.workflow.getHandle(orderId).executeUpdate('approve', { args: [{ approved: true, by: 'mallory' }] }),
      );
      assert.equal((await status()).status, 'AWAITING_APPROVAL', 'not approved by a plaintext Update');
      assert.equal(suite.fakes.payments.has(orderId), false, 'no payment');

      // A forged start with a restart checkpoint past the capture fails at once, before any step.
      const forgedId = `forged-${newKey('start')}`;
      const input = orderInput({ orderId: forgedId });
      const forged = await mallory.workflow.start('orderFulfillment', {
        taskQueue: suite.taskQueue,
        workflowId: forgedId,
        args: [
          {
            ...input,
            restart: {
              from: 'markPaid',
              by: 'mallory',
              checkpoint: { status: 'FORWARD_FAILED', restarts: 0, steps: { capturePayment: { outcome: 'DONE' } } },
              context: { input },
            },
          },
        ],
      });
      await assert.rejects(suite.env.client.workflow.getHandle(forged.workflowId).result(), (err: Error) => {
        assert.equal((err.cause as { type?: string } | undefined)?.type, 'PAYLOAD_NOT_ENCRYPTED');
        return true;
      });
      const { history } = await suite.env.client.workflowService.getWorkflowExecutionHistory({
        namespace: suite.env.namespace ?? 'default',
        execution: { workflowId: forgedId },
      });
      const types = (history?.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? '');
      assert.ok(!types.some((t) => /ACTIVITY|MARKER/.test(t)), types.join(','));
      assert.deepEqual(
        [suite.fakes.orders.has(forgedId), suite.fakes.payments.has(forgedId), suite.fakes.reservations.has(forgedId)],
        [false, false, false],
      );

      // The legitimate decision still works.
      const cancel = await suite.api.request('POST', `/orders/${orderId}/cancel`, {
        key: KEYS.client,
        body: { reason: 'done' },
      });
      assert.equal(cancel.status, 200, cancel.text);
    }));

  it('a completed and a compensated saga store no plaintext customer data, and the API still reads and finds them', () =>
    run(async () => {
      const completed = await order('cust-private-4711', 'tok_ok');
      assert.equal(completed.status, 200, completed.text);
      assert.equal(OrderViewSchema.parse(completed.body).status, 'COMPLETED');

      suite.fakes.faults.set('authorizePayment', {
        kind: 'business',
        code: 'PAYMENT_DECLINED',
        message: 'card tok_declined declined for cust-private-4712',
        times: 1,
      });
      const declined = await order('cust-private-4712', 'tok_declined');
      assert.equal(declined.status, 200, declined.text);
      const declinedView = OrderViewSchema.parse(declined.body);
      assert.equal(declinedView.status, 'COMPENSATED');

      for (const view of [OrderViewSchema.parse(completed.body), declinedView]) {
        const raw = await rawRecords(view.orderId);
        assert.ok(raw.includes(ENCRYPTED_ENCODING), 'the payloads are encrypted');
        assert.ok(raw.includes('cref_'), 'CustomerId holds the keyed hash');
        for (const secret of SECRETS) assert.ok(!raw.includes(secret), `"${secret}" is stored in plain text`);
      }

      // An encrypted history replays with the keys (test/saga/replay.test.ts covers the recorded plaintext ones).
      for (const view of [OrderViewSchema.parse(completed.body), declinedView]) {
        const history = await suite.env.client.workflow.getHandle(view.orderId).fetchHistory();
        await Worker.runReplayHistory(
          { workflowBundle: await workflowBundle(), dataConverter: testDataConverter() },
          history,
          view.orderId,
        );
      }

      // An operator's view carries the failure detail: decrypted by the API's codec.
      const read = await suite.api.request('GET', `/orders/${declinedView.orderId}`, { key: KEYS.operator });
      const readView = OrderViewSchema.parse(read.body);
      assert.equal(readView.customerId, 'cust-private-4712');
      assert.match(readView.state?.failure?.message ?? '', /declined for cust-private-4712/);
      // Visibility is eventually consistent: the listing may need a moment.
      let listed: string[] = [];
      for (let attempt = 0; attempt < 50 && listed.length === 0; attempt++) {
        const list = await suite.api.request<{ orders: { orderId: string; customerId: string }[] }>(
          'GET',
          '/orders?customerId=cust-private-4711',
          { key: KEYS.client },
        );
        listed = list.body.orders.map((o) => `${o.orderId}:${o.customerId}`);
        if (listed.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(listed, [`${OrderViewSchema.parse(completed.body).orderId}:cust-private-4711`]);
    }));
});
