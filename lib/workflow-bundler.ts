import path from 'node:path';
import type { BundleOptions } from '@temporalio/worker';

type WebpackConfigHook = NonNullable<BundleOptions['webpackConfigHook']>;

const sagaSource = path.resolve(__dirname, '..', 'packages', 'saga', 'index.ts');

/** Resolves `@sagaflow/saga` to the engine's TypeScript sources instead of its built `dist/`. */
const sagaFromSource: WebpackConfigHook = (config) => {
  const alias = config.resolve?.alias;
  if (Array.isArray(alias)) throw new Error('workflow bundler: an alias list is not supported here');
  return { ...config, resolve: { ...config.resolve, alias: { ...alias, '@sagaflow/saga$': sagaSource } } };
};

/**
 * What every workflow bundle of the project is built with. Run from the TypeScript sources (tsx: the tests, `npm
 * start`, the bench), the sagas take `@sagaflow/saga` from its sources, as tsconfig's `paths` give it to tsc and
 * tsx, so an edit of the engine needs no build; compiled (`dist/`, the image), from the package's build, as any
 * application that installs it.
 */
export const workflowBundlerOptions: { webpackConfigHook?: WebpackConfigHook } = __filename.endsWith('.ts')
  ? { webpackConfigHook: sagaFromSource }
  : {};
