import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkInvariants, isParked } from './invariants';
import { observe, snapshotStock } from './observe';
import type { Observed } from './observe';
import { ClosedSagaSamples } from './recovery';
import { startClusterTarget, startDevTarget } from './target';
import type { ChaosTarget } from './target';
import {
  CONTENTION_SKU,
  customerCount,
  DEFAULT_MIX,
  planOrders,
  retryParkedCompensations,
  submitOrders,
} from './workload';
import type { AcceptedOrder, OrderKind } from './workload';

// One chaos run: start the real processes with injected faults (the dev stack, or the production cluster), send
// the workload through the API, deal out the target's faults (on the dev stack: kill the worker and restart it,
// restart a service; on the cluster: a Temporal node, a worker, a service replica, PostgreSQL), wait (bounded)
// until every saga has closed or is parked, then check the invariants across Temporal and the three services'
// databases. Bounded in count and time,
// loopback only; every process it started is stopped before it returns.
import type { ChaosOptions, ChaosSummary } from './options';
import { historyCensus } from './census';

export { DEFAULT_FAULTS } from './options';
export type { ChaosOptions, ChaosSummary } from './options';

const count = (values: string[]) =>
  values.reduce<Record<string, number>>((acc, value) => ((acc[value] = (acc[value] ?? 0) + 1), acc), {});

async function closedWorkflows(stack: ChaosTarget): Promise<number> {
  const { count: n } = await stack.client.workflow.count(
    'WorkflowType = "orderFulfillment" AND ExecutionStatus != "Running"',
  );
  return n;
}

async function openWorkflows(stack: ChaosTarget, extra = ''): Promise<number> {
  const { count: n } = await stack.client.workflow.count(
    `WorkflowType = "orderFulfillment" AND ExecutionStatus = "Running"${extra}`,
  );
  return n;
}

const sagaStatus = (o: Observed) => o.saga?.status ?? o.workflowStatus ?? 'MISSING';

