import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { laneTaskQueue, restartRefusal } from '@sagaflow/saga';
import type { SagaState } from '@sagaflow/saga';
import type { TransferActivities } from '../../packages/saga/examples/transfer';
import { restartTransfer, transfer, transferSaga } from '../../packages/saga/examples/transfer';
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
    const kit = readFileSync(example.replace(/\.ts$/, '.test.ts'), 'utf8');
    const kitRegion = /\/\/ #region kit\n([\s\S]*?)\/\/ #endregion kit/.exec(kit)?.[1];
    assert.ok(kitRegion && readme.includes('```ts\n' + kitRegion + '```'), 'README quotes examples/transfer.test.ts');
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

  /**
   * In-memory bank: balances, what was called, and under which idempotency keys (the part after the workflow id).
   * `faults` is read at each call: clearing one stands for the fix an operator deployed.
   */
  function bank(
    balances: Record<string, number>,
    faults: { creditFails: boolean; receiptFails: boolean; receiptLost?: boolean } = {
      creditFails: false,
      receiptFails: false,
    },
  ) {
    const calls: string[] = [];
    const keys: string[] = [];
    const debited = new Map<string, number>();
    const key = (idempotencyKey: string) => keys.push(idempotencyKey.split(':').slice(2).join(':'));
    const activities: TransferActivities = {
      async debit({ account, amountMinor, idempotencyKey }) {
        calls.push(`debit ${account}`);
        key(idempotencyKey);
        if ((balances[account] ?? 0) < amountMinor)
          throw ApplicationFailure.nonRetryable('no funds', 'INSUFFICIENT_FUNDS');
        balances[account] = (balances[account] ?? 0) - amountMinor;
        debited.set(account, amountMinor);
        return { debitId: `d-${account}` };
      },
      async refundDebit({ account, idempotencyKey }) {
        calls.push(`refund ${account}`);
        key(idempotencyKey);
        balances[account] = (balances[account] ?? 0) + (debited.get(account) ?? 0);
        debited.delete(account);
      },
      async credit({ account, amountMinor, idempotencyKey }) {
        calls.push(`credit ${account}`);
        key(idempotencyKey);
        if (faults.creditFails) throw ApplicationFailure.nonRetryable('account closed', 'ACCOUNT_CLOSED');
        balances[account] = (balances[account] ?? 0) + amountMinor;
      },
      async sendReceipt({ account, idempotencyKey }) {
        calls.push(`receipt ${account}`);
        key(idempotencyKey);
        if (faults.receiptFails) throw ApplicationFailure.nonRetryable('mail bounced', 'MAIL_BOUNCED');
        // The mail went out, its answer was lost (a fault, retried until the attempts run out).
        if (faults.receiptLost) throw ApplicationFailure.retryable('mail server answer lost', 'MAIL_ANSWER_LOST');
      },
    };
    return { calls, keys, activities };
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
      return { state: (await handle.result()).state, history: await handle.fetchHistory() };
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
    const { state } = await run(activities, async (tq) => (await start(tq, 60)).result());
    assert.equal(state.status, 'COMPENSATED');
    assert.equal(state.failure?.type, 'INSUFFICIENT_FUNDS');
    assert.deepEqual(calls, ['debit alice', 'refund alice']);
  });

  it('compensates when the pivot itself fails: the debit is refunded', async () => {
    const { calls, activities } = bank({ alice: 100 }, { creditFails: true, receiptFails: false });
    const { state } = await run(activities, async (tq) => (await start(tq, 60)).result());
    assert.equal(state.status, 'COMPENSATED');
    assert.deepEqual(calls, ['debit alice', 'credit bob', 'refund alice']);
  });

  it('parks a step that fails after the pivot, and an operator resolves it', async () => {
    const { calls, activities } = bank({ alice: 100 }, { creditFails: false, receiptFails: true });
    const state = await run(activities, async (tq) => {
      const handle = await start(tq, 60);
      let current = await handle.query<SagaState>('transferState');
      for (let i = 0; i < 100 && current.status !== 'FORWARD_FAILED'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        current = await handle.query<SagaState>('transferState');
      }
      assert.equal(current.status, 'FORWARD_FAILED');
      await handle.executeUpdate('resolveStep', { args: [{ step: 'receipt', by: 'ops', reason: 'mailed by hand' }] });
      return (await handle.result()).state;
    });
    assert.equal(state.status, 'COMPLETED');
    assert.deepEqual(calls, ['debit alice', 'credit bob', 'receipt alice'], 'never refunded after the pivot');
    assert.equal(state.recoveries?.at(-1)?.outcome, 'RESOLVED');
  });

  /** Polls the transfer's state until `status`. */
  async function until(handle: { query: (q: string) => Promise<SagaState> }, status: string): Promise<SagaState> {
    let current = await handle.query('transferState');
    for (let i = 0; i < 100 && current.status !== status; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      current = await handle.query('transferState');
    }
    assert.equal(current.status, status);
    return current;
  }

  it('restarts a run parked after the pivot from its parked step: continued as new, nothing before it again', async () => {
    const faults = { creditFails: false, receiptFails: true };
    const balances = { alice: 100, bob: 0 };
    const { calls, keys, activities } = bank(balances, faults);
    const { result, firstRun } = await run(activities, async (tq) => {
      const handle = await start(tq, 60);
      await until(handle, 'FORWARD_FAILED');
      // Not from the pivot or before it: those effects stand and the saga only moves forward.
      await assert.rejects(
        handle.executeUpdate(restartTransfer, { args: [{ from: 'credit', by: 'ops' }] }),
        (err: Error) => /point of no return at credit/.test(String((err.cause as Error)?.message)),
      );
      faults.receiptFails = false; // the fix is deployed
      const answer = await handle.executeUpdate(restartTransfer, { args: [{ from: 'receipt', by: 'ops' }] });
      assert.deepEqual([answer.status, answer.currentStep], ['RUNNING', 'receipt']);
      const result = await handle.result();
      const parked = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
      return { result, firstRun: parked.status.name };
    });
    assert.equal(result.state.status, 'COMPLETED');
    assert.deepEqual(result.state.completedSteps, ['debit', 'credit', 'receipt']);
    assert.deepEqual(result.state.restart && [result.state.restart.from, result.state.restart.count], ['receipt', 1]);
    assert.deepEqual(calls, ['debit alice', 'credit bob', 'receipt alice', 'receipt alice']);
    // The parked step's key holds the refusal: the restart runs it under a fresh one.
    assert.deepEqual(keys, ['debit', 'credit', 'receipt', 'receipt:restart-1']);
    assert.deepEqual(balances, { alice: 40, bob: 60 });
    assert.equal(result.context.debitId, 'd-alice', 'the results of the steps before it are carried');
    assert.equal(firstRun, 'CONTINUED_AS_NEW', 'one workflow id: the parked run continued as new');
  });

  it('a step whose effect may stand keeps its key on retry and on restart; a definite refusal gets a fresh one', async () => {
    const faults = { creditFails: false, receiptFails: false, receiptLost: true };
    const { keys, activities } = bank({ alice: 100, bob: 0 }, faults);
    const { state, history } = await run(activities, async (tq) => {
      const handle = await start(tq, 60);
      const parkedAfter = async (attempts: number) => {
        // The receipt's five attempts back off 1 + 2 + 4 + 8 s: skip the time, then read the parked state.
        await env.sleep(60_000);
        const current = await until(handle, 'FORWARD_FAILED');
        assert.equal(keys.filter((k) => k.startsWith('receipt')).length, attempts);
        return current;
      };
      await parkedAfter(5);
      // Lost answers: the mail may have gone out, so the retry runs under the step's own key.
      await handle.executeUpdate('retryStep', { args: [{ step: 'receipt', by: 'ops' }] });
      await parkedAfter(10);
      // A definite refusal this time: the service stored it under that key, so the next retry needs a fresh one.
      faults.receiptLost = false;
      faults.receiptFails = true;
      await handle.executeUpdate('retryStep', { args: [{ step: 'receipt', by: 'ops' }] });
      await until(handle, 'FORWARD_FAILED');
      faults.receiptFails = false;
      await handle.executeUpdate('retryStep', { args: [{ step: 'receipt', by: 'ops' }] });
      return { state: (await handle.result()).state, history: await handle.fetchHistory() };
    });
    assert.equal(state.status, 'COMPLETED');
    const receiptKeys = [...new Set(keys.filter((k) => k.startsWith('receipt')))];
    assert.deepEqual(receiptKeys, ['receipt', 'receipt:retry-3']);
    await Worker.runReplayHistory(
      { workflowBundle: await bundleOnce(example), dataConverter: testDataConverter() },
      history,
    );
  });

  it('a fresh start that carries a FORWARD_FAILED checkpoint is refused before any step (only a parked run restarts)', async () => {
    const balances = { alice: 100, bob: 0 };
    const { calls, activities } = bank(balances);
    const error = await run(activities, async (tq) => {
      const forged = {
        from: 'receipt',
        by: 'mallory',
        checkpoint: {
          status: 'FORWARD_FAILED' as const,
          restarts: 0,
          steps: {
            debit: { outcome: 'DONE' as const, key: 'k:debit' },
            credit: { outcome: 'DONE' as const, key: 'k:credit' },
            receipt: { outcome: 'FAILED' as const, key: 'k:receipt' },
          },
        },
        context: { from: 'alice', to: 'bob', amountMinor: 60 },
      };
      const handle = await env.client.workflow.start(transfer, {
        taskQueue: tq,
        workflowId: `${tq}-wf`,
        args: [{ from: 'alice', to: 'bob', amountMinor: 60, restart: forged }],
      });
      return handle.result().then(
        () => undefined,
        (err: Error) => err.cause as ApplicationFailure,
      );
    });
    assert.equal(error?.type, 'RESTART_REFUSED');
    assert.match(error?.message ?? '', /restarts only by continuing as new/);
    assert.deepEqual(calls, [], 'no step ran');
    assert.deepEqual(balances, { alice: 100, bob: 0 });
  });

  it('a restart keeps the key of a parked step whose effect may stand', async () => {
    const faults = { creditFails: false, receiptFails: false, receiptLost: true };
    const { keys, activities } = bank({ alice: 100, bob: 0 }, faults);
    const result = await run(activities, async (tq) => {
      const handle = await start(tq, 60);
      await env.sleep(60_000);
      await until(handle, 'FORWARD_FAILED');
      faults.receiptLost = false;
      await handle.executeUpdate(restartTransfer, { args: [{ from: 'receipt', by: 'ops' }] });
      return handle.result();
    });
    assert.equal(result.state.status, 'COMPLETED');
    assert.deepEqual([...new Set(keys)], ['debit', 'credit', 'receipt']);
  });

  it('restarts a COMPENSATED run from its first undone step as a new run: fresh keys, what came before carried', async () => {
    const faults = { creditFails: true, receiptFails: false };
    const balances = { alice: 100, bob: 0 };
    const { calls, keys, activities } = bank(balances, faults);
    const result = await run(activities, async (tq) => {
      const first = await (await start(tq, 60)).result();
      assert.equal(first.state.status, 'COMPENSATED');
      // The debit was refunded: a restart from after it would skip a debit that no longer stands.
      assert.equal(
        restartRefusal(transferSaga, first.checkpoint, 'credit'),
        'step debit (before credit) was undone; restart from it or an earlier step',
      );
      faults.creditFails = false;
      const restart = { from: 'debit', by: 'ops', checkpoint: first.checkpoint, context: first.context };
      const again = await env.client.workflow.start(transfer, {
        taskQueue: tq,
        workflowId: `${tq}-wf`,
        args: [{ from: 'alice', to: 'bob', amountMinor: 60, restart }],
      });
      return again.result();
    });
    assert.equal(result.state.status, 'COMPLETED');
    assert.equal(result.state.restart?.from, 'debit');
    assert.deepEqual(balances, { alice: 40, bob: 60 }, 'debited once in effect: the first debit was refunded');
    assert.deepEqual(calls, [
      'debit alice',
      'credit bob',
      'refund alice',
      'debit alice',
      'credit bob',
      'receipt alice',
    ]);
    // Every step that ran before runs under a fresh key (its compensation may have undone it); the receipt never ran.
    const second = keys.slice(3);
    assert.match(second[0]!, /^debit:restart-1$/);
    assert.match(second[1]!, /^credit:restart-1$/);
    assert.match(second[2]!, /^receipt$/);
  });
});
