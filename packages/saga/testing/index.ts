// The saga engine's testing kit (Node.js only: never import it from workflow code). Run a saga on Temporal's
// time-skipping test server with in-memory activities, inject faults per step, and assert on its ledger.
// Usage: packages/saga/README.md ("Testing a saga").

export { createSagaTestEnv } from './environment';
export type { SagaTestEnvOptions } from './environment';
export { fault, stepOfKey, withFaults } from './faults';
export type { CallRecord, FaultPlan, FaultyActivities, StepFault } from './faults';
export { ledgerOf } from './ledger';
export type { SagaLedgerView } from './ledger';
export { bundleOnce, replaySaga, runSaga } from './run';
export type { RunSagaOptions, SagaRunResult, WorkflowSource } from './run';
export { waitForState } from './wait';
