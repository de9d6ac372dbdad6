import { ApplicationFailure, CancellationScope, isCancellation, patched, workflowInfo } from '@temporalio/workflow';
import { raceDeadline } from './deadline';
import { dispatch } from './dispatch';
import type { Placement } from './dispatch';
import { PATCHES } from './patches';
import { defaultIdempotencyKey } from './definition';
import type { ActivityCall, SagaDefinition, SagaStep } from './definition';
import { describeFailure, effectMayStand, errorMessage } from './failures';
import { groupEnd, groupProblem } from './groups';
import { hadNoEffect, planCompensations } from './compensation-plan';
import { SagaLedger } from './ledger';
import { runsAsLocalActivity } from './local';
import { restartPlan, restartRefusal } from './restart';
import type { SagaRestart } from './restart';
import { isParked, isTerminal } from './state';
import type { SagaState } from './state';

/** How a run starts: fresh, or restarting an earlier run. */
export interface SagaRunOptions {
  /** This run restarts an earlier one (its checkpoint, from a step); its context is the one passed in. */
  restart?: SagaRestart;
}

interface Registered<C> {
  step: SagaStep<C>;
  compensation: ActivityCall<C>;
  key: string;
}

/**
 * Runs a declared saga inside a workflow: steps in order, each compensation registered before its action
 * is dispatched; on failure or cancellation the registered compensations run (non-cancellable) in the
 * declared order; a compensation that keeps failing parks the saga until an operator retries or skips it.
 * After the pivot the saga only moves forward: the remaining steps run non-cancellable, and one that fails for
 * good parks the saga (FORWARD_FAILED) until an operator retries it or marks it resolved.
 */
export class SagaRun<C> extends SagaLedger<C> {
  private registered: Registered<C>[] = [];
  /** The forward steps up to the pivot run in this scope, so a cancel cancels whichever step is running. */
  private forwardScope?: CancellationScope;
  private pivotPassed = false;
  /** A saga recorded before PATCHES.deadlineSuccessWins, replaying the old path: it keeps running in the cancelled scope. */
  private legacyDeadlineCancel = false;
  /** Keys of the steps a restarted run runs again (the same where their effect stands, fresh where not). */
  private readonly keys = new Map<string, string>();
  /** Index of the last step this execution started (-1: none yet). */
  private lastStarted = -1;
  /** Index of the first step of the group the last started step belongs to (itself when it has no group). */
  private groupStart = -1;

  constructor(
    definition: SagaDefinition<C>,
    readonly ctx: C,
    onChange: (state: SagaState) => void = () => undefined,
    private readonly options: SagaRunOptions = {},
  ) {
    super(definition, onChange);
    const problem = groupProblem(definition);
    if (problem) throw new Error(`saga ${definition.name}: ${problem}`);
  }

  override async run(): Promise<SagaState> {
    this.metrics.started();
    const start = this.beginRestart();
    try {
      let next = start;
      if (!this.pivotPassed) {
        // One scope for all the forward steps rather than one per step: every scope adds promises, and the SDK
        // records a stack for each promise a workflow creates.
        this.forwardScope = new CancellationScope();
        next = await this.forwardScope.run(() => this.runForward(start, true));
        this.forwardScope = undefined;
      }
      // Past the pivot nothing cancels the saga: neither the cancel Update (refused) nor a workflow cancellation.
      if (next < this.definition.steps.length)
        await CancellationScope.nonCancellable(() => this.runForward(next, false));
      this.finish('COMPLETED');
    } catch (err) {
      this.forwardScope = undefined;
      const cancelled = this.state.cancellation !== undefined || isCancellation(err) || err instanceof CancelRequested;
      if (cancelled) this.state.cancellation ??= { reason: 'workflow cancelled', at: Date.now() };
      else this.state.failure = describeFailure(this.state.currentStep ?? 'unknown', err);
      if (this.state.failure && hadNoEffect(this.definition, this.state.failure)) {
        this.registered = this.registered.filter((r) => r.step.name !== this.state.failure!.step);
      }
      if (!this.pivotPassed) this.registerUnrecordedSteps(cancelled);
      await this.compensate();
      this.finish(cancelled ? 'CANCELLED' : 'COMPENSATED');
    }
    return this.state;
  }

