import type { WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SagaState } from '../index';

/**
 * Polls the saga's state Query until `until` holds (e.g. `(s) => s.status === 'FORWARD_FAILED'`) and returns that
 * state; fails after `timeoutMs` of real time with the last state seen. For `during`, before an operator's Update.
 */
export async function waitForState(
  handle: WorkflowHandle,
  query: QueryDefinition<SagaState, []> | string,
  until: (state: SagaState) => boolean,
  { timeoutMs = 10_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<SagaState> {
  const deadline = Date.now() + timeoutMs;
  let last: SagaState | undefined;
  for (;;) {
    last = await handle.query<SagaState, []>(query);
    if (until(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`the saga did not reach the state awaited within ${timeoutMs} ms: ${last.status}`);
    await sleep(intervalMs);
  }
}
