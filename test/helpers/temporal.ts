import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LocalTestWorkflowEnvironmentOptions } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { devServerTuningArgs } from '../../lib/dev-server';
import { SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import { createLogger } from '../../lib/logger';
import { temporalLoggerFor } from '../../lib/temporal-logger';
import { localToolPath } from '../../lib/temporal-tools';
import { dataConverterFor } from '../../lib/codec/data-converter';
import { testPayloadKeys } from './payload-keys';

/** The environments' clients encrypt payloads like the API's (lib/codec). */
const client = () => ({ dataConverter: dataConverterFor(testPayloadKeys()) });

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
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    client: client(),
    server: { executable: executable('temporal-test-server') },
  });
  await registerSearchAttributes(env);
  return env;
}

const INDEXED_VALUE_TYPES = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

/** The test server, like a real cluster, rejects upserts of custom search attributes it does not know. */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const searchAttributes = Object.fromEntries(
    Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, INDEXED_VALUE_TYPES[key.type]]),
  );
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
}

/**
 * The real Temporal dev server (the Temporal CLI), headless and in memory unless told otherwise, with the project's
 * dev server tuning (lib/dev-server.ts) before any `extraArgs` of the caller.
 */
export async function createLocalEnv(
  server: LocalTestWorkflowEnvironmentOptions['server'] = {},
): Promise<TestWorkflowEnvironment> {
  const extraArgs = [...devServerTuningArgs, ...(server.extraArgs ?? [])];
  // The SDK gives the dev server 5 s to listen; on a loaded CI machine its first start can miss that. Try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createLocal({
        client: client(),
        server: {
          executable: executable('temporal'),
          searchAttributes: Object.values(SEARCH_ATTRIBUTES),
          ...server,
          extraArgs,
        },
      });
    } catch (err) {
      if (attempt >= 3 || !/did not start within/.test(String(err))) throw err;
    }
  }
}
