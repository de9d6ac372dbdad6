import { CancellationScope, condition, patched } from '@temporalio/workflow';
import { PATCHES } from '@sagaflow/saga';

/**
 * An Update handler's wait for the outcome of what it took: not cancellable, so a cancellation of the workflow in
 * the same workflow task (e.g. from the Web UI) never fails an Update whose effect was taken ("Workflow cancelled");
 * it answers the state the saga reaches. Histories recorded before `PATCHES.updateOutcomeNotCancellable` replay the
 * old, cancellable wait.
 */
export function outcomeOf(done: () => boolean): Promise<void> {
  if (!patched(PATCHES.updateOutcomeNotCancellable)) return condition(done);
  return CancellationScope.nonCancellable(() => condition(done));
}
