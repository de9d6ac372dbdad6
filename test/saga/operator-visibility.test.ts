import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import { FakeOrderServices } from '../helpers/fake-order-services';
import { orderInput, runOrderSaga, waitForStatus } from '../helpers/order-saga';
import { createLocalEnv } from '../helpers/temporal';
import type { OrderInput } from '../../workflows/order/types';

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

  it('a parked saga is findable by ParkedStep and ParkedReason until an operator decides; a restarted run clears them', async () => {
    const parkedOn = async (orderId: string) => {
      const attributes = (await env.client.workflow.getHandle(orderId).describe()).typedSearchAttributes;
      return [attributes.get(SEARCH_ATTRIBUTES.ParkedStep), attributes.get(SEARCH_ATTRIBUTES.ParkedReason)];
    };
    // A compensation refused: parked COMPENSATION_FAILED on the step it undoes, with the refusal's code.
    const fakes = new FakeOrderServices();
    fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
    fakes.faults.set('releaseInventory', { kind: 'business', code: 'RESERVATION_COMMITTED', times: 1 });
    const compensation = orderInput({ customerId: `cust-vis-parked-${process.pid}`, publishMode: 'on-status-change' });
    const compensated = await runOrderSaga(env, fakes.activities(), compensation, async (handle) => {
      await waitForStatus(handle, 'COMPENSATION_FAILED');
      assert.deepEqual(await parkedOn(compensation.orderId), [['reserveInventory'], ['RESERVATION_COMMITTED']]);
      const found = await listIds(
        env.client,
        `ParkedStep = "reserveInventory" AND ParkedReason = "RESERVATION_COMMITTED" AND CustomerId = "${compensation.customerId}"`,
      );
      assert.deepEqual(found, [compensation.orderId]);
      await handle.executeUpdate('retryCompensation', { args: [{ by: 'ops' }] });
    });
    assert.equal(compensated.state.status, 'COMPENSATED');
    assert.deepEqual(await parkedOn(compensation.orderId), [undefined, undefined]);

    // A step after the pivot refused, then restarted: the new run inherits its predecessor's attributes and clears them.
    const forward = new FakeOrderServices();
    forward.faults.set('commitInventory', { kind: 'business', code: 'RESERVATION_RELEASED', times: 1 });
    const restarted = orderInput({ customerId: `cust-vis-parked-${process.pid}` });
    const result = await runOrderSaga(env, forward.activities(), restarted, async (handle) => {
      await waitForStatus(handle, 'FORWARD_FAILED');
      assert.deepEqual(await parkedOn(restarted.orderId), [['commitInventory'], ['RESERVATION_RELEASED']]);
      await handle.executeUpdate('restart', { args: [{ from: 'markPaid', by: 'ops', reason: 'fixed' }] });
    });
    assert.equal(result.state.status, 'COMPLETED');
    assert.deepEqual(await parkedOn(restarted.orderId), [undefined, undefined]);
  });

  it('counts upserts per publish mode: every-step 9, on-status-change 1 (started as the API starts it), legacy publishSteps: false 3', async () => {
    const upserts = async (publish: Partial<OrderInput>, startSearchAttributes = true) => {
      const input = orderInput({ customerId: `cust-vis3-${process.pid}`, ...publish });
      const result = await runOrderSaga(env, new FakeOrderServices().activities(), input, undefined, {
        startSearchAttributes,
      });
      assert.equal(result.state.status, 'COMPLETED');
      const handle = env.client.workflow.getHandle(input.orderId);
      const history = await handle.fetchHistory();
      const description = await handle.describe();
      // Whatever the mode, a closed saga ends with the same search attributes.
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OrderStatus), 'COMPLETED');
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.SagaStep), '-');
      // CustomerId is only what the starter set (the API: a keyed hash), never the input's plaintext id.
      const customer = description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.CustomerId);
      assert.equal(customer, startSearchAttributes ? input.customerId : undefined);
      assert.ok((description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OrderTotal) ?? 0) > 0);
      const upserted = (history.events ?? []).flatMap((event) => {
        const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
        return fields ? [Object.keys(fields)] : [];
      });
      // The SDK upserts TemporalChangeVersion each time the run takes a patch it had not taken yet (here the state
      // memo's and the paid-and-commit group's): it lists the patches the run follows, not the saga's own publishing.
      const changeVersion = upserted.filter((keys) => keys.length === 1 && keys[0] === 'TemporalChangeVersion');
      assert.equal(changeVersion.length, 2);
      return upserted.length - changeVersion.length;
    };
    // Every step change but one: markPaid and commitInventory start together (their group shows as markPaid).
    assert.equal(await upserts({}), 9);
    assert.equal(await upserts({ publishMode: 'every-step' }), 9);
    assert.equal(await upserts({ publishMode: 'on-status-change' }), 1);
    // Started without search attributes (e.g. from the CLI), the saga publishes them at its first status.
    assert.equal(await upserts({ publishMode: 'on-status-change' }, false), 2);
    assert.equal(await upserts({ publishSteps: false }), 3);
  });

  it('on-status-change: a running saga is found by its start attributes, a waiting one with its step and total', async () => {
    const input = orderInput({
      customerId: `cust-vis4-${process.pid}`,
      items: [{ sku: 'SKU-1', quantity: 200 }],
      publishMode: 'on-status-change',
    });
    const result = await runOrderSaga(env, new FakeOrderServices().activities(), input, async (handle) => {
      await waitForStatus(handle, 'AWAITING_APPROVAL');
      const description = await handle.describe();
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OrderStatus), 'AWAITING_APPROVAL');
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.SagaStep), 'awaitApproval');
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.OrderTotal), 200_000);
      assert.equal(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.CustomerId), input.customerId);
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      assert.match(metadata.currentDetails ?? '', /current step: awaitApproval/);
      await handle.executeUpdate('approve', { args: [{ approved: true, by: 'ops' }] });
    });
    assert.equal(result.state.status, 'COMPLETED');
    const done = await listIds(env.client, `OrderStatus = "COMPLETED" AND CustomerId = "${input.customerId}"`);
    assert.deepEqual(done, [input.orderId]);
  });

  it('legacy publishSteps: false still publishes the step with each status change (awaiting approval)', async () => {
    const input = orderInput({
      customerId: `cust-vis5-${process.pid}`,
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
