import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { restartUpdate } from '../../workflows/order/messages';
import { rejectsWithCause, waitForStatus, waitForStep } from '../helpers/order-saga';
import { realServicesSuite } from '../helpers/real-services';
import { fulfilledOrder, receiveParcel, returnInput as baseReturnInput, runReturnSaga } from '../helpers/return-saga';
import { STEP_EXECUTIONS } from '../helpers/step-execution';
import type { ReturnInput } from '../../workflows/returns/types';

// Restart from a step, on the returns saga against the real services (time-skipping server): a refund the payment
// provider refuses parks the return after its parcel; once that is fixed an operator restarts it from an earlier
// step. Effects that stand are asked again under their own keys (the services answer what they did, nothing twice);
// the refused step runs under a fresh one.
const suite = realServicesSuite();

// Every case runs with the saga's service calls as regular activities on the lanes and as local activities.
for (const stepExecution of STEP_EXECUTIONS) {
  const returnInput = (orderId: string, overrides: Partial<ReturnInput> = {}) =>
    baseReturnInput(orderId, { stepExecution, ...overrides });

  describe(`restarting the returns saga, ${stepExecution} steps`, () => {
    it('parked at the refund, restarted from the restock: restocked once, refunded once, REFUNDED', async () => {
      const orderId = await fulfilledOrder(suite.env, suite.services);
      let refusing = true;
      const keys: string[] = [];
      const fetch: typeof globalThis.fetch = async (url, init) => {
        const key = new Headers(init?.headers).get('idempotency-key') ?? '';
        keys.push(key.split(':').slice(2).join(':')); // the step part, after <workflow id>:<first run id>
        if (refusing && key.endsWith(':refund')) {
          const error = { code: 'PROVIDER_REFUSED', message: 'the payment provider refused the refund' };
          return Response.json({ error }, { status: 409 });
        }
        return globalThis.fetch(url, init);
      };
      const input = returnInput(orderId);
      const availableBefore = await suite.services.available('SKU-1');

      const result = await runReturnSaga(suite.env, suite.services.returnActivities(fetch), input, async (handle) => {
        await waitForStep(handle, 'awaitParcel');
        await receiveParcel(handle);
        const parked = await waitForStatus(handle, 'FORWARD_FAILED');
        assert.deepEqual(
          parked.parked.map((p) => p.step),
          ['refund'],
        );
        const restart = (from: string) => handle.executeUpdate(restartUpdate, { args: [{ from, by: 'ops-1' }] });
        await rejectsWithCause(
          restart('awaitParcel'),
          /point of no return at awaitParcel; restart from a step after it/,
        );
        await rejectsWithCause(restart('markRefunded'), /step refund is parked/);
        await rejectsWithCause(restart('nope'), /has no step nope/);

        refusing = false; // the provider's problem is fixed
        const answer = await handle.executeUpdate(restartUpdate, {
          args: [{ from: 'restock', by: 'ops-1', reason: 'provider fixed' }],
        });
        assert.deepEqual([answer.status, answer.currentStep, answer.parked], ['RUNNING', 'restock', []]);
      });

      assert.equal(result.state.status, 'COMPLETED');
      assert.deepEqual(result.state.completedSteps, [
        'requestReturn',
        'createLabel',
        'awaitParcel',
        'markReceived',
        'restock',
        'refund',
        'markRefunded',
      ]);
      assert.deepEqual(result.state.restart && { ...result.state.restart, at: 0 }, {
        from: 'restock',
        by: 'ops-1',
        reason: 'provider fixed',
        count: 1,
        at: 0,
      });
      assert.equal(result.parcel?.by, 'warehouse-1', 'the context of the parked run is carried');
      assert.deepEqual(
        keys.filter((k) => /^(restock|refund)/.test(k)),
        ['restock', 'refund', 'restock', 'refund:restart-1'],
      );
      assert.deepEqual(await suite.services.returnSnapshot(input.returnId, orderId), {
        return: 'REFUNDED',
        label: 'USED',
        restock: 'RESTOCKED',
        refundedMinor: 2_450,
      });
      assert.equal(await suite.services.available('SKU-1'), availableBefore + 1, 'restocked once, though asked twice');
    });
  });
}
