import path from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];
type WebpackRule = NonNullable<NonNullable<WebpackConfig['module']>['rules']>[number];

/** The engine's entry: `index.ts` beside the sources this runs from, `index.js` in the built package. */
const engineEntry = path.join(__dirname, '..', '..', `index${path.extname(__filename)}`);

/**
 * Options for Temporal's workflow bundler (`bundleWorkflowCode`, or a worker's `bundlerOptions`):
 * - `webpackConfigHook` makes a bundle's `@sagaflow/saga` this copy of the engine: its sources when the worker runs
 *   from them (tsx), its build when installed. Workflows then run the engine the worker and the tests around them
 *   load, never a stale build of it. It also compiles the workflows' TypeScript for ES2022 (`withModernTarget`).
 * - `preloadModules` evaluates the engine and Temporal's workflow API once per worker (its reused V8 context) and
 *   shares them, frozen, with every workflow it runs, instead of evaluating them again for each new workflow. The
 *   engine keeps nothing at module level that belongs to one saga. To preload modules of your own, concatenate:
 *   `preloadModules: [...engineBundlerOptions.preloadModules, ...yours]`.
 */
export const engineBundlerOptions: Required<Pick<BundleOptions, 'webpackConfigHook' | 'preloadModules'>> = {
  webpackConfigHook: (config) => {
    const alias = config.resolve?.alias;
    if (Array.isArray(alias)) throw new Error('@sagaflow/saga: a webpack alias list is not supported');
    return {
      ...config,
      module: { ...config.module, rules: config.module?.rules?.map(withModernTarget) },
      resolve: { ...config.resolve, alias: { ...alias, '@sagaflow/saga$': engineEntry } },
    };
  },
  preloadModules: ['@temporalio/workflow', '@sagaflow/saga'],
};

/** The ECMAScript version workflow TypeScript compiles to: what every Node.js the SDK supports runs natively. */
const WORKFLOW_TARGET = 'es2022';

interface SwcUse {
  loader: string;
  options?: { jsc?: { target?: string } };
}

/**
 * The bundler compiles workflow TypeScript for ES2017, which turns every object spread, class field and `?.` into a
 * helper call or a temporary; a workflow's code runs in Node.js's V8, which has them natively.
 */
function withModernTarget(rule: WebpackRule): WebpackRule {
  const use = rule && rule !== '...' ? (rule.use as SwcUse | undefined) : undefined;
  if (!rule || rule === '...' || !use || typeof use !== 'object' || !use.loader?.includes('swc-loader')) return rule;
  const options = use.options ?? {};
  return { ...rule, use: { ...use, options: { ...options, jsc: { ...options.jsc, target: WORKFLOW_TARGET } } } };
}