  /** Why a cancellation would be refused now, or undefined when it is allowed. */
  cancelRefusal(): string | undefined {
    if (isTerminal(this.state.status)) return `the saga already ended as ${this.state.status}`;
    if (this.pivotPassed) return 'the saga passed its point of no return';
    if (this.state.cancellation || this.state.status === 'COMPENSATING' || isParked(this.state.status)) {
      return 'the saga is already compensating';
    }
    return undefined;
  }

  /** Requests cancellation: the running step is cancelled and everything done so far is compensated. */
  cancel(reason: string): void {
    this.state.cancellation = { reason, at: Date.now() };
    this.forwardScope?.cancel();
    this.changed();
  }

  /**
   * A restarted run takes the steps before `from` whose effect stands as done (their results are in the carried
   * context, their compensations registered under the keys they ran with) and runs from `from` on.
   */
  private beginRestart(): number {
    const restart = this.options.restart;
    if (!restart) return 0;
    const refusal = restartRefusal(this.definition, restart.checkpoint, restart.from) ?? this.forgedRestart(restart);
    if (refusal)
      throw ApplicationFailure.nonRetryable(`cannot restart from ${restart.from}: ${refusal}`, 'RESTART_REFUSED');
    const plan = restartPlan(this.definition, restart);
    for (const [name, key] of plan.keys) this.keys.set(name, key);
    for (const step of this.definition.steps.slice(0, plan.fromIndex)) {
      const record = restart.checkpoint.steps[step.name];
      if (record) this.records[step.name] = { ...record };
      if (!plan.carried.includes(step.name)) continue;
      this.state.completedSteps.push(step.name);
      if (step.compensation) this.registered.push({ step, compensation: step.compensation, key: record!.key! });
    }
    this.pivotPassed = plan.pivotPassed;
    this.lastStarted = plan.fromIndex - 1;
    this.groupStart = this.lastStarted;
    this.state.restart = plan.record;
    this.changed();
    return plan.fromIndex;
  }

  /**
   * A run parked after its pivot restarts only by continuing as new (`runOrRestart`): a fresh start that carries a
   * FORWARD_FAILED checkpoint did not come from a parked run of this saga, and would skip steps whose effects never
   * happened (a checkpoint claiming the capture DONE). A COMPENSATED run restarts as a new run by design.
   */
  private forgedRestart(restart: SagaRestart): string | undefined {
    if (restart.checkpoint.status !== 'FORWARD_FAILED' || workflowInfo().continuedFromExecutionRunId) return undefined;
    return 'a run parked after its point of no return restarts only by continuing as new from it';
  }

  /**
   * The forward steps from `from`; with `untilPivot`, returns the index after the pivot once it has succeeded.
   * Each step awaits its activity's own promise and nothing else (no async helper per step): the SDK records a
   * stack for every promise a workflow creates, which is most of the engine's cost per step.
   */
  private async runForward(from: number, untilPivot: boolean): Promise<number> {
    const { steps } = this.definition;
    for (let index = from; index < steps.length; index++) {
      const step = steps[index]!;
      const end = groupEnd(steps, index);
      if (end > index + 1 && patched(PATCHES.parallelGroups)) {
        await this.runGroup(index, end, untilPivot);
        index = end - 1;
        continue;
      }
      if (step.when && !step.when(this.ctx)) {
        this.records[step.name] = { outcome: 'SKIPPED' };
        continue;
      }
      if (this.state.cancellation) throw new CancelRequested();
      this.groupStart = index;
      const key = this.startStep(step, index);
      const began = Date.now();
      try {
        await this.runAction(step, key);
        this.metrics.step(step.name, 'ok', Date.now() - began);
      } catch (err) {
        this.metrics.step(step.name, 'failed', Date.now() - began);
        if (untilPivot || !patched(PATCHES.forwardRecovery)) throw err;
        await this.recoverForward(step, key, err);
      }
      this.stepDone(step);
      if (untilPivot && this.pivotPassed && !this.legacyDeadlineCancel) return index + 1;
    }
    return steps.length;
  }

