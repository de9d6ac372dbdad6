import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mapLimit } from './observe';

// After a chaos run: what the sagas' histories say about how their steps ran and what the faults cost them.

const { EventType } = temporal.api.enums.v1;

export interface HistoryCensus {
  /** Histories read (every run of every accepted saga). */
  histories: number;
  /** Service calls recorded as local activities (markers). */
  localActivities: number;
  /** Service calls scheduled as regular activities. */
  activityTasks: number;
  /**
   * Workflow tasks that timed out or failed: with local steps, the work of a task in flight on a killed worker
   * (its local activities run again, under the same idempotency keys, in the task that replaces it).
   */
  lostWorkflowTasks: number;
}

export async function historyCensus(
  client: Client,
  workflows: { workflowId: string; runId: string }[],
): Promise<HistoryCensus> {
  const census: HistoryCensus = { histories: 0, localActivities: 0, activityTasks: 0, lostWorkflowTasks: 0 };
  await mapLimit(workflows, 8, async ({ workflowId, runId }) => {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    census.histories += 1;
    for (const event of history.events ?? []) {
      if (event.markerRecordedEventAttributes?.markerName === 'core_local_activity') census.localActivities += 1;
      if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) census.activityTasks += 1;
      if (
        event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT ||
        event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
      )
        census.lostWorkflowTasks += 1;
    }
  });
  return census;
}
