// Test-only workflows for the worker's sandbox options (test/workers/workflow-sandbox.test.ts).
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const releaseSignal = defineSignal('release');

/** Waits for the release signal: an open workflow with a pending promise, for the stack trace query. */
export async function waitForRelease(): Promise<string> {
  let released = false;
  setHandler(releaseSignal, () => void (released = true));
  await condition(() => released);
  return 'released';
}

/** Never yields: only the activation deadline (the worker's isolateExecutionTimeout) stops it. */
export async function spinForever(): Promise<never> {
  for (;;) {
    // a workflow stuck in synchronous code
  }
}
