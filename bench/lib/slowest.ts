import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { SagaSample } from './load';

/** The slowest saga of a round: how long its client waited, and how long the server had it open. */
export interface SlowestSaga {
  orderId: string;
  /** Start request → the client had the result. */
  clientMs: number;
  /** The workflow's start → close times on the server (undefined when it has not closed). */
  serverMs?: number;
  /** The first workflow task's wait for a worker (scheduled → started), as the server recorded it. */
  firstTaskWaitMs?: number;
}

/**
 * Where the slowest saga's time went: in the server's record of it (its history), or after it closed (the client
 * learning of its result). A round's throughput is its sagas over its wall time, so one saga held up for seconds
 * decides it; this says whether the saga or the wait for its outcome was slow.
 */
export async function slowestSaga(client: Client, samples: SagaSample[]): Promise<SlowestSaga | undefined> {
  const slowest = samples
    .filter((s) => s.ok && s.orderId)
    .reduce<SagaSample | undefined>((max, s) => (!max || s.latencyMs > max.latencyMs ? s : max), undefined);
  if (!slowest?.orderId) return undefined;
  const { events } = await client.workflow.getHandle(slowest.orderId).fetchHistory();
  const first = events?.[0];
  const closed = events?.at(-1);
  const scheduled = events?.find((e) => e.workflowTaskScheduledEventAttributes);
  const started = events?.find((e) => e.workflowTaskStartedEventAttributes);
  const at = (e?: typeof first) => optionalTsToMs(e?.eventTime);
  const span = (a?: typeof first, b?: typeof first) => {
    const [from, to] = [at(a), at(b)];
    return from === undefined || to === undefined ? undefined : Math.round(to - from);
  };
  return {
    orderId: slowest.orderId,
    clientMs: Math.round(slowest.latencyMs),
    serverMs: span(first, closed),
    firstTaskWaitMs: span(scheduled, started),
  };
}
