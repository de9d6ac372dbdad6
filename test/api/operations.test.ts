import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createOperationActivities, operationUpdateId } from '../../activities/operations';
import type { OperationAccepted, OperationView } from '../../api/schemas';
import { OperationViewSchema } from '../../api/schemas';
import type { TargetResult } from '../../workflows/operations/types';
import { apiOnDevServer, assertError, KEYS, newKey, pollUntil, readSse, validOrder } from './harness';

// Bulk operations (POST /operations) on the real dev server: orders parked by an outage of the payment provider,
// repaired in one durable, audited operation; its dry run, its skips, pause, resume and cancel, and its retries.
const suite = apiOnDevServer('operations', { RATE_LIMIT_PER_MINUTE: '100000' });
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 100));

const { run } = suite;

/** `count` orders whose payment void is refused with `code` (the provider is down): parked COMPENSATION_FAILED. */
async function parkedOrders(count: number, code: string): Promise<string[]> {
  suite.fakes.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
  suite.fakes.faults.set('cancelPayment', { kind: 'business', code });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await suite.api.request<OperationAccepted & { orderId: string }>('POST', '/orders', {
      key: KEYS.client,
      body: validOrder({ customerId: `cust-ops-${process.pid}` }),
      headers: { 'Idempotency-Key': newKey('ops') },
    });
    assert.equal(res.status, 202, res.text);
    ids.push(res.body.orderId);
  }
  const query = `OrderStatus = "COMPENSATION_FAILED" AND ParkedReason = "${code}"`;
  await pollUntil(
    () => suite.env.client.workflow.count(query),
    ({ count: parked }) => parked === count,
    `${count} parked for ${code}`,
    pause,
  );
  return ids.sort();
}

const operate = (body: Record<string, unknown>, key: string = KEYS.operator, idempotencyKey = newKey('op')) =>
  suite.api.request('POST', '/operations', { key, body, headers: { 'Idempotency-Key': idempotencyKey } });

const view = async (operationId: string): Promise<OperationView> => {
  const res = await suite.api.request('GET', `/operations/${operationId}`, { key: KEYS.operator });
  assert.equal(res.status, 200, res.text);
  return OperationViewSchema.parse(res.body);
};

const until = (operationId: string, done: (v: OperationView) => boolean, what: string) =>
  pollUntil(() => view(operationId), done, what, pause, 600);

/** GET /operations/{id}/events as an operator, read to its end. */
const stream = (operationId: string) =>
  fetch(`${suite.api.url}/operations/${operationId}/events`, {
    headers: { authorization: `Bearer ${KEYS.operator}`, accept: 'text/event-stream' },
  }).then((res) => readSse(res));

const sagaStatus = async (orderId: string) =>
  (await suite.env.client.workflow.getHandle(orderId).describe()).status.name;

