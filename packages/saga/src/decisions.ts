import { CancellationScope, condition } from '@temporalio/workflow';

/** An operator's answer to a parked step: run it again, or skip it (for a step after the pivot: resolved by hand). */
export type OperatorDecision = { kind: 'retry' } | { kind: 'skip'; reason: string };

/**
 * Operators' decisions on parked steps: taken (by an Update) but not yet carried out, and how many have been
 * carried out to an outcome per step, which the deciding Update waits for. The first decision for a step wins.
 */
export class Decisions {
  private readonly pending = new Map<string, OperatorDecision>();
  private readonly settled = new Map<string, number>();

  has(step: string): boolean {
    return this.pending.has(step);
  }

  /** Takes `decision` for `steps` and resolves once each of them has an outcome again. */
  async take(steps: string[], decision: OperatorDecision): Promise<void> {
    const before = new Map(steps.map((step) => [step, this.settled.get(step) ?? 0]));
    for (const step of steps) this.pending.set(step, decision);
    // The decided work runs to its outcome even when the workflow is being cancelled; so does this wait.
    await CancellationScope.nonCancellable(() =>
      condition(() => steps.every((step) => (this.settled.get(step) ?? 0) > before.get(step)!)),
    );
  }

  /** Waits for the decision on a parked step and hands it over to be carried out. */
  async next(step: string): Promise<OperatorDecision> {
    await condition(() => this.pending.has(step));
    const decision = this.pending.get(step)!;
    this.pending.delete(step);
    return decision;
  }

  /** The decision for `step` has been carried out to an outcome. */
  settle(step: string): void {
    this.settled.set(step, (this.settled.get(step) ?? 0) + 1);
  }
}
