import type { Client } from '@temporalio/client';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import type { SagaStatus } from '@sagaflow/saga';
import { isDeadlineExceeded } from '../temporal';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const CLOSE_EVENTS = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
]);

/** A point in an order's history the API reports: its saga status (and step) changed, or its workflow closed. */
export type StatusChange =
  | { kind: 'status'; id: number; at: number; status: SagaStatus; step?: string }
  | { kind: 'closed'; id: number; at: number }
  /** Everything the server had so far was read; the next change needs a wait. */
  | { kind: 'idle' };

/** How long one history long-poll may take; the server answers an idle one empty after about 20 s. */
const POLL_DEADLINE_MS = 30_000;

/** The status and step an event published, from its search attributes (started: the initial ones). */
function publishedBy(event: HistoryEvent): { status?: string; step?: string } | undefined {
  const fields =
    event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
      ? event.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields
      : event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
        ? event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields
        : undefined;
  if (!fields) return undefined;
  const attributes = decodeTypedSearchAttributes(fields);
  return { status: attributes.get(SEARCH_ATTRIBUTES.OrderStatus), step: attributes.get(SEARCH_ATTRIBUTES.SagaStep) };
}

/**
 * The status changes of a saga, read from its history as the Temporal server writes it (history long-polls: no
 * worker and no polling of describe), ending with `closed`. From `runId` on it follows the chain of runs: a restart
 * continues the parked run as new, and its changes go on in the new run (a continue-as-new is no end). Each
 * change's id is the id of the history event that made it plus the last event id of every run before it, so ids
 * grow across runs and a reader can resume after one (read from the chain's first run for ids that never change);
 * `idle` says the reader has caught up with the history so far. `signal` ends the reading early.
 */
export async function* statusChanges(
  client: Client,
  workflowId: string,
  firstRunId: string,
  signal: AbortSignal,
): AsyncGenerator<StatusChange> {
  let status: string | undefined;
  let step: string | undefined;
  let nextPageToken: Uint8Array | undefined;
  let seen = 0;
  let runId = firstRunId;
  /** The last event ids of the runs before this one, added up. */
  let offset = 0;
  while (!signal.aborted) {
    let response;
    try {
      response = await client.connection.withAbortSignal(signal, () =>
        client.connection.withDeadline(Date.now() + POLL_DEADLINE_MS, () =>
          client.workflowService.getWorkflowExecutionHistory({
            namespace: client.options.namespace,
            execution: { workflowId, runId },
            nextPageToken,
            waitNewEvent: true,
          }),
        ),
      );
    } catch (err) {
      if (signal.aborted) return;
      if (isDeadlineExceeded(err)) continue;
      throw err;
    }
    let continuedAs: string | undefined;
    for (const event of response.history?.events ?? []) {
      const eventId = Number(event.eventId);
      if (eventId <= seen) continue;
      seen = eventId;
      const id = offset + eventId;
      const at = tsToMs(event.eventTime);
      if (CLOSE_EVENTS.has(event.eventType ?? 0)) {
        yield { kind: 'closed', id, at };
        return;
      }
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) {
        continuedAs = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
        if (!continuedAs) throw new Error(`run ${runId} of ${workflowId} continued as new without naming the new run`);
        offset = id;
        break;
      }
      const next = publishedBy(event);
      if (!next) continue;
      const nextStatus = next.status ?? status;
      const nextStep = next.step === undefined ? step : next.step === '-' ? undefined : next.step;
      if (nextStatus === undefined || (nextStatus === status && nextStep === step)) continue;
      status = nextStatus;
      step = nextStep;
      yield { kind: 'status', id, at, status: status as SagaStatus, ...(step ? { step } : {}) };
    }
    if (continuedAs) {
      runId = continuedAs;
      seen = 0;
      nextPageToken = undefined;
      continue;
    }
    yield { kind: 'idle' };
    // Before the close event an empty token is not expected; reading again from the start skips what was seen.
    nextPageToken = response.nextPageToken?.length ? response.nextPageToken : undefined;
  }
}