describe('bulk operations on the dev server', () => {
  it('after an outage one bulk retry repairs every parked order: a dry run lists exactly them, one resolved by hand is skipped', async () => {
    await run(async () => {
      const ids = await parkedOrders(100, 'PAYMENT_PROVIDER_DOWN');
      const request = {
        filter: {
          status: 'COMPENSATION_FAILED',
          parkedStep: 'authorizePayment',
          parkedReason: 'PAYMENT_PROVIDER_DOWN',
        },
        action: { kind: 'retry-compensation' },
        reason: 'payment provider back after the outage',
        concurrency: 10,
        ratePerSecond: 50,
      };
      assertError(await operate(request, KEYS.client), 403, 'FORBIDDEN');

      const dry = await operate({ ...request, dryRun: true });
      assert.equal(dry.status, 200, dry.text);
      assert.deepEqual(dry.body.targets, ids, 'the dry run lists exactly the parked orders');
      assert.equal(dry.body.count, 100);

      suite.fakes.faults.delete('cancelPayment'); // the provider is back
      const voidsBefore = suite.fakes.attempts('cancelPayment');
      const key = newKey('op');
      const started = await operate(request, KEYS.operator, key);
      assert.equal(started.status, 202, started.text);
      const { operationId } = started.body as unknown as OperationAccepted;
      // The same key and body find the same operation; another body under the key is refused.
      assert.equal((await operate(request, KEYS.operator, key)).body.operationId, operationId);
      assertError(await operate({ ...request, reason: 'other' }, KEYS.operator, key), 422, 'IDEMPOTENCY_KEY_REUSED');

      // Meanwhile an operator resolves the last target by hand: the operation finds it moved on.
      await until(operationId, (v) => v.counts.targets === 100, 'targets listed');
      const byHand = ids[ids.length - 1]!;
      const skipped = await suite.api.request('POST', `/orders/${byHand}/skip-compensation`, {
        key: KEYS.operator,
        body: { reason: 'voided at the provider by hand' },
      });
      assert.equal(skipped.status, 200, skipped.text);

      const done = await until(operationId, (v) => v.status === 'COMPLETED', 'COMPLETED');
      assert.deepEqual(
        { ...done.counts },
        { targets: 100, done: 99, refused: 0, skipped: 1, failed: 0, notRun: 0, pending: 0 },
        JSON.stringify(done.results.filter((r) => r.outcome !== 'done')),
      );
      assert.deepEqual(
        done.results.filter((r) => r.outcome === 'skipped').map((r) => r.workflowId),
        [byHand],
      );
      // Each Update answers once its compensation ran again; the saga then finishes compensating.
      const after = done.results.filter((r) => r.outcome === 'done');
      assert.ok(after.every((r) => ['COMPENSATING', 'COMPENSATED'].includes(r.detail ?? '')));
      for (const { workflowId } of after) {
        const result = (await suite.env.client.workflow.getHandle(workflowId).result()) as {
          state: { status: string };
        };
        assert.equal(result.state.status, 'COMPENSATED');
      }
      // One void each: the retries of the 99, none for the one resolved by hand.
      assert.equal(suite.fakes.attempts('cancelPayment') - voidsBefore, 99);
      // The audit trail: who, why, when; and each saga's history carries the operation's id on its Update.
      assert.deepEqual([done.by, done.reason], ['ops', request.reason]);
      assert.ok(done.finishedAt && done.requestedAt <= done.finishedAt);
      const history = await suite.env.client.workflow.getHandle(ids[0]!).fetchHistory();
      const updateIds = (history.events ?? []).flatMap(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId ?? [],
      );
      assert.deepEqual(updateIds, [operationUpdateId(operationId)]);
    });
  });

  it('pauses, resumes and cancels midway: the sagas not reached are reported not run and left parked', async () => {
    await run(async () => {
      const ids = await parkedOrders(12, 'PROVIDER_OUTAGE');
      suite.fakes.faults.delete('cancelPayment');
      const started = await operate({
        filter: { status: 'COMPENSATION_FAILED', parkedReason: 'PROVIDER_OUTAGE' },
        action: { kind: 'retry-compensation' },
        reason: 'second outage',
        concurrency: 1,
        ratePerSecond: 1,
      });
      assert.equal(started.status, 202, started.text);
      const { operationId } = started.body as unknown as OperationAccepted;
      // An operator follows it as a stream: the whole operation as it changes, then its end.
      const streamed = stream(operationId);
      await until(operationId, (v) => v.counts.done >= 1, 'a first saga done');

      const paused = await suite.api.request('POST', `/operations/${operationId}/pause`, {
        key: KEYS.operator,
        body: { reason: 'watching the provider' },
      });
      assert.equal(paused.status, 200, paused.text);
      assertError(
        await suite.api.request('POST', `/operations/${operationId}/pause`, { key: KEYS.operator, body: {} }),
        409,
        'OPERATION_REFUSED',
      );
      const atPause = (await view(operationId)).results.length;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.ok((await view(operationId)).results.length <= atPause + 1, 'at most the batch in flight finished');

      const resumed = await suite.api.request('POST', `/operations/${operationId}/resume`, {
        key: KEYS.operator,
        body: {},
      });
      assert.equal(resumed.status, 200, resumed.text);
      const cancelled = await suite.api.request('POST', `/operations/${operationId}/cancel`, {
        key: KEYS.operator,
        body: { reason: 'enough for today' },
      });
      assert.equal(cancelled.status, 200, cancelled.text);
      const end = await until(operationId, (v) => v.status === 'CANCELLED', 'CANCELLED');
      assert.equal(end.counts.done + end.counts.notRun, 12);
      assert.ok(end.counts.notRun >= 1 && end.counts.done >= 1);
      assert.deepEqual(
        end.events.map((e) => [e.action, e.by]),
        [
          ['pause', 'ops'],
          ['resume', 'ops'],
          ['cancel', 'ops'],
        ],
      );
      for (const result of end.results) {
        const status = await sagaStatus(result.workflowId);
        assert.equal(status, result.outcome === 'done' ? 'COMPLETED' : 'RUNNING', result.workflowId);
      }
      assert.deepEqual(end.results.map((r) => r.workflowId).sort(), ids);
      const events = (await streamed).map((m) => ({
        event: m.event,
        operation: OperationViewSchema.parse((JSON.parse(m.data!) as { operation: unknown }).operation),
      }));
      assert.equal(events[0]?.event, 'progress');
      assert.deepEqual(events.at(-1), { event: 'end', operation: end });
      const progress = events.filter((e) => e.event === 'progress').map((e) => e.operation.results.length);
      assert.ok(progress.length >= 2, 'progress as sagas were done');
      assert.deepEqual(
        progress,
        [...progress].sort((a, b) => a - b),
        'results only grow',
      );
      assert.ok(
        events.some((e) => e.operation.status === 'PAUSED'),
        'the pause was streamed',
      );
      assertError(
        await suite.api.request('POST', `/operations/${operationId}/resume`, { key: KEYS.operator, body: {} }),
        409,
        'OPERATION_REFUSED',
      );
      assertError(
        await suite.api.request('GET', `/operations/op_${'0'.repeat(24)}`, { key: KEYS.operator }),
        404,
        'OPERATION_NOT_FOUND',
      );
    });
  });

  it('an operation whose targets can no longer be listed ends FAILED, says why and acts on no saga', async () => {
    // The dry run found 3; by the time the operation lists them, more match than it may act on (here its limit is
    // 2, as a filter that grew past 2,000 would): the listing fails for good.
    await run(
      async () => {
        const ids = await parkedOrders(3, 'LIMIT_OUTAGE');
        suite.fakes.faults.delete('cancelPayment');
        const request = {
          filter: { status: 'COMPENSATION_FAILED', parkedReason: 'LIMIT_OUTAGE' },
          action: { kind: 'retry-compensation' },
          reason: 'after the outage',
        };
        const dry = await operate({ ...request, dryRun: true });
        assert.equal(dry.status, 200, dry.text);
        assert.equal(dry.body.count, 3);
        const voids = suite.fakes.attempts('cancelPayment');
        const started = await operate(request);
        assert.equal(started.status, 202, started.text);
        const { operationId } = started.body as unknown as OperationAccepted;

        const failed = await until(operationId, (v) => v.status === 'FAILED', 'FAILED');
        assert.equal(failed.failure?.type, 'TOO_MANY_TARGETS');
        assert.match(failed.failure?.message ?? '', /more than 2 sagas match: narrow the filter/);
        assert.ok(failed.finishedAt, 'it ended');
        assert.deepEqual([failed.counts.targets, failed.results.length], [0, 0]);
        assert.equal(suite.fakes.attempts('cancelPayment'), voids, 'no saga was acted on');
        for (const id of ids) assert.equal(await sagaStatus(id), 'RUNNING', `${id} still parked`);
        // It answers like any operation that ended: its stream ends at once, controls are refused.
        const events = await stream(operationId);
        assert.deepEqual(
          events.map((m) => [m.event, (JSON.parse(m.data!) as { operation: OperationView }).operation.status]),
          [['end', 'FAILED']],
        );
        assertError(
          await suite.api.request('POST', `/operations/${operationId}/pause`, { key: KEYS.operator, body: {} }),
          409,
          'OPERATION_REFUSED',
        );

        // An operation's workflow closed another way (terminated by hand while paused) answers FAILED with why and
        // its last state, not a 500.
        await parkedOrders(2, 'HELD_OUTAGE');
        const held = await operate({
          filter: { status: 'COMPENSATION_FAILED', parkedReason: 'HELD_OUTAGE' },
          action: { kind: 'retry-compensation' },
          reason: 'held',
          concurrency: 1,
          ratePerSecond: 1,
        });
        assert.equal(held.status, 202, held.text);
        const heldId = (held.body as unknown as OperationAccepted).operationId;
        const paused = await suite.api.request('POST', `/operations/${heldId}/pause`, { key: KEYS.operator, body: {} });
        assert.equal(paused.status, 200, paused.text);
        await suite.env.client.workflow.getHandle(heldId).terminate('stopped by hand');
        const terminated = await view(heldId);
        assert.equal(terminated.status, 'FAILED');
        assert.equal(terminated.failure?.message, 'stopped by hand');
        assert.ok(terminated.finishedAt, 'when it was terminated');
        assert.deepEqual(
          terminated.events.map((e) => e.action),
          ['pause'],
        );
      },
      { maxTargets: 2 },
    );
  });

  it('an attempt retried after a lost answer sends the same Update ID: one effect, reported done', async () => {
    await run(async () => {
      const [id] = await parkedOrders(1, 'PROVIDER_FLAP');
      suite.fakes.faults.delete('cancelPayment');
      const { applyOperation } = createOperationActivities({ client: suite.env.client });
      const input = {
        operationId: 'op_retry',
        workflowId: id!,
        filter: { sagaType: 'order' as const, status: 'COMPENSATION_FAILED' as const, parkedReason: 'PROVIDER_FLAP' },
        action: { kind: 'retry-compensation' as const },
        by: 'ops',
        reason: 'retry',
      };
      const voids = suite.fakes.attempts('cancelPayment');
      const first: TargetResult = await new MockActivityEnvironment({ attempt: 1 }).run(applyOperation, input);
      assert.equal(first.outcome, 'done');
      assert.ok(['COMPENSATING', 'COMPENSATED'].includes(first.detail ?? ''));
      // The worker died before its completion reached Temporal: the activity runs again.
      const again: TargetResult = await new MockActivityEnvironment({ attempt: 2 }).run(applyOperation, input);
      assert.equal(again.outcome, 'done');
      assert.equal(suite.fakes.attempts('cancelPayment') - voids, 1, 'voided once');
      // A first attempt at a saga that moved on by itself is skipped.
      const other: TargetResult = await new MockActivityEnvironment({ attempt: 1 }).run(applyOperation, {
        ...input,
        operationId: 'op_other',
      });
      assert.equal(other.outcome, 'skipped');
    });
  });
});
