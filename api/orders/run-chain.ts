import type { Client } from '@temporalio/client';
import { withDeadline } from '../temporal';

/** More runs than this in one chain is more restarts than an operator makes; the walk stops there. */
const MAX_RUNS = 50;

/**
 * The runs a saga's run continued from, newest first: a restart continues the parked run as new under the same
 * workflow id, so what a client or operator did before it lives in the earlier runs. Each run's first event names
 * the run it continued from (`continuedExecutionRunId`).
 */
export async function* previousRuns(
  client: Client,
  timeoutMs: number,
  workflowId: string,
  runId: string,
): AsyncGenerator<string> {
  let current = runId;
  for (let i = 0; i < MAX_RUNS; i++) {
    const { history } = await withDeadline(client, timeoutMs, () =>
      client.workflowService.getWorkflowExecutionHistory({
        namespace: client.options.namespace,
        execution: { workflowId, runId: current },
        maximumPageSize: 1,
      }),
    );
    const previous = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return;
    yield previous;
    current = previous;
  }
}
