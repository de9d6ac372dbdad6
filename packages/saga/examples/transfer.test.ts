// The transfer saga tested with the engine's kit, as an application's own tests would: in-memory activities, faults
// per step, assertions on the ledger. Run by test/saga/testing-kit.test.ts here, and from outside the repository
// (test/saga/package-install.test.ts) against the packed package; packages/saga/README.md quotes the region below.

// #region kit
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSagaTestEnv, fault, ledgerOf, replaySaga, runSaga, waitForState } from '@sagaflow/saga/testing';
import { transfer, transferSaga, transferState } from './transfer';
import type { TransferActivities } from './transfer';

/** An in-memory bank that applies each idempotency key once, as the real service must. */
function bank(balances: Record<string, number>): TransferActivities {
  const applied = new Set<string>();
  const debited = new Map<string, number>();
  const once = (key: string, effect: () => void) => {
    if (!applied.has(key)) effect();
    applied.add(key);
  };
  return {
    async debit({ account, amountMinor, idempotencyKey }) {
      once(idempotencyKey, () => {
        balances[account] = (balances[account] ?? 0) - amountMinor;
        debited.set(account, amountMinor);
      });
      return { debitId: `debit-${account}` };
    },
    async refundDebit({ account, idempotencyKey }) {
      once(idempotencyKey, () => {
        balances[account] = (balances[account] ?? 0) + (debited.get(account) ?? 0);
        debited.delete(account);
      });
    },
    async credit({ account, amountMinor, idempotencyKey }) {
      once(idempotencyKey, () => (balances[account] = (balances[account] ?? 0) + amountMinor));
    },
    async sendReceipt() {},
  };
}

describe('the transfer saga', () => {
  let env: TestWorkflowEnvironment;
  before(async () => (env = await createSagaTestEnv()));
  after(() => env?.teardown());

  const workflows = { workflowsPath: require.resolve('./transfer') };
  const run = (balances: Record<string, number>, options: Partial<Parameters<typeof runSaga>[0]> = {}) =>
    runSaga({
      env,
      workflows,
      workflow: transfer,
      args: [{ from: 'alice', to: 'bob', amountMinor: 60 }],
      activities: bank(balances),
      definition: transferSaga, // the kit serves its lanes too
      ...options,
    });

  it('moves the money, and its history replays', async () => {
    const balances = { alice: 100, bob: 0 };
    const { result, history } = await run(balances);
    assert.deepEqual(ledgerOf(result!.state), {
      status: 'COMPLETED',
      done: ['debit', 'credit', 'receipt'],
      compensated: [],
      skipped: [],
      parked: [],
      recoveries: [],
    });
    assert.deepEqual(balances, { alice: 40, bob: 60 });
    await replaySaga(history, workflows);
  });

  it('refunds the debit when the credit (the pivot) is refused', async () => {
    const balances = { alice: 100, bob: 0 };
    const { result } = await run(balances, { faults: { steps: { credit: fault.business('ACCOUNT_CLOSED') } } });
    const ledger = ledgerOf(result!.state);
    assert.deepEqual(
      [ledger.status, ledger.failure, ledger.compensated],
      ['COMPENSATED', 'credit ACCOUNT_CLOSED', ['debit']],
    );
    assert.deepEqual(balances, { alice: 100, bob: 0 });
  });

  it('debits once when the reply to the debit is lost, and rides out an outage of the credit', async () => {
    const balances = { alice: 100, bob: 0 };
    const faults = { steps: { debit: fault.lostReply(1), credit: fault.transient(2) } };
    const { result, calls } = await run(balances, { faults });
    assert.equal(result!.state.status, 'COMPLETED');
    const debits = calls.filter((call) => call.step === 'debit');
    assert.deepEqual(
      debits.map((call) => call.outcome),
      ['lostReply', 'ok'],
    );
    assert.equal(new Set(debits.map((call) => call.idempotencyKey)).size, 1, 'one key on every attempt');
    assert.deepEqual(balances, { alice: 40, bob: 60 });
  });

  it('parks a receipt refused after the pivot until an operator resolves it', async () => {
    const { result } = await run(
      { alice: 100, bob: 0 },
      {
        faults: { steps: { receipt: fault.business('MAIL_BOUNCED') } },
        during: async (handle) => {
          await waitForState(handle, transferState, (state) => state.status === 'FORWARD_FAILED');
          await handle.executeUpdate('resolveStep', { args: [{ by: 'ops', reason: 'sent by hand' }] });
        },
      },
    );
    assert.deepEqual(ledgerOf(result!.state).recoveries, ['receipt FAILED', 'receipt RESOLVED']);
  });

  it('compensates a debit that never answers once the attempts time out', async () => {
    const balances = { alice: 100, bob: 0 };
    const { result } = await run(balances, { faults: { steps: { debit: fault.hang() } } });
    const ledger = ledgerOf(result!.state);
    assert.deepEqual([ledger.status, ledger.done, ledger.compensated], ['COMPENSATED', [], ['debit']]);
    assert.deepEqual(balances, { alice: 100, bob: 0 });
  });
});
// #endregion kit
