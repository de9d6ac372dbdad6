import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLocalEnv } from '../helpers/temporal';

// The dev server's history long poll (lib/dev-server.ts, HISTORY_LONG_POLL_INTERVAL): a client waiting for a
// workflow's result is answered "nothing yet" every 2 s instead of every 20 s, which bounds how long a missed close
// notification keeps it waiting (docs/BENCHMARKS.md, "A result heard 20 s late").

const { HistoryEventFilterType } = temporal.api.enums.v1;

describe('dev server: the long poll on a workflow result', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalEnv();
  });
  after(async () => {
    await env?.teardown();
  });

  it('expires after about 2 s, not the server default of 20 s, and the client polls again', async () => {
    // Nothing polls this task queue: the workflow stays open, and its history gets no event to wake the poll.
    const handle = await env.client.workflow.start('helloWorkflow', {
      taskQueue: 'nobody-polls-here',
      workflowId: 'long-poll-expiry',
      args: [{ name: 'x' }],
    });
    try {
      const request = {
        namespace: env.namespace ?? 'default',
        execution: { workflowId: handle.workflowId },
        waitNewEvent: true,
        historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
      };
      const waited: number[] = [];
      let nextPageToken: Uint8Array | undefined;
      for (let poll = 0; poll < 2; poll++) {
        const started = performance.now();
        const page = await env.client.workflowService.getWorkflowExecutionHistory({ ...request, nextPageToken });
        waited.push(performance.now() - started);
        assert.equal(page.history?.events?.length ?? 0, 0, 'no close event: the poll expired');
        assert.ok(page.nextPageToken?.length, 'with a token to poll again');
        nextPageToken = page.nextPageToken;
      }
      // Each poll is held (about 2 s), then answered well before the default's 20 s.
      for (const ms of waited) assert.ok(ms > 500 && ms < 10_000, `a poll answered after ${Math.round(ms)} ms`);
    } finally {
      await handle.terminate('test done');
    }
  });
});
