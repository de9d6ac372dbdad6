// A test-only workflow for the bundle's preloaded modules (test/workers/workflow-sandbox.test.ts).
import { PATCHES } from '@sagaflow/saga';
import { orderSaga } from '../../workflows/order/saga';
import { interceptors } from '../../lib/codec/refuse-plaintext-interceptor';

/**
 * Whether this workflow sees the shared copies of the engine, the order saga's declaration and the interceptors:
 * the worker freezes the modules it preloads (and only those), so a frozen export is one evaluated once per worker.
 */
export async function preloadedModules(): Promise<{ engine: boolean; workflows: boolean; interceptors: boolean }> {
  return {
    engine: Object.isFrozen(PATCHES),
    workflows: Object.isFrozen(orderSaga) && Object.isFrozen(orderSaga.steps),
    interceptors: Object.isFrozen(interceptors),
  };
}
