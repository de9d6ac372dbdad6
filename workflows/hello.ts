import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { HelloActivities } from '../activities/hello';

const { greet } = proxyActivities<HelloActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export interface HelloInput {
  name: string;
  /** How long to wait before greeting; long waits prove durable timers (and time skipping in tests). */
  wait?: Duration;
}

export interface HelloResult {
  greeting: string;
  startedAt: number;
  greetedAt: number;
}

export async function helloWorkflow({ name, wait }: HelloInput): Promise<HelloResult> {
  // Date.now() inside a workflow is the SDK's deterministic workflow clock.
  const startedAt = Date.now();
  if (wait !== undefined) await sleep(wait);
  const greeting = await greet(name);
  return { greeting, startedAt, greetedAt: Date.now() };
}
