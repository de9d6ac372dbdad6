import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createHelloActivities } from '../../activities/hello';
import { createLogger } from '../../lib/logger';
import { helloWorkflow } from '../../workflows/hello';
import { createLocalEnv, createTimeSkippingEnv } from '../helpers/temporal';
import { createTestWorker } from '../helpers/worker';

const logger = createLogger({ test: 'toolchain' });
logger.level = 'warn';
const activities = createHelloActivities({ logger });
const DAY_MS = 24 * 60 * 60 * 1000;

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createTimeSkippingEnv();
  });
  after(() => env?.teardown());

  it('skips a 7-day durable timer instead of waiting for it', async () => {
    const worker = await createTestWorker(env, { taskQueue: 'toolchain-ts', activities });
    const wallStart = process.hrtime.bigint();
    const result = await worker.runUntil(
      env.client.workflow.execute(helloWorkflow, {
        taskQueue: 'toolchain-ts',
        workflowId: 'hello-7-days',
        args: [{ name: 'time', wait: '7 days' }],
      }),
    );
    const wallMs = Number(process.hrtime.bigint() - wallStart) / 1e6;
    console.log(`# 7-day timer completed after ${wallMs.toFixed(0)} ms of wall time`);
    assert.equal(result.greeting, 'Hello, time!');
    assert.ok(result.greetedAt - result.startedAt >= 7 * DAY_MS, 'workflow clock advanced by 7 days');
    // Not a speed assertion: a real 7-day wait could never finish inside a test run's timeout.
    assert.ok(wallMs < 60_000);
  });
});

describe('Temporal dev server (Temporal CLI)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalEnv();
  });
  after(() => env?.teardown());

  it('runs the same workflow on a real server with a real timer', async () => {
    assert.equal(env.supportsTimeSkipping, false);
    const worker = await createTestWorker(env, { taskQueue: 'toolchain-dev', activities });
    const result = await worker.runUntil(
      env.client.workflow.execute(helloWorkflow, {
        taskQueue: 'toolchain-dev',
        workflowId: 'hello-dev-server',
        args: [{ name: 'dev server', wait: '1 second' }],
      }),
    );
    assert.equal(result.greeting, 'Hello, dev server!');
    assert.ok(result.greetedAt - result.startedAt >= 1000);
    const history = await env.client.workflow.getHandle('hello-dev-server').fetchHistory();
    assert.ok(
      history.events?.some((e) => e.timerStartedEventAttributes),
      'history records a durable timer',
    );
  });
});
