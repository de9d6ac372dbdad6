import type { Client } from '@temporalio/client';
import { MAX_OPERATION_TARGETS } from './operation-query';

/**
 * The workflow ids a bulk operation's query matches, every page, sorted: what its dry run shows and what the
 * operation itself targets. More than MAX_OPERATION_TARGETS is an error: the filter must be narrowed.
 */
export async function listOperationTargets(
  client: Client,
  query: string,
  onPage?: (count: number) => void,
  limit = MAX_OPERATION_TARGETS,
) {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query })) {
    ids.push(execution.workflowId);
    if (ids.length > limit) throw new TooManyTargets(limit);
    onPage?.(ids.length);
  }
  return ids.sort();
}

export class TooManyTargets extends Error {
  override readonly name = 'TooManyTargets';
  constructor(limit = MAX_OPERATION_TARGETS) {
    super(`more than ${limit} sagas match: narrow the filter (status, step, reason, start time)`);
  }
}
