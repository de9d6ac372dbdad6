import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { laneTaskQueue } from '../../lib/task-queues';
import type { ActivityCall, SagaDefinition, SagaStep } from './definition';
import { deadlineExceeded, describeFailure, errorMessage } from './failures';
import { planCompensations } from './compensation-plan';
import { isTerminal } from './state';
import type { SagaState, SagaStatus } from './state';

/** An operator's answer to a parked compensation. */
export type OperatorDecision = { kind: 'retry' } | { kind: 'skip'; reason: string };

interface Registered<C> {
  step: SagaStep<C>;
  compensation: ActivityCall<C>;
  key: string;
}

/**
 * Runs a declared saga inside a workflow: steps in order, each compensation registered before its action
 * is dispatched; on failure or cancellation the registered compensations run (non-cancellable) in the
 * declared order; a compensation that keeps failing parks the saga until an operator retries or skips it.
 */
export class SagaRun<C> {
  readonly state: SagaState;
  private readonly registered: Registered<C>[] = [];
  private readonly decisions = new Map<string, OperatorDecision>();
  /** The forward steps run in this scope, so a cancel cancels whichever step is running. */
  private forwardScope?: CancellationScope;
  private pivotPassed = false;

  constructor(
    private readonly definition: SagaDefinition<C>,
    readonly ctx: C,
    private readonly onChange: (state: SagaState) => void = () => undefined,
  ) {
    const now = Date.now();
    this.state = {
      saga: definition.name,
      status: 'RUNNING',
      completedSteps: [],
      compensations: [],
      parked: [],
      startedAt: now,
      updatedAt: now,
    };
  }

  async run(): Promise<SagaState> {
    try {
      // One scope for all the forward steps rather than one per step: every scope adds promises, and the SDK
      // records a stack for each promise a workflow creates.
      this.forwardScope = new CancellationScope();
      await this.forwardScope.run(() => this.runForward());
      this.forwardScope = undefined;
      this.finish('COMPLETED');
    } catch (err) {
      this.forwardScope = undefined;
      const cancelled = this.state.cancellation !== undefined || isCancellation(err) || err instanceof CancelRequested;
      if (cancelled) this.state.cancellation ??= { reason: 'workflow cancelled', at: Date.now() };
      else this.state.failure = describeFailure(this.state.currentStep ?? 'unknown', err);
      await this.compensate();
      this.finish(cancelled ? 'CANCELLED' : 'COMPENSATED');
    }
    return this.state;
  }

  /** Why a cancellation would be refused now, or undefined when it is allowed. */
  cancelRefusal(): string | undefined {
    if (isTerminal(this.state.status)) return `the saga already ended as ${this.state.status}`;
    if (
      this.state.cancellation ||
      this.state.status === 'COMPENSATING' ||
      this.state.status === 'COMPENSATION_FAILED'
    ) {
      return 'the saga is already compensating';
    }
    if (this.pivotPassed) return 'the saga passed its point of no return';
    return undefined;
  }

  /** Requests cancellation: the running step is cancelled and everything done so far is compensated. */
  cancel(reason: string): void {
    this.state.cancellation = { reason, at: Date.now() };
    this.forwardScope?.cancel();
    this.changed();
  }

  /** Records an operator's decision for one parked compensation, or for all of them when `step` is omitted. */
  decide(decision: OperatorDecision, step?: string): string[] {
    const targets = this.state.parked.filter((p) => step === undefined || p.step === step).map((p) => p.step);
    for (const target of targets) this.decisions.set(target, decision);
    return targets;
  }

  /** Updates the status a local step (e.g. a wait for approval) reports while it runs. */
  setStatus(status: SagaStatus): void {
    this.state.status = status;
    this.changed();
  }

  /**
   * The forward steps. Each step awaits its activity's own promise and nothing else (no async helper per step):
   * the SDK records a stack for every promise a workflow creates, which is most of the engine's cost per step.
   */
  private async runForward(): Promise<void> {
    for (const step of this.definition.steps) {
      if (step.when && !step.when(this.ctx)) continue;
      if (this.state.cancellation) throw new CancelRequested();
      const key = this.startStep(step);
      const action = step.action;
      if ('local' in action) {
        await this.withDeadline(step, action.local(this.ctx, this));
      } else {
        const result = await this.withDeadline(step, this.schedule(action, key));
        action.onResult?.(this.ctx, result);
      }
      this.state.completedSteps.push(step.name);
      if (step.pivot) this.pivotPassed = true;
      this.changed();
    }
  }

