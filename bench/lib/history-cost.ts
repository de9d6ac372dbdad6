import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { round } from './stats';

const EventType = temporal.api.enums.v1.EventType;
const History = temporal.api.history.v1.History;
const HistoryEvent = temporal.api.history.v1.HistoryEvent;
const eventTypeName = (type: number) => (EventType[type] ?? String(type)).replace('EVENT_TYPE_', '');

/** Mean per saga over the sampled histories. */
export interface HistoryCost {
  /** How many sagas' histories were read. */
  sampled: number;
  events: number;
  /** The history's encoded size (protobuf), payloads as the codec left them: what the server stores and sends. */
  bytes: number;
  /** The same by event type (`MARKER_RECORDED`, ...): where the bytes are. */
  bytesByEvent: Record<string, number>;
  workflowTasks: number;
  /** Regular activities (scheduled). */
  activities: number;
  /** Markers: local activities and patches (`patches` of them). */
  markers: number;
  patches: number;
  /** Search attribute upserts (each one a visibility write), the SDK's TemporalChangeVersion ones included. */
  upserts: number;
  /** Memo changes (WorkflowPropertiesModified). */
  memoUpdates: number;
  timers: number;
}

const PATCH_MARKER = 'core_patch';

type Counted = Exclude<keyof HistoryCost, 'sampled' | 'events' | 'bytes' | 'bytesByEvent' | 'patches'>;

/** The counter each counted event type adds to. */
const COUNTED: ReadonlyMap<number, Counted> = new Map([
  [EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 'workflowTasks'],
  [EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 'activities'],
  [EventType.EVENT_TYPE_MARKER_RECORDED, 'markers'],
  [EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, 'upserts'],
  [EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, 'memoUpdates'],
  [EventType.EVENT_TYPE_TIMER_STARTED, 'timers'],
]);

type Counts = Omit<HistoryCost, 'sampled' | 'bytesByEvent'>;

/** Reads the histories of `workflowIds` and counts what the server recorded for them, per saga. */
export async function historyCost(client: Client, workflowIds: readonly string[]): Promise<HistoryCost | undefined> {
  if (workflowIds.length === 0) return undefined;
  const totals: Counts = {
    events: 0,
    bytes: 0,
    workflowTasks: 0,
    activities: 0,
    markers: 0,
    patches: 0,
    upserts: 0,
    memoUpdates: 0,
    timers: 0,
  };
  const byEvent: Record<string, number> = {};
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    totals.events += events.length;
    totals.bytes += History.encode(history).finish().length;
    for (const event of events) {
      const type = event.eventType ?? 0;
      const counter = COUNTED.get(type);
      if (counter) totals[counter]++;
      if (event.markerRecordedEventAttributes?.markerName === PATCH_MARKER) totals.patches++;
      const name = eventTypeName(type);
      byEvent[name] = (byEvent[name] ?? 0) + HistoryEvent.encode(event).finish().length;
    }
  }
  const perSaga = (record: Record<string, number>) =>
    Object.fromEntries(Object.entries(record).map(([key, total]) => [key, round(total / workflowIds.length, 2)]));
  return { sampled: workflowIds.length, ...(perSaga(totals) as Counts), bytesByEvent: perSaga(byEvent) };
}

/** The mean of several rounds' costs, weighted by how many histories each read. */
export function poolHistoryCosts(costs: readonly (HistoryCost | undefined)[]): HistoryCost | undefined {
  const present = costs.filter((cost): cost is HistoryCost => cost !== undefined);
  const sampled = present.reduce((sum, cost) => sum + cost.sampled, 0);
  if (sampled === 0) return undefined;
  const pool = (values: (cost: HistoryCost) => Record<string, number>) => {
    const keys = new Set(present.flatMap((cost) => Object.keys(values(cost))));
    return Object.fromEntries(
      [...keys].map((key) => [
        key,
        round(present.reduce((sum, cost) => sum + (values(cost)[key] ?? 0) * cost.sampled, 0) / sampled, 2),
      ]),
    );
  };
  const counts = pool(({ sampled: _sampled, bytesByEvent: _bytes, ...rest }) => rest);
  return { sampled, ...(counts as Counts), bytesByEvent: pool((cost) => cost.bytesByEvent) };
}