/** Waits (bounded) until no saga is running, or (parkedCount) none but the parked ones. */
async function waitForSagas(
  stack: ChaosTarget,
  deadline: number,
  log: (line: string) => void,
  { parkedCount }: { parkedCount: boolean },
): Promise<boolean> {
  let lastLog = 0;
  while (Date.now() < deadline) {
    const [open, parked] = await Promise.all([
      openWorkflows(stack),
      parkedCount ? openWorkflows(stack, ' AND OrderStatus = "COMPENSATION_FAILED"') : 0,
    ]).catch(() => [Number.NaN, 0]);
    if (open - parked === 0) return true;
    if (Date.now() - lastLog > 10_000) {
      log(`chaos: waiting for ${open - parked} sagas${parkedCount ? ` (${parked} parked)` : ''}`);
      lastLog = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return false;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const started = Date.now();
  const deadline = started + options.budgetMs;
  const { log } = options;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sagaflow-chaos-'));
  const runId = `${options.seed.toString(36)}${Date.now().toString(36).slice(-4)}`;
  const plan = planOrders(options.sagas, options.seed, runId, options.mix ?? DEFAULT_MIX);
  const contentionUnits = plan
    .filter((order) => order.kind === 'contention')
    .reduce((sum, order) => sum + order.body.items[0]!.quantity, 0);
  const contentionStock = Math.max(1, Math.round(contentionUnits * options.contentionStockRatio));

  log(`chaos: ${options.sagas} sagas, concurrency ${options.concurrency}, seed ${options.seed}, dir ${dir}`);
  const settings = {
    dir,
    faults: { inventory: options.faults, payment: options.faults, order: options.faults },
    // Plenty of everything (so ordinary orders succeed), nothing of the sold-out product, and the contended
    // product short of its demand, so concurrent reservations race for the last units.
    stock: (product: { sku: string; stock: number }) =>
      product.sku === CONTENTION_SKU ? contentionStock : product.stock === 0 ? 0 : 10 * options.sagas + 100,
    paymentSlowMs: 1_500,
  };
  const { cluster } = options;
  const stack = cluster
    ? await startClusterTarget({ ...options, cluster }, settings)
    : await startDevTarget(options, settings);
  const startMs = Date.now() - started;
  log(`chaos: stack up in ${startMs} ms (Temporal ${stack.temporalAddress}, API ${stack.apiUrl})`);

  const chaos: ChaosSummary['chaos'] = [];
  const faultStarts: number[] = [];
  let summary: ChaosSummary | undefined;
  // The closed sagas, counted every half second through the run, for the time to recover from each fault.
  const samples = new ClosedSagaSamples();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const closed = await closedWorkflows(stack).catch(() => undefined);
      if (closed !== undefined) samples.add(Date.now(), closed);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  try {
    const initial = await snapshotStock(stack.services.inventory);

    // The fault schedule hangs off the sagas' progress (the share of the planned sagas that have closed), so the
    // faults hit sagas in flight however fast the API accepts them. One action at a time: a restart waits until
    // the previous process is back.
    const triggers = stack.faults;
    const skipped: string[] = [];
    const monkey = (async () => {
      for (const trigger of triggers) {
        const threshold = Math.max(1, Math.floor(trigger.fraction * options.sagas));
        let closed = 0;
        while (Date.now() < deadline) {
          closed = await closedWorkflows(stack).catch(() => 0);
          if (closed >= threshold) break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        if (Date.now() >= deadline) {
          skipped.push(trigger.action);
          continue;
        }
        const open = await openWorkflows(stack).catch(() => undefined);
        log(`chaos: ${trigger.action} with ${closed} sagas closed, ${open ?? '?'} open`);
        const begun = Date.now();
        faultStarts.push(begun);
        await trigger.run();
        chaos.push({
          at: `${closed} closed`,
          action: trigger.action,
          openWorkflows: open,
          tookMs: Date.now() - begun,
        });
      }
    })();

    const submitStarted = Date.now();
    const submitted = await submitOrders({
      apiUrl: stack.apiUrl,
      plan,
      concurrency: options.concurrency,
      deadline,
    });
    const submitMs = Date.now() - submitStarted;
    log(
      `chaos: ${submitted.accepted.length}/${plan.length} accepted in ${submitMs} ms (${submitted.refused.length} refused)`,
    );
    await submitted.cancelsDone;
    await monkey;

    // Wait (bounded) until every saga has closed or is parked; nobody resolves anything by hand yet.
    const settleStarted = Date.now();
    const settled = await waitForSagas(stack, deadline, log, { parkedCount: true });
    const settleMs = Date.now() - settleStarted;
    log(`chaos: ${settled ? 'settled' : 'NOT settled'} after ${settleMs} ms; checking invariants`);

    const checkStarted = Date.now();
    const customers = Array.from({ length: customerCount(options.sagas) }, (_, i) => `chaos-${runId}-c${i}`);
    // Visibility is eventually consistent: give the last closes a moment to show.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const check = async () => {
      const data = await observe({
        client: stack.client,
        services: stack.services,
        accepted: submitted.accepted,
        customers,
      });
      return { data, invariants: checkInvariants(data, initial, submitted.accepted) };
    };
    const { data, invariants } = await check();
    const history = await historyCensus(
      stack.client,
      [...data.executions].flatMap(([workflowId, runs]) => runs.map(({ runId }) => ({ workflowId, runId }))),
    );
    log(`chaos: histories ${JSON.stringify(history)}`);
    const checkMs = Date.now() - checkStarted;

    // Then the operator: every parked saga is asked to retry its compensations (the service is back by now), and
    // once every saga has closed the invariants are checked again, with nothing left parked.
    let operator: ChaosSummary['operator'];
    const parkedIds = data.observed.filter(isParked).map((o) => o.orderId);
    if (options.resolveParked && parkedIds.length > 0) {
      const begun = Date.now();
      log(`chaos: operator retries the compensations of ${parkedIds.length} parked sagas`);
      const answers = await retryParkedCompensations({ apiUrl: stack.apiUrl, orderIds: parkedIds, deadline });
      const closed = await waitForSagas(stack, deadline, log, { parkedCount: false });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const after = await check();
      operator = {
        parked: parkedIds.length,
        answers,
        closed,
        outcomes: count(after.data.observed.filter((o) => parkedIds.includes(o.orderId)).map(sagaStatus)),
        stillParked: after.data.observed.filter(isParked).length,
        invariants: after.invariants,
        tookMs: Date.now() - begun,
      };
      log(`chaos: after the operator: ${JSON.stringify(operator.outcomes)}`);
    }

    const byKind: ChaosSummary['workload']['byKind'] = {};
    for (const o of data.observed) {
      const status = sagaStatus(o);
      const kind = (byKind[o.kind as OrderKind] ??= {});
      kind[status] = (kind[status] ?? 0) + 1;
    }
    sampling = false;
    await sampler;
    chaos.forEach((action, i) => {
      const recoveredMs = samples.recoveredAfter(faultStarts[i]!);
      if (recoveredMs !== undefined) action.recoveredMs = recoveredMs;
    });
    const unexpectedExits = stack.all().flatMap((proc) => proc.unexpectedExits);
    const ok =
      invariants.every((result) => result.ok) &&
      (!operator || (operator.closed && operator.stillParked === 0 && operator.invariants.every((r) => r.ok))) &&
      settled &&
      submitted.refused.length === 0 &&
      unexpectedExits.length === 0 &&
      skipped.length === 0 &&
      submitted.accepted.length === plan.length;
    summary = {
      ok,
      history,
      options: {
        ...omitLog(options),
        database: cluster ? 'cluster postgres' : options.database.kind,
        target: cluster ? 'cluster' : 'dev',
      },
      machine: {
        cpus: os.cpus().length,
        loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
        node: process.version,
      },
      timings: { startMs, submitMs, settleMs, checkMs, totalMs: Date.now() - started },
      workload: {
        planned: plan.length,
        accepted: submitted.accepted.length,
        refused: submitted.refused.length,
        replays: submitted.replays,
        retriedAnswers: submitted.retriedAnswers,
        byKind,
        cancels: count(
          submitted.accepted
            .filter((order: AcceptedOrder) => order.cancel)
            .map((order) => `${order.cancel!.status}${order.cancel!.code ? ` ${order.cancel!.code}` : ''}`),
        ),
      },
      outcomes: count(data.observed.map(sagaStatus)),
      failures: count(data.observed.filter((o) => o.saga?.failure).map((o) => o.saga!.failure!.type)),
      chaos,
      ...(stack.shards ? { shards: stack.shards } : {}),
      ...(stack.temporalTls ? { temporalTls: stack.temporalTls } : {}),
      skippedChaos: skipped,
      unexpectedExits,
      invariants,
      operator,
      settled,
      budgetExceeded: Date.now() > deadline,
      dir: options.keep || !ok ? dir : undefined,
    };
    return summary;
  } finally {
    sampling = false;
    await sampler;
    await stack.stop();
    if (summary && !summary.dir) rmSync(dir, { recursive: true, force: true });
  }
}

function omitLog(options: ChaosOptions): Omit<ChaosOptions, 'log' | 'database'> {
  const { log: _log, database: _database, ...rest } = options;
  return rest;
}
