import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import { FakeOrderServices } from '../helpers/fake-order-services';
import { orderInput, runOrderSaga, waitForStatus } from '../helpers/order-saga';
import { createLocalEnv } from '../helpers/temporal';

// On the real dev server (the one operators use with the Web UI): sagas are findable by search attribute
// and readable through their current details.
let env: TestWorkflowEnvironment;
before(async () => {
  env = await createLocalEnv();
});
after(() => env?.teardown());

async function listIds(client: Client, query: string): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
    if (ids.length > 0) return ids.sort();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [];
}

describe('operator view on the dev server', () => {
  it('a saga waiting for approval is findable by OrderStatus and explains itself in its current details', async () => {
    const input = orderInput({ customerId: `cust-vis-${process.pid}`, items: [{ sku: 'SKU-1', quantity: 200 }] });
    const result = await runOrderSaga(env, new FakeOrderServices().activities(), input, async (handle) => {
      await waitForStatus(handle, 'AWAITING_APPROVAL');
      const waiting = await listIds(
        env.client,
        `OrderStatus = "AWAITING_APPROVAL" AND CustomerId = "${input.customerId}"`,
      );
      assert.deepEqual(waiting, [input.orderId]);

      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      assert.match(metadata.currentDetails ?? '', /AWAITING_APPROVAL/);
      assert.match(metadata.currentDetails ?? '', new RegExp(`Order ${input.orderId}`));

      const description = await handle.describe();
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.SagaStep), 'awaitApproval');
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OrderTotal), 200_000);
      await handle.executeUpdate('approve', { args: [{ approved: true, by: 'ops' }] });
    });
    assert.equal(result.state.status, 'COMPLETED');
    const done = await listIds(env.client, `OrderStatus = "COMPLETED" AND CustomerId = "${input.customerId}"`);
    assert.deepEqual(done, [input.orderId]);
  });

  it('a compensated saga is listed with its final status', async () => {
    const fakes = new FakeOrderServices();
    fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
    const input = orderInput({ customerId: `cust-vis2-${process.pid}` });
    const result = await runOrderSaga(env, fakes.activities(), input);
    assert.equal(result.state.status, 'COMPENSATED');
    const ids = await listIds(env.client, `OrderStatus = "COMPENSATED" AND CustomerId = "${input.customerId}"`);
    assert.deepEqual(ids, [input.orderId]);
  });

  it('publishSteps: false upserts SagaStep only with OrderStatus (3 upserts instead of 10), the Query still shows each step', async () => {
    const upserts = async (publishSteps: boolean | undefined) => {
      const input = orderInput({
        customerId: `cust-vis3-${process.pid}`,
        ...(publishSteps === undefined ? {} : { publishSteps }),
      });
      const result = await runOrderSaga(env, new FakeOrderServices().activities(), input);
      assert.equal(result.state.status, 'COMPLETED');
      const handle = env.client.workflow.getHandle(input.orderId);
      const history = await handle.fetchHistory();
      const description = await handle.describe();
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OrderStatus), 'COMPLETED');
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.SagaStep), '-');
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.CustomerId), input.customerId);
      assert.ok((description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OrderTotal) ?? 0) > 0);
      return (history.events ?? []).filter((event) => event.upsertWorkflowSearchAttributesEventAttributes).length;
    };
    assert.equal(await upserts(undefined), 10);
    assert.equal(await upserts(false), 3);
  });

  it('publishSteps: false still publishes the step with each status change (awaiting approval)', async () => {
    const input = orderInput({
      customerId: `cust-vis4-${process.pid}`,
      items: [{ sku: 'SKU-1', quantity: 200 }],
      publishSteps: false,
    });
    const result = await runOrderSaga(env, new FakeOrderServices().activities(), input, async (handle) => {
      await waitForStatus(handle, 'AWAITING_APPROVAL');
      const description = await handle.describe();
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OrderStatus), 'AWAITING_APPROVAL');
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.SagaStep), 'awaitApproval');
      await handle.executeUpdate('approve', { args: [{ approved: true, by: 'ops' }] });
    });
    assert.equal(result.state.status, 'COMPLETED');
  });
});
