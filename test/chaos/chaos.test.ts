import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_FAULTS, runChaos } from '../../bench/chaos/run';
import type { ChaosOptions } from '../../bench/chaos/run';
import type { ServiceName } from '../../bench/chaos/stack';
import { postgresAdminUrl } from '../services/helpers';

// The CI-sized chaos run (docs/CHAOS.md): the real processes (Temporal dev server, three services on SQLite, worker,
// API) with random 503s, latency and lost responses in every service; 50 orders through the API mixing good,
// flaky, declined and broke cards, sold-out and contended products and customer cancellations; the worker SIGKILLed
// and restarted and the payment service SIGKILLed and restarted mid-run. Then every saga must have closed (or be
// parked with a reason) and the invariants must hold across Temporal and the three databases. A smaller run does
// the same with the services on PostgreSQL (TEST_POSTGRES_URL, which scripts/test provides) and the order service
// stopped gracefully instead.
// The full run is `npm run chaos -- --sagas 1000 --concurrency 50`.

interface Variant {
  sagas: number;
  restartService: ServiceName;
  serviceSignal: NodeJS.Signals;
  database: ChaosOptions['database'];
  /** How long the restarted service stays down (default 1 s). */
  serviceDownMs?: number;
  /** Lines the worker must have logged (its log file is read before the run directory is removed). */
  workerLogs?: RegExp[];
}

async function chaosRun(variant: Variant): Promise<void> {
  const summary = await runChaos({
    sagas: variant.sagas,
    concurrency: 10,
    seed: Number(process.env.CHAOS_SEED ?? 7),
    budgetMs: 6 * 60_000,
    workerKills: 1,
    restartService: variant.restartService,
    serviceSignal: variant.serviceSignal,
    downMs: 1_000,
    ...(variant.serviceDownMs ? { serviceDownMs: variant.serviceDownMs } : {}),
    faults: DEFAULT_FAULTS,
    database: variant.database,
    contentionStockRatio: 0.5,
    keep: variant.workerLogs !== undefined,
    log: (line) => {
      if (process.env.CHAOS_VERBOSE) console.log(line);
    },
  });
  const report = JSON.stringify(summary, null, 2);
  if (variant.workerLogs && summary.dir) {
    const log = readFileSync(path.join(summary.dir, 'worker.log'), 'utf8');
    rmSync(summary.dir, { recursive: true, force: true });
    for (const line of variant.workerLogs) assert.match(log, line);
  }
  for (const result of summary.invariants) assert.ok(result.ok, `${result.name}: ${result.violations.join('; ')}`);
  assert.equal(summary.workload.accepted, variant.sagas, report);
  assert.equal(summary.workload.refused, 0, report);
  assert.ok(summary.settled, `not every saga settled in time:\n${report}`);
  assert.deepEqual(summary.unexpectedExits, [], report);
  assert.deepEqual(
    summary.chaos.map((action) => action.action).sort(),
    [`${variant.restartService} ${variant.serviceSignal} + restart`, 'worker SIGKILL + restart'],
    report,
  );
  assert.ok(
    summary.chaos.every((action) => (action.openWorkflows ?? 0) > 0),
    `the faults hit running sagas:\n${report}`,
  );
  // The API starts sagas with local steps: every service call but the capture is a local activity, and the worker
  // kill cost workflow tasks in flight, whose local steps ran again under their keys (the invariants held).
  assert.ok(summary.history.localActivities > 0, `no local activity:\n${report}`);
  assert.ok(summary.history.activityTasks <= summary.history.histories * 2, `captures only:\n${report}`);
  assert.ok(summary.history.lostWorkflowTasks > 0, `the worker kill hit no workflow task in flight:\n${report}`);
  // The mix reached every end: confirmed, compensated (declines, stock) and cancelled orders.
  for (const status of ['COMPLETED', 'COMPENSATED', 'CANCELLED']) {
    assert.ok((summary.outcomes[status] ?? 0) > 0, `no ${status} saga:\n${report}`);
  }
  assert.ok(summary.ok, report);
}

describe('chaos (CI size)', () => {
  it('50 sagas on SQLite, the worker SIGKILLed and the payment service SIGKILLed mid-run: every invariant holds', () =>
    chaosRun({
      sagas: Number(process.env.CHAOS_SAGAS ?? 50),
      restartService: 'payment',
      serviceSignal: 'SIGKILL',
      database: { kind: 'sqlite' },
    }));

  it('30 sagas on SQLite, the payment service down for 20 s: its circuit opens, sagas wait, every invariant holds', () =>
    chaosRun({
      sagas: 30,
      restartService: 'payment',
      serviceSignal: 'SIGKILL',
      serviceDownMs: 20_000,
      database: { kind: 'sqlite' },
      workerLogs: [/"msg":"payment circuit open"/, /"msg":"payment circuit closed"/],
    }));

  it('30 sagas on PostgreSQL, the worker SIGKILLed and the order service SIGTERMed mid-run: every invariant holds', () =>
    chaosRun({
      sagas: 30,
      restartService: 'order',
      serviceSignal: 'SIGTERM',
      database: { kind: 'postgres', adminUrl: postgresAdminUrl() },
    }));
});
