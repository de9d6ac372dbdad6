// The testing kit (`@sagaflow/saga/testing`) as a saga author uses it: the package's own example test
// (packages/saga/examples/transfer.test.ts), run here on the repository's time-skipping server.
import { localToolPath } from '../../lib/temporal-tools';

const testServer = localToolPath('temporal-test-server');
if (testServer) process.env.TEMPORAL_TEST_SERVER_PATH ??= testServer;
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../../packages/saga/examples/transfer.test');
