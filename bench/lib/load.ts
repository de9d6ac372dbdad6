import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { orderStartSearchAttributes } from '../../lib/search-attributes';
import type { OrderInput } from '../../workflows/order/types';
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
  /** API mode: the order id, and the wall-clock time (Date.now()) just before the POST. */
  orderId?: string;
  startedAtEpochMs?: number;
  /** API mode: POST /orders latency and every GET /orders/:id latency, ms. */
  postMs?: number;
  getMs?: number[];
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

/** A small order (one unit, well under the approval threshold), spread over the in-stock SKUs. */
export function benchOrder(index: number, customerId: string) {
  return {
    customerId,
    currency: 'EUR',
    items: [{ sku: BENCH_SKUS[index % BENCH_SKUS.length]!, quantity: 1 }],
    paymentMethod: 'tok_ok',
  };
}

function failed(startedAt: number, status: string, err: unknown): SagaSample {
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

class Deadline extends Error {}

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
  workflowType: 'orderFulfillment' | 'orderFulfillmentQuiet' | 'bareOrder';
  taskQueue: string;
  idPrefix: string;
  /** Extra saga input (e.g. publishMode). */
  input?: Partial<OrderInput>;
}): SagaRunner {
  return async (index, deadline) => {
    const orderId = `${options.idPrefix}-${index}`;
    const customerId = options.idPrefix.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
    const input: OrderInput = { orderId, ...benchOrder(index, customerId), ...options.input };
    const startedAt = performance.now();
    try {
      const handle = await options.client.workflow.start(options.workflowType, {
        workflowId: orderId,
        taskQueue: options.taskQueue,
        args: [input],
        // The saga carries what the API starts it with; the bare baseline carries nothing.
        ...(options.workflowType !== 'bareOrder'
          ? {
              typedSearchAttributes: orderStartSearchAttributes(customerId),
            }
          : {}),
      });
      const result = (await before(handle.result(), deadline)) as { state?: { status: string } };
      const completedAt = performance.now();
      const status = result.state?.status ?? 'COMPLETED';
      return { ok: status === 'COMPLETED', status, latencyMs: completedAt - startedAt, startedAt, completedAt };
    } catch (err) {
      return failed(startedAt, err instanceof Deadline ? 'TIMEOUT' : 'ERROR', err);
    }
  };
}

const FINAL = new Set(['COMPLETED', 'COMPENSATED', 'CANCELLED', 'ABORTED', 'COMPENSATION_FAILED', 'FORWARD_FAILED']);

/** Places the order through the API (POST /orders) and polls GET /orders/:id every `pollMs` until it is final. */
export function apiRunner(options: { apiUrl: string; apiKey: string; idPrefix: string; pollMs: number }): SagaRunner {
  const headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' };
  const timed = async (url: string, init: RequestInit) => {
    const started = performance.now();
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    const body = (await response.json()) as Record<string, unknown>;
    return { status: response.status, body, ms: performance.now() - started };
  };
  return async (index, deadline) => {
    const customerId = options.idPrefix.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
    const startedAtEpochMs = Date.now();
    const startedAt = performance.now();
    const getMs: number[] = [];
    try {
      const post = await timed(`${options.apiUrl}/orders`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': `${options.idPrefix}-${index}` },
        body: JSON.stringify(benchOrder(index, customerId)),
      });
      if (post.status !== 202) throw new Error(`POST /orders answered ${post.status}: ${JSON.stringify(post.body)}`);
      const orderId = String(post.body.orderId);
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, options.pollMs));
        if (performance.now() > deadline) throw new Deadline('deadline');
        const get = await timed(`${options.apiUrl}/orders/${orderId}`, { headers });
        getMs.push(get.ms);
        if (get.status !== 200) throw new Error(`GET /orders/${orderId} answered ${get.status}`);
        const status = String(get.body.status);
        if (FINAL.has(status)) {
          const completedAt = performance.now();
          return {
            ok: status === 'COMPLETED',
            status,
            latencyMs: completedAt - startedAt,
            startedAt,
            completedAt,
            orderId,
            startedAtEpochMs,
            postMs: post.ms,
            getMs,
          };
        }
      }
    } catch (err) {
      return { ...failed(startedAt, err instanceof Deadline ? 'TIMEOUT' : 'ERROR', err), getMs };
    }
  };
}

/**
 * API mode: the start → completed latency from the workflow's close time on the server (same machine, same
 * clock), instead of the poll that noticed it (which lags by up to one poll interval).
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
