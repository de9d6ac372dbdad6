import type { BundleOptions } from '@temporalio/worker';
import { engineBundlerOptions } from '@sagaflow/saga/worker';
import { workflowInterceptorModules } from './codec/data-converter';

/**
 * The project's own modules a bundle of its workflows preloads besides the engine's (`engineBundlerOptions`): the
 * workflow interceptors and the workflows entry itself with everything it imports. A worker evaluates them once in
 * its reused V8 context and shares them, frozen, with every workflow it runs, instead of evaluating the whole bundle
 * again for each new saga. That holds only while no workflow module keeps per-workflow state at module level, which
 * the lint rule on workflow code enforces (eslint.config.mjs). The testing kit's `bundleOnce` adds the engine's.
 */
export function preloadedWorkflowModules(workflowsPath: string): string[] {
  return [...workflowInterceptorModules, workflowsPath];
}

/** A worker's `bundlerOptions` (or `bundleWorkflowCode`'s) for the project's workflows at `workflowsPath`. */
export function workflowBundlerOptions(
  workflowsPath: string,
): Required<Pick<BundleOptions, 'webpackConfigHook' | 'preloadModules'>> {
  return {
    ...engineBundlerOptions,
    preloadModules: [...engineBundlerOptions.preloadModules, ...preloadedWorkflowModules(workflowsPath)],
  };
}
