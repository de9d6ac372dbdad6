import type { HistoryCensus } from './census';
import type { FaultConfig } from '../../lib/http/fault-injection';
import type { InvariantResult } from './observe';
import type { ServiceName } from './stack';
import type { OrderKind } from './workload';

// What a chaos run takes and what it reports.

/** The faults a chaos run on the cluster deals out, in this order. */
export type ClusterFault = 'temporal-node' | 'worker' | 'service-replica' | 'postgres';

export interface ChaosOptions {
  sagas: number;
  concurrency: number;
  seed: number;
  /** Whole-run budget: submission stops and the wait for the sagas ends when it runs out. */
  budgetMs: number;
  /** Worker SIGKILLs (each followed by a restart), spread over the submission. */
  workerKills: number;
  /** The service restarted mid-run (null: none) and how. */
  restartService: ServiceName | null;
  serviceSignal: NodeJS.Signals;
  /** How long a killed process stays down before it is started again. */
  downMs: number;
  /** How long the restarted service stays down (default downMs); minutes of it make compensations park. */
  serviceDownMs?: number;
  faults: FaultConfig;
  /** Weights of the order kinds (default DEFAULT_MIX). */
  mix?: Record<OrderKind, number>;
  /** The dev stack's services' databases (the cluster has its own PostgreSQL). */
  database: { kind: 'sqlite' } | { kind: 'postgres'; adminUrl: string };
  /**
   * Run on the production cluster (scripts/cluster-stack) instead of the dev stack: these faults replace the worker
   * kills and the service restart above (downMs applies to the worker and the replica).
   */
  cluster?: {
    faults: ClusterFault[];
    nodeIps?: string[];
    historyShards?: number;
    /** How long the killed Temporal node stays down. */
    nodeDownMs: number;
    /** How long PostgreSQL stays stopped. */
    postgresDownMs: number;
    unsafeFastPostgres?: boolean;
  };
  /** Units of the contended product per order in the plan's contention share (about half of them can be met). */
  contentionStockRatio: number;
  /** Afterwards, act as the operator: retry the parked sagas' compensations and check the invariants again. */
  resolveParked?: boolean;
  /** Keep the run directory (logs, SQLite files) even when every invariant holds. */
  keep: boolean;
  log: (line: string) => void;
}

export const DEFAULT_FAULTS: FaultConfig = { rate: 0.05, latencyMs: 40, lostResponseRate: 0.02 };

export interface ChaosSummary {
  ok: boolean;
  /** How the sagas' steps ran (local activities or activity tasks) and the workflow tasks the faults cost. */
  history: HistoryCensus;
  options: Omit<ChaosOptions, 'log' | 'database'> & { database: string; target: 'dev' | 'cluster' };
  machine: { cpus: number; loadAverage: number[]; node: string };
  timings: { startMs: number; submitMs: number; settleMs: number; checkMs: number; totalMs: number };
  workload: {
    planned: number;
    accepted: number;
    refused: number;
    replays: number;
    retriedAnswers: Record<string, number>;
    byKind: Partial<Record<OrderKind, Record<string, number>>>;
    cancels: Record<string, number>;
  };
  outcomes: Record<string, number>;
  failures: Record<string, number>;
  /**
   * Each fault: when, how long the action took (the process back up), and how long after it began the sagas closed
   * again at half their rate before it (bench/chaos/recovery.ts; undefined: not within the run).
   */
  chaos: { at: string; action: string; openWorkflows?: number; tookMs: number; recoveredMs?: number }[];
  /** On the cluster: the history shards each Temporal node owned before the faults. */
  shards?: Record<string, number | undefined>;
  /** On the cluster: what its frontend did with a plaintext client and a TLS client without a certificate. */
  temporalTls?: Record<'plaintext' | 'withoutClientCertificate' | 'withClientCertificate', 'refused' | 'accepted'>;
  /** Faults that never came due before the budget ran out. */
  skippedChaos: string[];
  unexpectedExits: string[];
  invariants: InvariantResult[];
  /** With resolveParked: what the operator's retries of the parked sagas led to. */
  operator?: {
    parked: number;
    answers: Record<string, number>;
    /** Every saga closed afterwards (within the budget). */
    closed: boolean;
    outcomes: Record<string, number>;
    stillParked: number;
    invariants: InvariantResult[];
    tookMs: number;
  };
  settled: boolean;
  budgetExceeded: boolean;
  dir?: string;
}
