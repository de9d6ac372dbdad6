import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveStepUpdate, restartUpdate, retryStepUpdate } from '../../workflows/order/messages';
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
      // Restock and refund run at once (their group): each run's two calls come in either order.
      const calls = keys.filter((k) => /^(restock|refund)/.test(k));
      assert.deepEqual(
        [calls.slice(0, 2).sort(), calls.slice(2).sort()],
        [
          ['refund', 'restock'],
          ['refund:restart-1', 'restock'],
        ],
      );
      assert.deepEqual(await suite.services.returnSnapshot(input.returnId, orderId), {
        return: 'REFUNDED',
        label: 'USED',
        restock: 'RESTOCKED',
        refundedMinor: 2_450,
      });
      assert.equal(await suite.services.available('SKU-1'), availableBefore + 1, 'restocked once, though asked twice');
    });

    /**
     * The refund's calls, by the step part of their key; `fault` answers in the service's place after the call was
     * forwarded (so its effect stands): once, for the first refund call.
     */
    function refundTransport(
      fault: (body: Record<string, unknown>) => { body: Record<string, unknown>; answer: Response },
    ) {
      const keys: string[] = [];
      let faulted = false;
      const fetch: typeof globalThis.fetch = async (url, init) => {
        const key = new Headers(init?.headers).get('idempotency-key') ?? '';
        if (!String(url).endsWith('/refund')) return globalThis.fetch(url, init);
        keys.push(key.split(':').slice(2).join(':'));
        if (faulted) return globalThis.fetch(url, init);
        faulted = true;
        const { body, answer } = fault(JSON.parse(String(init?.body)) as Record<string, unknown>);
        await globalThis.fetch(url, { ...init, body: JSON.stringify(body) });
        return answer;
      };
      return { keys, fetch };
    }

    it('a refund applied under a request a fix then changed: restart and retry keep its key, refunded once', async () => {
      const orderId = await fulfilledOrder(suite.env, suite.services);
      // The first refund is the code deployed before the fix (no reference), and its answer is lost; the retry
      // under the same key sends the new request, which the service refuses as IDEMPOTENCY_KEY_REUSED.
      const { keys, fetch } = refundTransport((body) => {
        const legacy = { ...body };
        delete legacy.reference;
        return { body: legacy, answer: new Response('<h1>502 Bad Gateway</h1>', { status: 502 }) };
      });
      const input = returnInput(orderId);
      const result = await runReturnSaga(suite.env, suite.services.returnActivities(fetch), input, async (handle) => {
        await waitForStep(handle, 'awaitParcel');
        await receiveParcel(handle);
        const parked = await waitForStatus(handle, 'FORWARD_FAILED');
        assert.match(parked.parked[0]!.error, /IDEMPOTENCY_KEY_REUSED|different request/);
        await handle.executeUpdate(restartUpdate, { args: [{ from: 'refund', by: 'ops-1' }] });
        await waitForStatus(handle, 'FORWARD_FAILED');
        const retried = await handle.executeUpdate(retryStepUpdate, { args: [{ step: 'refund', by: 'ops-1' }] });
        assert.equal(retried.status, 'FORWARD_FAILED', 'the same key is refused again: no second refund');
        // The operator checks the payment by hand: refunded once. Resolved.
        await handle.executeUpdate(resolveStepUpdate, {
          args: [{ step: 'refund', by: 'ops-1', reason: 'refunded once, checked in the ledger' }],
        });
      });
      assert.equal(result.state.status, 'COMPLETED');
      assert.deepEqual([...new Set(keys)], ['refund'], 'every refund call under the step key');
      assert.equal((await suite.services.returnSnapshot(input.returnId, orderId)).refundedMinor, 2_450);
    });

    it('a refund applied, then answered with a refusal: the retry under a fresh key refunds nothing more', async () => {
      const orderId = await fulfilledOrder(suite.env, suite.services);
      // A proxy answers a business refusal after the service applied the refund: the step's key holds an effect
      // the saga believes refused, so the retry runs under a fresh key, and the return's reference stops a second one.
      const refused = { error: { code: 'PROVIDER_REFUSED', message: 'refused by the proxy', details: null } };
      const { keys, fetch } = refundTransport((body) => ({ body, answer: Response.json(refused, { status: 409 }) }));
      const input = returnInput(orderId);
      const result = await runReturnSaga(suite.env, suite.services.returnActivities(fetch), input, async (handle) => {
        await waitForStep(handle, 'awaitParcel');
        await receiveParcel(handle);
        await waitForStatus(handle, 'FORWARD_FAILED');
        await handle.executeUpdate(retryStepUpdate, { args: [{ step: 'refund', by: 'ops-1' }] });
      });
      assert.equal(result.state.status, 'COMPLETED');
      assert.deepEqual(keys, ['refund', 'refund:retry-1']);
      assert.equal((await suite.services.returnSnapshot(input.returnId, orderId)).refundedMinor, 2_450);
    });
  });
}
