import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { groupEnd, groupProblem } from '../../packages/saga/src/groups';
import type { SagaDefinition, SagaState } from '@sagaflow/saga';
import type { GroupedInput } from '../workflows/grouped-saga';
import type { GroupedActivities } from '../workflows/grouped-saga';
import { groupedDefinition, groupedSaga, groupedState } from '../workflows/grouped-saga';
import { bundleOnce, createTestWorker, testDataConverter } from '../helpers/worker';
import { createTimeSkippingEnv } from '../helpers/temporal';

// `SagaStep.group`: consecutive steps that run at once, before and after the pivot, as activities and as local
// activities, on the time-skipping server.
const workflows = path.resolve(__dirname, '..', 'workflows', 'grouped-saga.ts');

describe('groups of steps: the definition', () => {
  const call = groupedDefinition.steps[0]!.action;
  const named = (name: string, extra: object = {}) => ({ name, action: call, ...extra });
  const saga = (steps: SagaDefinition<GroupedInput>['steps']): SagaDefinition<GroupedInput> => ({ name: 's', steps });

  it('a group is the run of consecutive steps sharing its name', () => {
    const { steps } = groupedDefinition;
    assert.deepEqual(
      steps.map((_, i) => groupEnd(steps, i)),
      [1, 3, 3, 4, 6, 6, 7],
    );
    assert.equal(groupProblem(groupedDefinition), undefined);
  });

  it('refuses a group split in two, a pivot in a group, and an in-workflow step in one', () => {
    const split = saga([named('a', { group: 'g' }), named('b'), named('c', { group: 'g' })]);
    assert.equal(groupProblem(split), 'group g is not one run of consecutive steps');
    const pivot = saga([named('a', { group: 'g' }), named('b', { group: 'g', pivot: true })]);
    assert.equal(groupProblem(pivot), 'group g: the pivot b cannot run beside other steps');
    const wait = saga([named('a', { group: 'g' }), { name: 'w', action: { local: async () => {} }, group: 'g' }]);
    assert.equal(groupProblem(wait), 'group g: w runs in the workflow, not as an activity');
  });
});

