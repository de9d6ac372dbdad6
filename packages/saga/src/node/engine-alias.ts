import path from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

/** The engine's entry: `index.ts` beside the sources this runs from, `index.js` in the built package. */
const engineEntry = path.join(__dirname, '..', '..', `index${path.extname(__filename)}`);

/**
 * Options for Temporal's workflow bundler (`bundleWorkflowCode`, or a worker's `bundlerOptions`):
 * - `webpackConfigHook` makes a bundle's `@sagaflow/saga` this copy of the engine: its sources when the worker runs
 *   from them (tsx), its build when installed. Workflows then run the engine the worker and the tests around them
 *   load, never a stale build of it.
 * - `preloadModules` evaluates the engine and Temporal's workflow API once per worker (its reused V8 context) and
 *   shares them, frozen, with every workflow it runs, instead of evaluating them again for each new workflow. The
 *   engine keeps nothing at module level that belongs to one saga. To preload modules of your own, concatenate:
 *   `preloadModules: [...engineBundlerOptions.preloadModules, ...yours]`.
 */
export const engineBundlerOptions: Required<Pick<BundleOptions, 'webpackConfigHook' | 'preloadModules'>> = {
  webpackConfigHook: (config) => {
    const alias = config.resolve?.alias;
    if (Array.isArray(alias)) throw new Error('@sagaflow/saga: a webpack alias list is not supported');
    return { ...config, resolve: { ...config.resolve, alias: { ...alias, '@sagaflow/saga$': engineEntry } } };
  },
  preloadModules: ['@temporalio/workflow', '@sagaflow/saga'],
};