  private stepDone(step: SagaStep<C>): void {
    this.records[step.name]!.outcome = 'DONE';
    this.state.completedSteps.push(step.name);
    if (step.pivot) this.pivotPassed = true;
    this.changed();
  }

  /**
   * The steps `from` to `end` (a group, `SagaStep.group`) at once: every compensation registered before the first
   * dispatch, then all settle. Before the pivot the first failure in declared order fails the saga, which compensates
   * what ran; after it, each failed step parks in turn. A group holds no pivot, so the pivot is never passed here.
   */
  private async runGroup(from: number, end: number, untilPivot: boolean): Promise<void> {
    const members: { step: SagaStep<C>; index: number }[] = [];
    for (let index = from; index < end; index++) {
      const step = this.definition.steps[index]!;
      if (!step.when || step.when(this.ctx)) members.push({ step, index });
      else this.records[step.name] = { outcome: 'SKIPPED' };
    }
    if (members.length === 0) return;
    if (this.state.cancellation) throw new CancelRequested();
    this.groupStart = from;
    this.state.runningSteps = members.map(({ step }) => step.name);
    const keys = members.map(({ step, index }) => this.startStep(step, index, members[0]!.step.name));
    const began = Date.now();
    const outcomes = await Promise.allSettled(
      members.map(({ step }, i) =>
        this.runAction(step, keys[i]!).then(
          () => this.metrics.step(step.name, 'ok', Date.now() - began),
          (err: unknown) => {
            this.metrics.step(step.name, 'failed', Date.now() - began);
            throw err;
          },
        ),
      ),
    );
    delete this.state.runningSteps;
    members.forEach(({ step }, i) => outcomes[i]!.status === 'fulfilled' && this.stepDone(step));
    for (const [i, { step }] of members.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.status === 'fulfilled') continue;
      if (untilPivot || !patched(PATCHES.forwardRecovery)) {
        this.state.currentStep = step.name;
        throw outcome.reason;
      }
      await this.recoverForward(step, keys[i]!, outcome.reason);
      this.stepDone(step);
    }
  }

  private async runAction(step: SagaStep<C>, key: string): Promise<void> {
    const action = step.action;
    if ('local' in action) {
      await this.withDeadline(step, () => action.local(this.ctx, this));
    } else {
      const placement = this.placementOf(step);
      const result = await this.withDeadline(step, () => this.dispatch(action, key, step.name, placement));
      action.onResult?.(this.ctx, result);
    }
  }

  /**
   * Publishes the step as current (or, in a group, the group's first step) and registers its compensation before
   * its action is dispatched.
   */
  private startStep(step: SagaStep<C>, index: number, current = step.name): string {
    const key = this.keyOf(step);
    this.lastStarted = index;
    this.records[step.name] = { outcome: 'FAILED', key };
    this.state.currentStep = current;
    this.state.status = 'RUNNING';
    this.changed();
    if (step.compensation) this.registered.push({ step, compensation: step.compensation, key });
    return key;
  }

  /** The key a step runs under in this run. */
  private keyOf(step: SagaStep<C>): string {
    const { workflowId, firstExecutionRunId } = workflowInfo();
    return (
      this.keys.get(step.name) ??
      (step.idempotencyKey ?? defaultIdempotencyKey)({ workflowId, runId: firstExecutionRunId, step: step.name })
    );
  }

  /**
   * Whether the step's action runs as a local activity in this saga. Never the pivot: passing the point of no
   * return must be on record before its effect, so a saga never takes a cancel after passing it unrecorded.
   */
  private runsLocally(step: SagaStep<C>): boolean {
    return this.placementOf(step) === 'local';
  }

  /**
   * Where the step's call runs. A pivot whose call asks to run locally runs as a regular activity on the saga's own
   * task queue instead: its workers run the saga's calls, so the server may hand it back with the workflow task's
   * completion (eager dispatch) rather than through its lane's queue.
   */
  private placementOf(step: SagaStep<C>): Placement {
    if ('local' in step.action || !runsAsLocalActivity(step.action, this.ctx)) return 'lane';
    return step.pivot ? 'own-queue' : 'local';
  }

  /**
   * Local activities are recorded only when their workflow task completes. When a worker dies during one, the next
   * task replays without them, and a cancel (or a deadline, or faults that now exhaust a step's retries) may take the
   * saga down another path while steps it ran in the lost task stand at the services. So before compensating,
   * every local step that may have run unrecorded is registered too, under the key it would have run with: the
   * local steps after the last one this run started, up to the next step that waits on the server (a regular
   * activity, the pivot, or an in-workflow wait), since reaching that completes a task and records everything
   * before it. Compensations are safe where nothing happened (they leave a tombstone). Not when the last step was a
   * regular activity or a wait still in flight (nothing ran past it), nor after a local step's business answer
   * (the service stored it under the step's key, so no earlier task got further).
   */
  private registerUnrecordedSteps(cancelled: boolean): void {
    const { steps } = this.definition;
    // The last step started, or the steps of its group (which settle together before the saga moves on).
    const unfinished = steps
      .slice(Math.max(this.groupStart, 0), this.lastStarted + 1)
      .filter((step, i, group) => i === group.length - 1 || this.records[step.name]?.outcome !== 'SKIPPED')
      .filter((step) => this.records[step.name]?.outcome !== 'DONE');
    if (unfinished.length > 0) {
      if (!unfinished.every((step) => this.runsLocally(step))) return;
      const failed = this.state.failure && unfinished.find((step) => step.name === this.state.failure!.step);
      if (!cancelled && failed && nonRetryableTypes(failed).includes(this.state.failure!.type)) return;
    }
    for (let index = this.lastStarted + 1; index < steps.length; index++) {
      const step = steps[index]!;
      if (step.when && !step.when(this.ctx)) continue;
      if (!this.runsLocally(step)) return;
      if (!step.compensation || this.registered.some((r) => r.step.name === step.name)) continue;
      const key = this.keyOf(step);
      this.records[step.name] = { outcome: 'FAILED', key };
      this.registered.push({ step, compensation: step.compensation, key });
    }
  }

  private withDeadline<T>(step: SagaStep<C>, work: () => Promise<T>): Promise<T> {
    const { deadline } = step;
    if (deadline === undefined) return work();
    const duration = () => (typeof deadline === 'function' ? deadline(this.ctx) : deadline);
    return raceDeadline(step.name, duration, work, {
      cancelled: () => this.state.cancellation !== undefined,
      succeededLate: () => {
        if (patched(PATCHES.deadlineSuccessWins)) return;
        // Histories recorded before the fix: the deadline cancelled the whole forward scope.
        this.legacyDeadlineCancel = true;
        this.forwardScope?.cancel();
      },
    });
  }

  private dispatch(call: ActivityCall<C>, key: string, step: string, placement: Placement): Promise<unknown> {
    return dispatch(call, key, step, { ctx: this.ctx, state: this.state, changed: () => this.changed() }, placement);
  }

  /**
   * A step after the pivot failed for good: compensating would undo a saga that passed its point of no return
   * (refund a captured payment), so it parks until an operator retries it (fresh idempotency key) or marks it
   * resolved (done by hand); the saga then moves on.
   */
  private async recoverForward(step: SagaStep<C>, key: string, failure: unknown): Promise<void> {
    const base = { step: step.name, activity: 'local' in step.action ? 'local' : step.action.activity };
    const keepKeys = patched(PATCHES.keepKeyWhenEffectMayStand);
    let err = failure;
    let attemptKey = key;
    for (let round = 1; ; round++) {
      // A retry runs under a fresh key only after a definite refusal (the service stored it under the old key);
      // when the effect may stand, the same key gets the service's first answer rather than a second effect.
      const mayStand = keepKeys && effectMayStand(err, nonRetryableTypes(step), this.definition.keepKeyOn);
      if (keepKeys) {
        this.records[step.name] = { outcome: 'FAILED', key: attemptKey, ...(mayStand ? { effectMayStand: true } : {}) };
      }
      const error = errorMessage(err);
      const { type } = describeFailure(step.name, err);
      this.record('recoveries', { ...base, outcome: 'FAILED', attempts: round, error });
      if (round > 1) this.decisions.settle(step.name);
      const decision = await this.park({ ...base, error, type, since: Date.now(), phase: 'forward' });
      if (decision.kind === 'skip') {
        this.record('recoveries', { ...base, outcome: 'RESOLVED', attempts: round, reason: decision.reason });
        this.decisions.settle(step.name);
        return;
      }
      if (!mayStand) attemptKey = `${key}:retry-${round}`;
      try {
        await this.runAction(step, attemptKey);
        // Its effect happened under this key: a restart that runs it again must get this answer, not a second effect.
        this.records[step.name] = { outcome: 'FAILED', key: attemptKey };
      } catch (retryErr) {
        err = retryErr;
        continue;
      }
      this.record('recoveries', { ...base, outcome: 'RETRIED', attempts: round + 1 });
      this.decisions.settle(step.name);
      return;
    }
  }

  private async compensate(): Promise<void> {
    this.state.status = 'COMPENSATING';
    this.state.currentStep = undefined;
    this.changed();
    const byName = new Map(this.registered.map((r) => [r.step.name, r]));
    const batches = planCompensations(
      this.registered.map((r) => r.step.name),
      this.definition.compensationOrder,
    );
    // Compensations must finish even when the workflow itself is being cancelled.
    await CancellationScope.nonCancellable(async () => {
      for (const batch of batches) {
        await Promise.all(batch.map((name) => this.compensateOne(byName.get(name)!)));
      }
    });
  }

  private async compensateOne({ step, compensation, key }: Registered<C>): Promise<void> {
    const base = { step: step.name, activity: compensation.activity };
    for (let round = 0; ; round++) {
      const attemptKey = round === 0 ? `${key}:compensate` : `${key}:compensate:retry-${round}`;
      let error: string;
      let type: string;
      try {
        const result = await this.dispatch(
          compensation,
          attemptKey,
          step.name,
          runsAsLocalActivity(compensation, this.ctx) ? 'local' : 'lane',
        );
        compensation.onResult?.(this.ctx, result);
        this.record('compensations', { ...base, outcome: 'COMPENSATED', attempts: round + 1 });
        if (round > 0) this.decisions.settle(step.name);
        return;
      } catch (err) {
        error = errorMessage(err);
        type = describeFailure(step.name, err).type;
      }
      this.record('compensations', { ...base, outcome: 'FAILED', attempts: round + 1, error });
      if (round > 0) this.decisions.settle(step.name);
      const decision = await this.park({ ...base, error, type, since: Date.now(), phase: 'compensation' });
      if (decision.kind === 'skip') {
        this.record('compensations', { ...base, outcome: 'SKIPPED', attempts: round + 1, reason: decision.reason });
        this.decisions.settle(step.name);
        return;
      }
    }
  }
}

class CancelRequested extends Error {}

/** The failure types a step's retry policy takes as final answers (its business errors); none for a local step. */
function nonRetryableTypes<C>(step: SagaStep<C>): readonly string[] {
  return ('local' in step.action ? undefined : step.action.options.retry?.nonRetryableErrorTypes) ?? [];
}
