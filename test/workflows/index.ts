// The tests' workflow bundle: the worker's workflows plus variants of the order saga that only tests run.
export * from '../../workflows';
export { orderFulfillmentParallel } from './parallel-order';
export { spinForever, waitForRelease } from './sandbox';
export { preloadedModules } from './preload';
