import { setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { OperatorDecision } from './decisions';
import type { SagaRun } from './engine';
import type { RestartRequest } from './restart';
import { parkedPhase } from './state';
import type { ParkedPhase, SagaState } from './state';

/** An operator's request on parked work: one step, or all parked steps of the phase when `step` is omitted. */
export interface OperatorRequest {
  step?: string;
  by: string;
}
/** An operator's skip (a compensation) or resolve (a step done by hand): with the reason, kept in the state. */
export type SkipRequest = OperatorRequest & { reason: string };

/** The Update definitions `setOperatorHandlers` installs, named as the workflow exposes them. */
export interface OperatorUpdates {
  retryCompensation: UpdateDefinition<SagaState, [OperatorRequest]>;
  skipCompensation: UpdateDefinition<SagaState, [SkipRequest]>;
  retryStep: UpdateDefinition<SagaState, [OperatorRequest]>;
  resolveStep: UpdateDefinition<SagaState, [SkipRequest]>;
}

const WHAT: Record<ParkedPhase, string> = { compensation: 'parked compensation', forward: 'parked step' };

/**
 * The operator's Updates on a saga: retry or skip a parked compensation, retry or resolve (done by hand) a
 * parked step after the pivot. Each completes once its own targets have an outcome again. The first decision
 * for a parked step wins: a second one, even in the same workflow task, is refused by the validator.
 */
export function setOperatorHandlers<C>(saga: SagaRun<C>, updates: OperatorUpdates): void {
  const validate = (phase: ParkedPhase, { step, by }: OperatorRequest) => {
    if (!by?.trim()) throw new Error('operator actions need the operator (by)');
    if (saga.awaitingDecision(phase, step).length > 0) return;
    const decided = saga.state.parked.some((p) => parkedPhase(p) === phase && p.step === step);
    if (decided) throw new Error(`the ${WHAT[phase]} ${step} already has a decision being carried out`);
    throw new Error(
      step ? `no ${WHAT[phase]} for step ${step} awaiting a decision` : `no ${WHAT[phase]} awaiting a decision`,
    );
  };
  const validateSkip = (phase: ParkedPhase, request: SkipRequest) => {
    validate(phase, request);
    if (!request.reason?.trim()) throw new Error(`skipping a ${WHAT[phase]} needs a reason`);
  };
  const handle = async (phase: ParkedPhase, decision: OperatorDecision, step?: string): Promise<SagaState> => {
    await saga.decide(phase, decision, step);
    return saga.state;
  };
  const retry = (phase: ParkedPhase) => (request: OperatorRequest) => handle(phase, { kind: 'retry' }, request.step);
  const skip = (phase: ParkedPhase) => (request: SkipRequest) =>
    handle(phase, { kind: 'skip', reason: `${request.reason} (by ${request.by})` }, request.step);

  setHandler(updates.retryCompensation, retry('compensation'), { validator: (r) => validate('compensation', r) });
  setHandler(updates.skipCompensation, skip('compensation'), { validator: (r) => validateSkip('compensation', r) });
  setHandler(updates.retryStep, retry('forward'), { validator: (r) => validate('forward', r) });
  setHandler(updates.resolveStep, skip('forward'), { validator: (r) => validateSkip('forward', r) });
}

/**
 * The operator's restart Update: validated by the engine's rules (`SagaRun.restartRequestRefusal`), then taken; the
 * workflow's `runOrRestart()` resolves and it continues as new from the chosen step. It answers the state the new
 * run starts from: RUNNING at that step, nothing parked.
 */
export function setRestartHandler<C>(saga: SagaRun<C>, update: UpdateDefinition<SagaState, [RestartRequest]>): void {
  setHandler(
    update,
    (request) => {
      saga.requestRestart(request);
      return Promise.resolve({ ...saga.state, status: 'RUNNING' as const, currentStep: request.from, parked: [] });
    },
    {
      validator: ({ from, by }) => {
        if (!by?.trim()) throw new Error('a restart needs the operator (by)');
        const refusal = saga.restartRequestRefusal(from);
        if (refusal) throw new Error(`cannot restart from ${from}: ${refusal}`);
      },
    },
  );
}
