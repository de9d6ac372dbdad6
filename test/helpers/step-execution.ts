import type { StepExecution } from '../../workflows/shared/step-execution';

/** Both ways a saga runs its service calls: suites that prove the engine's guarantees run under each. */
export const STEP_EXECUTIONS: readonly StepExecution[] = ['remote', 'local'];
