import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { orderStartSearchAttributes } from '../../lib/search-attributes';
import type { OrderInput } from '../../workflows/order/types';
import type { WorkflowType } from './direct-modes';
import { BENCH_SKUS } from './stock';

// The load generator: `count` sagas, at most `concurrency` in flight (a closed loop: each slot starts the next
// saga when its previous one completed), never past a deadline. Loopback targets only.

export interface SagaSample {
  ok: boolean;
  /** The saga's final status (COMPLETED, ...), or TIMEOUT / ERROR. */
  status: string;
  /** Start (just before the start request) to completed, ms. */
  latencyMs: number;
  /** When the saga completed, performance.now() ms. */
  completedAt: number;
  startedAt: number;
  /** The saga's workflow id (the order id). */
  orderId?: string;
  /** Started with eager workflow start: whether the server handed its first workflow task back with the start. */
  eagerlyStarted?: boolean;
  /** API mode: the wall-clock time (Date.now()) just before the POST. */
  startedAtEpochMs?: number;
  /** API mode: POST /orders latency and the GET /orders/:id latency, ms, with the GET's HTTP status. */
  postMs?: number;
  getMs?: number[];
  getStatus?: number;
  /** API mode: the same moment's describe and GetSystemInfo straight on Temporal, and the API's /health, ms. */
  probesMs?: { describe: number; systemInfo: number; apiHealth: number };
  /** API mode: events long-polls after a POST that answered 202 (0 when the POST answered the outcome). */
  eventPolls?: number;
  error?: string;
}

export interface LoadResult {
  samples: SagaSample[];
  /** First start to last completion, ms. */
  wallMs: number;
  /** Sagas never started because the deadline came first. */
  notStarted: number;
}

export type SagaRunner = (index: number, deadline: number) => Promise<SagaSample>;

export async function runLoad(options: {
  count: number;
  concurrency: number;
  /** performance.now() ms after which no saga starts and running ones are abandoned. */
  deadline: number;
  saga: SagaRunner;
}): Promise<LoadResult> {
  const samples: SagaSample[] = [];
  let next = 0;
  const slot = async () => {
    while (next < options.count && performance.now() < options.deadline) {
      const index = next++;
      samples.push(await options.saga(index, options.deadline));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, slot));
  const first = Math.min(...samples.map((s) => s.startedAt));
  const last = Math.max(...samples.filter((s) => s.ok).map((s) => s.completedAt));
  return {
    samples,
    wallMs: samples.length > 0 && Number.isFinite(last) ? last - first : 0,
    notStarted: options.count - samples.length,
  };
}

/** The customer id of a run's orders: its id prefix, in the characters a customer id allows. */
export const benchCustomerId = (idPrefix: string) => idPrefix.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);

/** A small order (one unit, well under the approval threshold), spread over the in-stock SKUs. */
export function benchOrder(index: number, customerId: string) {
  return {
    customerId,
    currency: 'EUR',
    items: [{ sku: BENCH_SKUS[index % BENCH_SKUS.length]!, quantity: 1 }],
    paymentMethod: 'tok_ok',
  };
}

export function failed(startedAt: number, status: string, err: unknown): SagaSample {
  const now = performance.now();
  return {
    ok: false,
    status,
    latencyMs: now - startedAt,
    startedAt,
    completedAt: now,
    error: err instanceof Error ? err.message : String(err),
  };
}

export class Deadline extends Error {}

function before<T>(promise: Promise<T>, deadline: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Deadline('deadline')), Math.max(0, deadline - performance.now()));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Starts a workflow directly with the Temporal client and waits for its result (the server's long poll). */
export function directRunner(options: {
  client: Client;
  workflowType: WorkflowType;
  taskQueue: string;
  idPrefix: string;
  /** Extra saga input (e.g. publishMode). */
  input?: Partial<OrderInput>;
  /** Ask for eager workflow start: the client's connection must be a worker's NativeConnection on `taskQueue`. */
  eager?: boolean;
}): SagaRunner {
  return async (index, deadline) => {
    const orderId = `${options.idPrefix}-${index}`;
    const customerId = benchCustomerId(options.idPrefix);
    const input: OrderInput = { orderId, ...benchOrder(index, customerId), ...options.input };
    const startedAt = performance.now();
    try {
      const handle = await options.client.workflow.start(options.workflowType, {
        workflowId: orderId,
        taskQueue: options.taskQueue,
        args: [input],
        ...(options.eager ? { requestEagerStart: true } : {}),
        // The saga (and its hand-written twin) carries what the API starts it with; the bare baselines nothing.
        ...(!options.workflowType.startsWith('bareOrder')
          ? {
              typedSearchAttributes: orderStartSearchAttributes(customerId),
            }
          : {}),
      });
      const result = (await before(handle.result(), deadline)) as { state?: { status: string } };
      const completedAt = performance.now();
      const status = result.state?.status ?? 'COMPLETED';
      return {
        ok: status === 'COMPLETED',
        status,
        latencyMs: completedAt - startedAt,
        startedAt,
        completedAt,
        orderId,
        ...(options.eager ? { eagerlyStarted: handle.eagerlyStarted } : {}),
      };
    } catch (err) {
      return failed(startedAt, err instanceof Deadline ? 'TIMEOUT' : 'ERROR', err);
    }
  };
}

/**
 * API mode: the start → completed latency from the workflow's close time on the server (same machine, same
 * clock), instead of when the client heard of it (which adds the API's and the long poll's delay).
 */
export async function closeLatencies(client: Client, samples: SagaSample[]): Promise<number[]> {
  const latencies: number[] = [];
  for (const sample of samples) {
    if (!sample.ok || !sample.orderId || sample.startedAtEpochMs === undefined) continue;
    const description = await client.workflow.getHandle(sample.orderId).describe();
    if (description.closeTime) latencies.push(description.closeTime.getTime() - sample.startedAtEpochMs);
  }
  return latencies;
}
