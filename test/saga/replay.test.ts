import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { testDataConverter, workflowBundle } from '../helpers/worker';

// Recorded histories (scripts/record-histories.ts for the order saga, scripts/record-return-histories.ts for
// return-*.json, the returns saga) replayed against today's workflow code: a change that
// would break sagas already running in production fails here with a non-determinism error.
const historiesDir = path.resolve(__dirname, '..', 'histories');
const files = readdirSync(historiesDir).filter((file) => file.endsWith('.json'));

describe('replay of recorded saga histories', () => {
  it('has recorded histories of both sagas to replay', () => {
    assert.ok(files.length >= 10, `expected the recorded scenarios in ${historiesDir}, found ${files.length}`);
    assert.ok(files.filter((file) => file.startsWith('return-')).length >= 5, 'the returns saga histories');
    assert.ok(
      files.some((file) => file.startsWith('operation-')),
      'a bulk operation (scripts/record-operation-histories.ts)',
    );
  });

  it('replays every history without a determinism error', async () => {
    const histories = files.map((file) => ({
      workflowId: path.basename(file, '.json'),
      history: historyFromJSON(JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8'))),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: await workflowBundle(), dataConverter: testDataConverter() },
      histories,
    )) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.equal(replayed, histories.length);
    assert.deepEqual(failures, []);
  });
});
