// A saga with two groups of steps that run at once, one before its pivot and one after, for the engine's tests of
// `SagaStep.group` (test/saga/parallel-groups.test.ts): its calls run as activities or, with `local`, local ones.
import type { ActivityOptions } from '@temporalio/common';
import { defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import { activityCall, SagaRun, setOperatorHandlers } from '@sagaflow/saga';
import type { OperatorRequest, SagaCheckpoint, SagaDefinition, SagaState, SkipRequest } from '@sagaflow/saga';

type Call = (input: { step: string; idempotencyKey: string }) => Promise<void>;
/** Each step calls the activity of its name; each compensation `undo-<step>`. */
export type GroupedActivities = Record<
  'open' | 'pack' | 'label' | 'ship' | 'notify' | 'invoice' | 'close' | 'undo-open' | 'undo-pack' | 'undo-label',
  Call
>;

export interface GroupedInput {
  local: boolean;
}

const call = activityCall<GroupedActivities, GroupedInput>(undefined, { localActivity: (ctx) => ctx.local });
const options: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2, nonRetryableErrorTypes: ['REFUSED', 'NOT_CONCURRENT'] },
};
const step = (name: keyof GroupedActivities) =>
  call(name, options, (_ctx, idempotencyKey) => ({ step: name, idempotencyKey }));

export const groupedDefinition: SagaDefinition<GroupedInput> = {
  name: 'grouped',
  steps: [
    { name: 'open', action: step('open'), compensation: step('undo-open') },
    { name: 'pack', action: step('pack'), compensation: step('undo-pack'), group: 'prepare' },
    { name: 'label', action: step('label'), compensation: step('undo-label'), group: 'prepare' },
    { name: 'ship', action: step('ship'), pivot: true },
    { name: 'notify', action: step('notify'), group: 'after' },
    { name: 'invoice', action: step('invoice'), group: 'after' },
    { name: 'close', action: step('close') },
  ],
};

export const groupedState = defineQuery<SagaState>('groupedState');
const operatorUpdates = {
  retryCompensation: defineUpdate<SagaState, [OperatorRequest]>('retryCompensation'),
  skipCompensation: defineUpdate<SagaState, [SkipRequest]>('skipCompensation'),
  retryStep: defineUpdate<SagaState, [OperatorRequest]>('retryStep'),
  resolveStep: defineUpdate<SagaState, [SkipRequest]>('resolveStep'),
};

export async function groupedSaga(input: GroupedInput): Promise<{ state: SagaState; checkpoint: SagaCheckpoint }> {
  const saga = new SagaRun(groupedDefinition, { ...input });
  setHandler(groupedState, () => saga.state);
  setOperatorHandlers(saga, operatorUpdates);
  const state = await saga.run();
  return { state, checkpoint: saga.checkpoint() };
}
