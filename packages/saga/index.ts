// The saga engine's public surface: everything an application needs to declare a saga, run it in a Temporal
// workflow, expose its state and let operators decide on parked steps. Import from here only (the files under
// src/ are the engine's own). Usage and reference: packages/saga/README.md.

// Declaring a saga.
export { activityCall } from './src/definition';
export type {
  ActivityCall,
  ActivityInterface,
  CompensationOrder,
  LocalAction,
  LocalActivityCallOptions,
  SagaControl,
  SagaDefinition,
  SagaStep,
} from './src/definition';

// Running it inside a workflow.
export { SagaRun } from './src/engine';
export { PATCHES } from './src/patches';
export type { OperatorDecision } from './src/decisions';
export { laneTaskQueue } from './src/lanes';

// Its state, as Queries, memos and clients read it.
export { isParked, isTerminal, parkedPhase, PARKED_STATUSES, TERMINAL_STATUSES } from './src/state';
export type {
  CompensationRecord,
  ParkedPhase,
  ParkedStep,
  RecoveryRecord,
  SagaFailure,
  SagaState,
  SagaStatus,
} from './src/state';

// Restarting a saga from a step (a parked one continues as new; a COMPENSATED one runs again), as an Update.
export { restartRefusal } from './src/restart';
export type { RestartRequest, SagaCheckpoint, SagaRestart, SagaRestartInput, StepRecord } from './src/restart';
export { setRestartHandler } from './src/operator';
export type { SagaRunOptions } from './src/engine';

// Operators' decisions on parked steps, as Updates.
export { setOperatorHandlers } from './src/operator';
export type { OperatorRequest, OperatorUpdates, SkipRequest } from './src/operator';

// The contract with activities whose service's circuit is open, and the engine's metrics.
export { CIRCUIT_OPEN } from './src/circuit-open';
export type { CircuitOpenDetails } from './src/circuit-open';
export { SAGA_METRICS } from './src/metrics';
