import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { laneTaskQueue } from '../../packages/saga';
import type { SagaState } from '../../packages/saga';
import type { TransferActivities } from '../../packages/saga/examples/transfer';
import { transfer } from '../../packages/saga/examples/transfer';
import { bundleOnce, createTestWorker, testDataConverter } from '../helpers/worker';
import { createTimeSkippingEnv } from '../helpers/temporal';

// The saga package as a user adopts it: the example saga of its README, built on the public surface only,
// run on the time-skipping server with in-memory activities; and the README's quotes of it kept true.
const example = path.resolve(__dirname, '..', '..', 'packages', 'saga', 'examples', 'transfer.ts');

describe('the saga package README', () => {
  it('quotes the example exactly as it compiles', () => {
    const readme = readFileSync(path.join(path.dirname(example), '..', 'README.md'), 'utf8');
    const source = readFileSync(example, 'utf8');
    const regions = [...source.matchAll(/\/\/ #region (\w+)\n([\s\S]*?)\/\/ #endregion \1/g)];
    assert.deepEqual(
      regions.map((r) => r[1]),
      ['activities', 'definition', 'workflow'],
    );
    for (const [, name, code] of regions) {
      assert.ok(readme.includes('```ts\n' + code + '```'), `README quotes the ${name} region of examples/transfer.ts`);
    }
  });
});

describe('a saga built on the public API (examples/transfer.ts)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  /** In-memory bank: balances, and what was called. */
  function bank(balances: Record<string, number>, { creditFails = false, receiptFails = false } = {}) {
    const calls: string[] = [];
    const activities: TransferActivities = {
      async debit({ account, amountMinor }) {
        calls.push(`debit ${account}`);
        if ((balances[account] ?? 0) < amountMinor)
          throw ApplicationFailure.nonRetryable('no funds', 'INSUFFICIENT_FUNDS');
        balances[account] = (balances[account] ?? 0) - amountMinor;
        return { debitId: `d-${account}` };
      },
      async refundDebit({ account }) {
        calls.push(`refund ${account}`);
      },
      async credit({ account, amountMinor }) {
        calls.push(`credit ${account}`);
        if (creditFails) throw ApplicationFailure.nonRetryable('account closed', 'ACCOUNT_CLOSED');
        balances[account] = (balances[account] ?? 0) + amountMinor;
      },
      async sendReceipt({ account }) {
        calls.push(`receipt ${account}`);
        if (receiptFails) throw ApplicationFailure.nonRetryable('mail bounced', 'MAIL_BOUNCED');
      },
    };
    return { calls, activities };
  }

  let sequence = 0;
  async function run<T>(activities: TransferActivities, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `transfer-${process.pid}-${++sequence}`;
    const workers: Worker[] = [
      await createTestWorker(env, {
        taskQueue,
        activities: { sendReceipt: activities.sendReceipt },
        workflowBundle: await bundleOnce(example),
      }),
      await createTestWorker(env, { taskQueue: laneTaskQueue(taskQueue, 'bank'), activities }),
    ];
    const running = workers.map((w) => w.run());
    try {
      return await fn(taskQueue);
    } finally {
      workers.forEach((w) => w.shutdown());
      await Promise.all(running);
    }
  }

  const start = (taskQueue: string, amountMinor: number) =>
    env.client.workflow.start(transfer, {
      taskQueue,
      workflowId: `${taskQueue}-wf`,
      args: [{ from: 'alice', to: 'bob', amountMinor }],
    });

  it('completes: debit then credit, on the lane; and its history replays', async () => {
    const balances = { alice: 100, bob: 0 };
    const { calls, activities } = bank(balances);
    const { state, history } = await run(activities, async (tq) => {
      const handle = await start(tq, 60);
      return { state: await handle.result(), history: await handle.fetchHistory() };
    });
    assert.equal(state.status, 'COMPLETED');
    assert.deepEqual(calls, ['debit alice', 'credit bob', 'receipt alice']);
    assert.deepEqual(balances, { alice: 40, bob: 60 });
    // A replay runs the workflow code again against the recorded commands: a non-deterministic change fails here.
    await Worker.runReplayHistory(
      { workflowBundle: await bundleOnce(example), dataConverter: testDataConverter() },
      history,
    );
  });

  it('compensates a failed debit, even though nothing was debited', async () => {
    const { calls, activities } = bank({ alice: 10 });
    const state: SagaState = await run(activities, async (tq) => (await start(tq, 60)).result());
    assert.equal(state.status, 'COMPENSATED');
    assert.equal(state.failure?.type, 'INSUFFICIENT_FUNDS');
    assert.deepEqual(calls, ['debit alice', 'refund alice']);
  });

  it('compensates when the pivot itself fails: the debit is refunded', async () => {
    const { calls, activities } = bank({ alice: 100 }, { creditFails: true });
    const state = await run(activities, async (tq) => (await start(tq, 60)).result());
    assert.equal(state.status, 'COMPENSATED');
    assert.deepEqual(calls, ['debit alice', 'credit bob', 'refund alice']);
  });

  it('parks a step that fails after the pivot, and an operator resolves it', async () => {
    const { calls, activities } = bank({ alice: 100 }, { receiptFails: true });
    const state = await run(activities, async (tq) => {
      const handle = await start(tq, 60);
      let current = await handle.query<SagaState>('transferState');
      for (let i = 0; i < 100 && current.status !== 'FORWARD_FAILED'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        current = await handle.query<SagaState>('transferState');
      }
      assert.equal(current.status, 'FORWARD_FAILED');
      await handle.executeUpdate('resolveStep', { args: [{ step: 'receipt', by: 'ops', reason: 'mailed by hand' }] });
      return handle.result();
    });
    assert.equal(state.status, 'COMPLETED');
    assert.deepEqual(calls, ['debit alice', 'credit bob', 'receipt alice'], 'never refunded after the pivot');
    assert.equal(state.recoveries?.at(-1)?.outcome, 'RESOLVED');
  });
});
