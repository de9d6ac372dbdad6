import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { orderIdFor } from '../../api/orders/common';
import { ended } from '../../api/orders/read-model';
import type { OrderStatus } from '../../api/schemas';
import { isParked } from '@sagaflow/saga';
import type { SagaStatus } from '@sagaflow/saga';
import { benchCustomerId, benchOrder, Deadline, failed } from './load';
import type { SagaRunner } from './load';

// The `api` mode's client, as an application would use the API: POST /orders with `Prefer: wait=N` answers the
// outcome; when the saga outlasts N seconds (a 202), the order's events long-poll follows it to its end. One
// GET /orders/{id} per saga, sent `readAfterMs` after the POST, measures the status read while sagas run.

export interface ApiRunnerOptions {
  apiUrl: string;
  apiKey: string;
  /** The key's tenant: with the Idempotency-Key it gives the order id before the POST answers. */
  tenant: string;
  idPrefix: string;
  /** When the one status read is sent, ms after the POST. */
  readAfterMs: number;
  /** `Prefer: wait=N` (seconds), and each events long-poll's `?wait=`. */
  waitSeconds: number;
  /**
   * With it, beside each status read the load generator times, under the same load, two calls straight to
   * Temporal (the order's describe, what the API's GET makes, and GetSystemInfo, the cheapest call there is) and
   * the API's /health (no Temporal call): the floors of a read through Temporal and through the API.
   */
  client?: Client;
}

interface Timed {
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

export function apiRunner(options: ApiRunnerOptions): SagaRunner {
  const headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' };
  const timeoutMs = (options.waitSeconds + 15) * 1000;
  const timed = async (path: string, init: RequestInit = {}): Promise<Timed> => {
    const started = performance.now();
    const response = await fetch(`${options.apiUrl}${path}`, {
      ...init,
      headers: { ...headers, ...init.headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as Record<string, unknown>;
    return { status: response.status, body, ms: performance.now() - started };
  };

  /** Follows a saga that outlasted the POST's wait: events long-polls until the end event. */
  const follow = async (orderId: string, deadline: number): Promise<{ status: string; polls: number }> => {
    let after = 0;
    for (let polls = 1; ; polls++) {
      if (performance.now() > deadline) throw new Deadline('deadline');
      const page = await timed(`/orders/${orderId}/events?wait=${options.waitSeconds}&after=${after}`);
      if (page.status !== 200) throw new Error(`GET /orders/${orderId}/events answered ${page.status}`);
      const events = page.body.events as { type: string; status: string }[];
      // A parked saga waits for an operator: for the load generator it is an outcome too (a failed saga).
      const outcome = events.find((event) => event.type === 'end' || isParked(event.status as SagaStatus));
      if (outcome) return { status: outcome.status, polls };
      after = Number(page.body.lastEventId);
    }
  };

  return async (index, deadline) => {
    const customerId = benchCustomerId(options.idPrefix);
    const idempotencyKey = `${options.idPrefix}-${index}`;
    const orderId = orderIdFor(options.tenant, idempotencyKey);
    const startedAtEpochMs = Date.now();
    const startedAt = performance.now();
    // Settles to an error rather than rejecting: nothing awaits it until the saga's outcome is known.
    const read: Promise<Timed | Error> = delay(options.readAfterMs)
      .then(() => timed(`/orders/${orderId}`))
      .catch(asError);
    const probes = options.client
      ? probeReads(options.client, () => timed('/health'), orderId, options.readAfterMs)
      : undefined;
    try {
      const post = await timed('/orders', {
        method: 'POST',
        headers: { 'idempotency-key': idempotencyKey, prefer: `wait=${options.waitSeconds}` },
        body: JSON.stringify(benchOrder(index, customerId)),
      });
      if (post.status !== 200 && post.status !== 202) {
        throw new Error(`POST /orders answered ${post.status}: ${JSON.stringify(post.body)}`);
      }
      const answered = String(post.body.status);
      const outcome =
        post.status === 200 && ended(answered as OrderStatus)
          ? { status: answered, polls: 0 }
          : await follow(orderId, deadline);
      const completedAt = performance.now();
      const get = await read;
      if (get instanceof Error) throw get;
      return {
        ok: outcome.status === 'COMPLETED',
        status: outcome.status,
        latencyMs: completedAt - startedAt,
        startedAt,
        completedAt,
        orderId,
        startedAtEpochMs,
        postMs: post.ms,
        getMs: [get.ms],
        getStatus: get.status,
        eventPolls: outcome.polls,
        ...(probes ? { probesMs: await probes } : {}),
      };
    } catch (err) {
      const get = await read;
      return {
        ...failed(startedAt, err instanceof Deadline ? 'TIMEOUT' : 'ERROR', err),
        ...(get instanceof Error ? {} : { getMs: [get.ms], getStatus: get.status }),
      };
    }
  };
}

/**
 * Times, in turn: describe of the order (what the API's GET makes) and GetSystemInfo straight against Temporal,
 * and the API's GET /health, which calls nothing: the floors of a read through Temporal and through the API.
 */
async function probeReads(client: Client, health: () => Promise<unknown>, orderId: string, afterMs: number) {
  await delay(afterMs);
  const time = async (call: () => Promise<unknown>) => {
    const started = performance.now();
    await call().catch(() => undefined);
    return performance.now() - started;
  };
  const describe = await time(() =>
    client.workflowService.describeWorkflowExecution({
      namespace: client.options.namespace,
      execution: { workflowId: orderId },
    }),
  );
  const systemInfo = await time(() => client.workflowService.getSystemInfo({}));
  const apiHealth = await time(health);
  return { describe, systemInfo, apiHealth };
}
