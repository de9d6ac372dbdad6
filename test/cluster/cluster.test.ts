import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEFAULT_FAULTS, runChaos } from '../../bench/chaos/run';

// The production path, bounded for CI (docs/DEPLOYMENT.md#the-cluster): PostgreSQL, two Temporal server nodes built
// from go.temporal.io/server (the compose image's version, its config template, compose's environment and the same
// setup scripts) behind HAProxy, the services with two replicas each, workflow and lane workers, two APIs. 60
// orders of the chaos mix go through the API with faults injected into every service, and a Temporal node is
// SIGKILLed mid-run and brought back: every invariant must hold across Temporal and the three databases. The full
// run is `npm run chaos -- --cluster` (1,000 sagas, every fault in turn).

describe('the production cluster (CI size)', () => {
  it('60 sagas on two Temporal nodes over PostgreSQL, one node SIGKILLed mid-run: shards on both, every invariant holds', async () => {
    // Node addresses of this run's own (127.x.y.2 and .3), so a cluster someone runs on 127.0.0.2 is left alone.
    const prefix = `127.${randomInt(1, 255)}.${randomInt(1, 255)}`;
    const summary = await runChaos({
      sagas: Number(process.env.CLUSTER_SAGAS ?? 60),
      concurrency: 10,
      seed: Number(process.env.CHAOS_SEED ?? 11),
      budgetMs: 8 * 60_000,
      workerKills: 0,
      restartService: null,
      serviceSignal: 'SIGKILL',
      downMs: 1_000,
      faults: DEFAULT_FAULTS,
      database: { kind: 'sqlite' },
      cluster: {
        faults: ['temporal-node'],
        nodeIps: [`${prefix}.2`, `${prefix}.3`],
        historyShards: 8,
        nodeDownMs: 3_000,
        postgresDownMs: 10_000,
        unsafeFastPostgres: true,
      },
      contentionStockRatio: 0.5,
      keep: false,
      log: (line) => {
        if (process.env.CHAOS_VERBOSE) console.log(line);
      },
    });
    const report = JSON.stringify(summary, null, 2);
    // Both nodes served history shards before the kill: the cluster really was two nodes.
    const shards = Object.values(summary.shards ?? {});
    assert.equal(shards.length, 2, report);
    assert.ok(
      shards.every((n) => (n ?? 0) > 0),
      `shards on both nodes:\n${report}`,
    );
    assert.equal(
      shards.reduce((sum: number, n) => sum + (n ?? 0), 0),
      8,
      report,
    );
    // Mutual TLS, as compose runs it: no client without the CA's certificate gets to the frontend.
    assert.deepEqual(
      summary.temporalTls,
      { plaintext: 'refused', withoutClientCertificate: 'refused', withClientCertificate: 'accepted' },
      report,
    );
    for (const result of summary.invariants) assert.ok(result.ok, `${result.name}: ${result.violations.join('; ')}`);
    assert.deepEqual(
      summary.chaos.map((action) => action.action),
      ['temporal-2 SIGKILL + restart'],
      report,
    );
    assert.ok((summary.chaos[0]?.openWorkflows ?? 0) > 0, `the kill hit running sagas:\n${report}`);
    assert.equal(summary.workload.refused, 0, report);
    assert.ok(summary.settled, `not every saga settled in time:\n${report}`);
    assert.deepEqual(summary.unexpectedExits, [], report);
    for (const status of ['COMPLETED', 'COMPENSATED', 'CANCELLED']) {
      assert.ok((summary.outcomes[status] ?? 0) > 0, `no ${status} saga:\n${report}`);
    }
    assert.ok(summary.ok, report);
  });
});
