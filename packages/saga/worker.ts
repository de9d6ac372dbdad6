// The saga engine's worker-side entry (Node.js only, never imported by workflow code): what a worker process needs
// beyond its activities to run sagas. Usage: packages/saga/README.md.

export { laneLimitedLocalActivities } from './src/local-lanes';
export type { Activities } from './src/local-lanes';
export { engineBundlerOptions } from './src/node/engine-alias';