describe('groups of steps: running (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  interface Behaviour {
    /** Waits until this other step has started: it fails NOT_CONCURRENT when that takes 3 s (they ran in turn). */
    peer?: string;
    delayMs?: number;
    /** Refuses (business error) this many times. */
    refuse?: number;
  }

  /** In-memory activities: what started and ended in which order, under which keys (after the workflow id). */
  function lab(behaviour: Record<string, Behaviour> = {}) {
    const events: string[] = [];
    const keys: string[] = [];
    const started = new Set<string>();
    const waiting = new Map<string, () => void>();
    const peerStarted = async (self: string, peer: string) => {
      if (started.has(peer)) return;
      const arrived = new Promise<boolean>((resolve) => waiting.set(peer, () => resolve(true)));
      if (!(await Promise.race([arrived, sleep(3_000).then(() => false)])))
        throw ApplicationFailure.nonRetryable(`${self} ran without ${peer}`, 'NOT_CONCURRENT');
    };
    const act =
      (name: string) =>
      async ({ idempotencyKey }: { idempotencyKey: string }) => {
        events.push(`start ${name}`);
        keys.push(idempotencyKey.split(':').slice(2).join(':'));
        started.add(name);
        waiting.get(name)?.();
        const b = behaviour[name] ?? {};
        if (b.peer) await peerStarted(name, b.peer);
        if (b.delayMs) await sleep(b.delayMs);
        if (b.refuse && b.refuse-- > 0) {
          events.push(`refused ${name}`);
          throw ApplicationFailure.nonRetryable(`${name} refused`, 'REFUSED');
        }
        events.push(`done ${name}`);
      };
    const names = ['open', 'pack', 'label', 'ship', 'notify', 'invoice', 'close'] as const;
    const activities = Object.fromEntries(
      [...names, ...names.slice(0, 3).map((n) => `undo-${n}`)].map((n) => [n, act(n)]),
    ) as unknown as GroupedActivities;
    return { events, keys, activities };
  }

  let sequence = 0;
  async function run<T>(activities: GroupedActivities, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `grouped-${process.pid}-${++sequence}`;
    const worker = await createTestWorker(env, { taskQueue, activities, workflowBundle: await bundleOnce(workflows) });
    const running = worker.run();
    try {
      return await fn(taskQueue);
    } finally {
      worker.shutdown();
      await running;
    }
  }

  const start = (taskQueue: string, local: boolean) =>
    env.client.workflow.start(groupedSaga, { taskQueue, workflowId: `${taskQueue}-wf`, args: [{ local }] });

  async function until(handle: Awaited<ReturnType<typeof start>>, status: SagaState['status']): Promise<SagaState> {
    for (let i = 0; i < 200; i++) {
      const state = await handle.query(groupedState);
      if (state.status === status) return state;
      await sleep(25);
    }
    throw new Error(`the saga never reached ${status}`);
  }

  // Each member of a group waits for the other to start: run one after the other, they fail NOT_CONCURRENT.
  const together = { pack: { peer: 'label' }, label: { peer: 'pack' }, notify: { peer: 'invoice' } };

  for (const local of [false, true]) {
    const mode = local ? 'local activities' : 'activities';
    it(`runs the steps of each group at once, as ${mode}; and its history replays`, async () => {
      const { events, keys, activities } = lab({ ...together, invoice: { peer: 'notify' } });
      const { result, history } = await run(activities, async (tq) => {
        const handle = await start(tq, local);
        return { result: await handle.result(), history: await handle.fetchHistory() };
      });
      assert.equal(result.state.status, 'COMPLETED', JSON.stringify(result.state.failure));
      assert.deepEqual(result.state.completedSteps, ['open', 'pack', 'label', 'ship', 'notify', 'invoice', 'close']);
      // Both members started before either ended; the next step only after both.
      assert.deepEqual(events.slice(2, 4).sort(), ['start label', 'start pack']);
      assert.ok(events.indexOf('start ship') > Math.max(events.indexOf('done pack'), events.indexOf('done label')));
      assert.ok(
        events.indexOf('start close') > Math.max(events.indexOf('done notify'), events.indexOf('done invoice')),
      );
      assert.deepEqual(keys.sort(), ['close', 'invoice', 'label', 'notify', 'open', 'pack', 'ship']);
      assert.deepEqual(
        Object.values(result.checkpoint.steps).map((r) => r.outcome),
        Array(7).fill('DONE'),
      );
      await Worker.runReplayHistory(
        { workflowBundle: await bundleOnce(workflows), dataConverter: testDataConverter() },
        history,
      );
    });

    it(`a refusal in a group before the pivot compensates every step of it, once the others settled (${mode})`, async () => {
      const { events, activities } = lab({ pack: { peer: 'label', delayMs: 300 }, label: { refuse: 1 } });
      const result = await run(activities, async (tq) => (await start(tq, local)).result());
      assert.equal(result.state.status, 'COMPENSATED');
      assert.deepEqual([result.state.failure?.step, result.state.failure?.type], ['label', 'REFUSED']);
      assert.deepEqual(result.state.completedSteps, ['open', 'pack']);
      // The slow pack ended before any compensation ran; then all three, in reverse order of registration.
      const undo = events.filter((e) => e.startsWith('start undo'));
      assert.deepEqual(undo, ['start undo-label', 'start undo-pack', 'start undo-open']);
      assert.ok(events.indexOf('done pack') < events.indexOf('start undo-label'));
      assert.ok(!events.includes('start ship'));
    });
  }

  it('after the pivot each step of a group that failed parks in turn, and operators decide each', async () => {
    const { events, keys, activities } = lab({ notify: { refuse: 1 }, invoice: { refuse: 5 } });
    const state = await run(activities, async (tq) => {
      const handle = await start(tq, true);
      const first = await until(handle, 'FORWARD_FAILED');
      assert.deepEqual(
        first.parked.map((p) => p.step),
        ['notify'],
      );
      assert.ok(events.includes('refused invoice'), 'both ran before the first parked');
      await handle.executeUpdate('retryStep', { args: [{ step: 'notify', by: 'ops' }] });
      const second = await until(handle, 'FORWARD_FAILED');
      assert.deepEqual(
        second.parked.map((p) => p.step),
        ['invoice'],
      );
      await handle.executeUpdate('resolveStep', { args: [{ step: 'invoice', by: 'ops', reason: 'invoiced by hand' }] });
      return (await handle.result()).state;
    });
    assert.equal(state.status, 'COMPLETED');
    assert.deepEqual(state.completedSteps, ['open', 'pack', 'label', 'ship', 'notify', 'invoice', 'close']);
    assert.deepEqual(
      (state.recoveries ?? []).map((r) => `${r.step} ${r.outcome}`),
      ['notify FAILED', 'notify RETRIED', 'invoice FAILED', 'invoice RESOLVED'],
    );
    // A refusal is definite: the retry ran under a fresh key.
    assert.ok(keys.includes('notify:retry-1'));
    assert.equal(events.filter((e) => e === 'start close').length, 1);
  });
});
