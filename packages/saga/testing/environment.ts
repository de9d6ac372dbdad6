import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TimeSkippingTestWorkflowEnvironmentOptions } from '@temporalio/testing';

/** The time-skipping environment's options: the SDK's, the test server's path, the search attributes to register. */
export interface SagaTestEnvOptions extends Omit<TimeSkippingTestWorkflowEnvironmentOptions, 'server'> {
  /**
   * The Java time-skipping test server to run: a path to its executable (default: `TEMPORAL_TEST_SERVER_PATH`).
   * Without one the SDK downloads it (online machines only).
   */
  testServerPath?: string;
  server?: TimeSkippingTestWorkflowEnvironmentOptions['server'];
  /** Custom search attributes the sagas upsert, registered before any saga starts (the server refuses unknown ones). */
  searchAttributes?: Record<string, 'KEYWORD' | 'INT' | 'BOOL' | 'DOUBLE' | 'DATETIME' | 'TEXT' | 'KEYWORD_LIST'>;
}

// temporal.api.enums.v1.IndexedValueType
const INDEXED_VALUE_TYPE = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 } as const;

/**
 * A time-skipping Temporal test environment for sagas: timers and timeouts of days pass in milliseconds while the
 * test waits on a result (or on `env.sleep`). Tear it down with `env.teardown()`.
 */
export async function createSagaTestEnv(options: SagaTestEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  const { testServerPath = process.env.TEMPORAL_TEST_SERVER_PATH, searchAttributes, server, ...rest } = options;
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    ...rest,
    server: {
      ...server,
      ...(testServerPath ? { executable: { type: 'existing-path' as const, path: testServerPath } } : {}),
    },
  });
  if (searchAttributes && Object.keys(searchAttributes).length > 0) {
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        Object.entries(searchAttributes).map(([name, type]) => [name, INDEXED_VALUE_TYPE[type]]),
      ),
    });
  }
  return env;
}