  /** Publishes the step as current and registers its compensation before its action is dispatched. */
  private startStep(step: SagaStep<C>): string {
    const key = (step.idempotencyKey ?? defaultKey)({ workflowId: workflowInfo().workflowId, step: step.name });
    this.state.currentStep = step.name;
    this.state.status = 'RUNNING';
    this.changed();
    if (step.compensation) this.registered.push({ step, compensation: step.compensation, key });
    return key;
  }

  private withDeadline<T>(step: SagaStep<C>, work: Promise<T>): Promise<T> {
    return step.deadline === undefined ? work : this.raceDeadline(step, step.deadline, work);
  }

  /**
   * The deadline races the step in a timer scope of its own; when it fires, the forward scope (and so the step)
   * is cancelled and the step fails as timed out.
   */
  private async raceDeadline<T>(
    step: SagaStep<C>,
    deadline: NonNullable<SagaStep<C>['deadline']>,
    work: Promise<T>,
  ): Promise<T> {
    let deadlineHit = false;
    const timerScope = new CancellationScope();
    const duration = typeof deadline === 'function' ? deadline(this.ctx) : deadline;
    timerScope
      .run(() => sleep(duration, { summary: `${step.name} deadline` }))
      .then(() => {
        deadlineHit = true;
        this.forwardScope?.cancel();
      })
      .catch(() => undefined);
    try {
      return await work;
    } catch (err) {
      throw deadlineHit ? deadlineExceeded(step.name) : err;
    } finally {
      timerScope.cancel();
    }
  }

  /** Schedules the activity; the returned promise is the SDK's own, so awaiting it adds no promise of ours. */
  private schedule(call: ActivityCall<C>, key: string): Promise<unknown> {
    // Waiting for the activity to acknowledge cancellation means its outcome is known before any compensation.
    const activities = proxyActivities({
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      ...call.options,
      ...(call.lane ? { taskQueue: laneTaskQueue(workflowInfo().taskQueue, call.lane) } : {}),
    });
    const fn = activities[call.activity];
    if (!fn) throw new Error(`unknown activity ${call.activity}`);
    return fn(call.input(this.ctx, key, this.state));
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
    for (let round = 0; ; round++) {
      const attemptKey = round === 0 ? `${key}:compensate` : `${key}:compensate:retry-${round}`;
      try {
        const result = await this.schedule(compensation, attemptKey);
        compensation.onResult?.(this.ctx, result);
        this.record({ step: step.name, activity: compensation.activity, outcome: 'COMPENSATED', attempts: round + 1 });
        return;
      } catch (err) {
        const error = errorMessage(err);
        this.record({
          step: step.name,
          activity: compensation.activity,
          outcome: 'FAILED',
          attempts: round + 1,
          error,
        });
        this.state.parked.push({ step: step.name, activity: compensation.activity, error, since: Date.now() });
        this.state.status = 'COMPENSATION_FAILED';
        this.changed();
        await condition(() => this.decisions.has(step.name));
        const decision = this.decisions.get(step.name)!;
        this.decisions.delete(step.name);
        this.state.parked = this.state.parked.filter((p) => p.step !== step.name);
        if (this.state.parked.length === 0) this.state.status = 'COMPENSATING';
        if (decision.kind === 'skip') {
          this.record({
            step: step.name,
            activity: compensation.activity,
            outcome: 'SKIPPED',
            attempts: round + 1,
            reason: decision.reason,
          });
          return;
        }
      }
    }
  }

  private record(entry: Omit<SagaState['compensations'][number], 'at'>): void {
    this.state.compensations.push({ ...entry, at: Date.now() });
    this.changed();
  }

  private finish(status: SagaStatus): void {
    this.state.status = status;
    this.state.currentStep = undefined;
    this.state.finishedAt = Date.now();
    this.changed();
  }

  private changed(): void {
    this.state.updatedAt = Date.now();
    this.onChange(this.state);
  }
}

class CancelRequested extends Error {}

function defaultKey({ workflowId, step }: { workflowId: string; step: string }): string {
  return `${workflowId}:${step}`;
}
