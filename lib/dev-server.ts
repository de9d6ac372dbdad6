import { z } from 'zod';
import { parseEnv } from './env';

// Tuning of the Temporal dev server (`temporal server start-dev`) for everything in this project that starts one:
// scripts/stack/main.ts, bench/chaos/stack.ts and test/helpers/temporal.ts (createLocalEnv). Measured with
// bench/dispatch-latency.ts; figures in docs/BENCHMARKS.md ("Dev server task dispatch").
//
// Why: the dev server has a single history shard, and each history queue of a shard reads its tasks from the
// database at most MaxPollRPS times a second (a token bucket: 20 per second, burst 20). Every workflow task and
// activity task the server hands to a worker is a transfer task, and one read of the transfer queue dispatches it;
// one workflow at a time empties the bucket after ~20 dispatches and from then on waits ~50 ms for each: ~45 ms per
// task, 850 ms for a workflow of eight no-op activities. A cluster with hundreds of shards never meets that limit.

const dynamicConfig = (key: string, value: number | boolean | string): string[] => [
  '--dynamic-config-value',
  `${key}=${JSON.stringify(value)}`,
];

/**
 * How long the server holds a long poll on a workflow's history (a client waiting for its result) or on an Update's
 * outcome before it answers "nothing yet" and the client asks again (the server's default: 20 s). The dev server and
 * the compose stack's servers (docker/temporal/dynamicconfig/production-sql.yaml) use this value.
 */
const HISTORY_LONG_POLL_INTERVAL = '2s';

/** `start-dev` arguments of the project's dev server tuning. */
export const DEV_SERVER_TUNING_ARGS: readonly string[] = [
  // Transfer queue reads per second (default 20): task dispatch in ~2 ms instead of ~45 ms. Costs nothing idle
  // (reads are made when new tasks are written, else once a minute); no more CPU per workflow (measured).
  ...dynamicConfig('history.transferProcessorMaxPollRPS', 1000),
  // Eager activity dispatch (off by default on every server): an activity scheduled on the workflow's own task queue
  // comes back with the workflow task's completion, without a trip through matching (the capture of a saga with
  // local steps, docs/SAGAS.md#local-steps). Costs nothing when unused.
  ...dynamicConfig('system.enableActivityEagerExecution', true),
  // New tasks go to one partition of each task queue (default 4). A task queue's partitions spread its load over
  // matching hosts, and the dev server has one. With four, a task written to a partition on which no poller waits
  // sits in that partition's backlog until a poller lands there: about 1 workflow in 100 waited 2 s for its first
  // workflow task at twenty in flight (docs/BENCHMARKS.md). Reads stay on all four partitions, so tasks an earlier
  // run of a kept database wrote to the others are still handed out.
  ...dynamicConfig('matching.numTaskqueueWritePartitions', 1),
  // The server's cache of search attribute definitions (a cluster metadata read every 60 s), which the dev server
  // turns off so that attributes created at runtime apply at once: without it, every start, upsert and visibility
  // write reads the definitions from SQLite again, 3-7 % of the CPU per saga under load (docs/BENCHMARKS.md). The
  // project's attributes are created with the database (--search-attribute); one created later with `temporal
  // operator search-attribute create` applies within a minute.
  ...dynamicConfig('system.forceSearchAttributesCacheRefreshOnRead', false),
  // A long poll for a workflow's result waits on a channel that holds one notification, and the server drops a
  // notification that finds it full: under load, about one saga in 3,000 closed while the notification of its
  // workflow task's start still sat there, and its client learnt of the result only when the poll expired, 20 s later
  // (docs/BENCHMARKS.md). Expiring every 2 s bounds that wait; what it costs is a poll every 2 s per waiting client.
  ...dynamicConfig('history.longPollExpirationInterval', HISTORY_LONG_POLL_INTERVAL),
];

const { SAGAFLOW_DEV_SERVER_TUNING } = parseEnv(
  z.object({
    /** `off` starts the dev server with its stock settings, for comparison. */
    SAGAFLOW_DEV_SERVER_TUNING: z.enum(['on', 'off']).default('on'),
  }),
);

/** The tuning arguments for `start-dev`: DEV_SERVER_TUNING_ARGS, or none with SAGAFLOW_DEV_SERVER_TUNING=off. */
export const devServerTuningArgs: readonly string[] = SAGAFLOW_DEV_SERVER_TUNING === 'on' ? DEV_SERVER_TUNING_ARGS : [];
