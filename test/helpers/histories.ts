import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

/**
 * Saves a workflow's event history as `<name>.json` in `outDir`, and for a workflow that continued as new (a
 * restarted saga) each run before it as `<name>-parked.json`, `<name>-parked-parked.json`...: the replay tests
 * replay every run. Returns what was written, with each history's event count.
 */
export async function saveHistories(
  env: TestWorkflowEnvironment,
  workflowId: string,
  name: string,
  outDir: string,
): Promise<string[]> {
  const written: string[] = [];
  let history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  for (let file = name; ; file = `${file}-parked`) {
    writeFileSync(path.join(outDir, `${file}.json`), `${historyToJSON(history)}\n`);
    written.push(`${file}: ${history.events?.length ?? 0} events`);
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return written;
    history = await env.client.workflow.getHandle(workflowId, previous).fetchHistory();
  }
}
