import { CancellationScope, condition } from '@temporalio/workflow';

/**
 * An Update handler's wait for the outcome of what it took: not cancellable, so a cancellation of the workflow in
 * the same workflow task (e.g. from the Web UI) never fails an Update whose effect was taken ("Workflow cancelled");
 * it answers the state the saga reaches.
 */
export function outcomeOf(done: () => boolean): Promise<void> {
  return CancellationScope.nonCancellable(() => condition(done));
}
