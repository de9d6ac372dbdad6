import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FAULTS, runChaos } from '../../bench/chaos/run';

// The CI-sized chaos run (docs/CHAOS.md): the real processes (Temporal dev server, three services on SQLite, worker,
// API) with random 503s, latency and lost responses in every service; 50 orders through the API mixing good,
// flaky, declined and broke cards, sold-out and contended products and customer cancellations; the worker SIGKILLed
// and restarted and the payment service SIGKILLed and restarted mid-run. Then every saga must have closed (or be
// parked with a reason) and the invariants must hold across Temporal and the three databases.
// The full run is `npm run chaos -- --sagas 1000 --concurrency 50`.

describe('chaos (CI size)', () => {
  it('50 sagas, one worker SIGKILL and one service restart: every invariant holds', async () => {
    const sagas = Number(process.env.CHAOS_SAGAS ?? 50);
    const summary = await runChaos({
      sagas,
      concurrency: 10,
      seed: Number(process.env.CHAOS_SEED ?? 7),
      budgetMs: 6 * 60_000,
      workerKills: 1,
      restartService: 'payment',
      serviceSignal: 'SIGKILL',
      downMs: 1_000,
      faults: DEFAULT_FAULTS,
      database: { kind: 'sqlite' },
      contentionStockRatio: 0.5,
      keep: false,
      log: (line) => {
        if (process.env.CHAOS_VERBOSE) console.log(line);
      },
    });
    const report = JSON.stringify(summary, null, 2);
    for (const result of summary.invariants) assert.ok(result.ok, `${result.name}: ${result.violations.join('; ')}`);
    assert.equal(summary.workload.accepted, sagas, report);
    assert.equal(summary.workload.refused, 0, report);
    assert.ok(summary.settled, `not every saga settled in time:\n${report}`);
    assert.deepEqual(summary.unexpectedExits, [], report);
    assert.deepEqual(
      summary.chaos.map((action) => action.action).sort(),
      ['payment SIGKILL + restart', 'worker SIGKILL + restart'],
      report,
    );
    assert.ok(
      summary.chaos.every((action) => (action.openWorkflows ?? 0) > 0),
      `the faults hit running sagas:\n${report}`,
    );
    // The mix reached every end: confirmed, compensated (declines, stock) and cancelled orders.
    for (const status of ['COMPLETED', 'COMPENSATED', 'CANCELLED']) {
      assert.ok((summary.outcomes[status] ?? 0) > 0, `no ${status} saga:\n${report}`);
    }
    assert.ok(summary.ok, report);
  });
});
