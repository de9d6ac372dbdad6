import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LocalTestWorkflowEnvironmentOptions } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { createLogger } from '../../lib/logger';
import { temporalLoggerFor } from '../../lib/temporal-logger';
import { localToolPath } from '../../lib/temporal-tools';

// SDK logs go through pino at warn level (TEST_LOG_LEVEL to change) so test output stays readable.
Runtime.install({
  logger: temporalLoggerFor(createLogger({ test: true }).child({}, { level: process.env.TEST_LOG_LEVEL ?? 'warn' })),
});

type Executable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

function executable(name: 'temporal' | 'temporal-test-server'): Executable {
  const existing = localToolPath(name);
  return existing ? { type: 'existing-path', path: existing } : { type: 'cached-download' };
}

/** The Java time-skipping test server: timers and timeouts of days complete in milliseconds. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: executable('temporal-test-server') },
  });
}

/** The real Temporal dev server (the Temporal CLI), headless and in memory unless told otherwise. */
export function createLocalEnv(
  server: LocalTestWorkflowEnvironmentOptions['server'] = {},
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: executable('temporal'), ...server },
  });
}
