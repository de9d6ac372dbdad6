import { allHandlersFinished, CancellationScope, condition } from '@temporalio/workflow';
import { Decisions } from './decisions';
import type { OperatorDecision } from './decisions';
import { sagaMetrics } from './metrics';
import { restartRefusal } from './restart';
import type { RestartRequest, SagaCheckpoint, SagaRestartInput, StepRecord } from './restart';
import type { SagaDefinition } from './definition';
import { initialState, parkedPhase } from './state';
import type { ParkedPhase, ParkedStep, SagaState, SagaStatus } from './state';

/**
 * A saga run's books: its state (published through `onChange` at every transition), what became of each step
 * and under which key (the checkpoint a restart starts from), the compensations and recoveries it recorded, and
 * the operators' decisions on what it parked. `SagaRun` executes the steps on top of it.
 */
export abstract class SagaLedger<C> {
  readonly state: SagaState;
  /** What became of each step, and under which key. */
  protected readonly records: Record<string, StepRecord> = {};
  protected readonly decisions = new Decisions();
  protected readonly metrics: ReturnType<typeof sagaMetrics>;
  protected restartRequest?: RestartRequest;

  abstract readonly ctx: C;
  /** Runs the saga to its end. */
  abstract run(): Promise<SagaState>;

  constructor(
    protected readonly definition: SagaDefinition<C>,
    private readonly onChange: (state: SagaState) => void,
  ) {
    this.metrics = sagaMetrics(definition.name);
    this.state = initialState(definition.name, Date.now());
  }

  /** The steps' outcomes and keys so far: what a restart of this run starts from. */
  checkpoint(): SagaCheckpoint {
    return { status: this.state.status, steps: { ...this.records }, restarts: this.state.restart?.count ?? 0 };
  }

  /** Why restarting this run from `from` would be refused now, or undefined when it may. */
  restartRequestRefusal(from: string): string | undefined {
    if (this.restartRequest) return 'a restart was already requested';
    if (this.state.parked.some((p) => this.decisions.has(p.step)))
      return 'a decision on a parked step is being carried out';
    return restartRefusal(this.definition, this.checkpoint(), from);
  }

  /** Takes an operator's restart (refused unless `restartRequestRefusal` allows it); `runOrRestart` then resolves. */
  requestRestart(request: RestartRequest): void {
    this.restartRequest = request;
  }

  /**
   * Runs the saga until it ends, or until an operator's restart was accepted (`requestRestart`) and every message
   * handler has finished: then the workflow continues as new with `restartInput(restart)`, leaving this run where
   * it was parked.
   */
  runOrRestart(): Promise<{ state: SagaState; restart?: undefined } | { restart: RestartRequest; state?: undefined }> {
    // Not cancellable: cancelling the workflow must run the compensations (run() handles it), not end this wait.
    // It resolves once every handler has finished, so the workflow may continue as new at once.
    const requested = CancellationScope.nonCancellable(async () => {
      await condition(() => this.restartRequest !== undefined);
      await condition(allHandlersFinished);
      return { restart: this.restartRequest! };
    });
    return Promise.race([this.run().then((state) => ({ state })), requested]);
  }

  /** What the workflow continues as new with: the request, this run's checkpoint and its context. */
  restartInput(request: RestartRequest): SagaRestartInput<C> {
    return { ...request, checkpoint: this.checkpoint(), context: this.ctx };
  }

  /** The parked steps of `phase` that still wait for a decision (all of them, or the one named `step`). */
  awaitingDecision(phase: ParkedPhase, step?: string): ParkedStep[] {
    if (this.restartRequest) return [];
    return this.state.parked.filter(
      (p) => parkedPhase(p) === phase && (step === undefined || p.step === step) && !this.decisions.has(p.step),
    );
  }

  /**
   * Records an operator's decision for the parked steps of `phase` still awaiting one (or for `step` only), and
   * resolves once each of them has an outcome again: done, parked again, or skipped. A second decision for the
   * same parked step is not taken: validators refuse it with `awaitingDecision`.
   */
  async decide(phase: ParkedPhase, decision: OperatorDecision, step?: string): Promise<string[]> {
    const targets = this.awaitingDecision(phase, step).map((p) => p.step);
    await this.decisions.take(targets, decision);
    return targets;
  }

  /** Updates the status a local step (e.g. a wait for approval) reports while it runs. */
  setStatus(status: SagaStatus): void {
    this.state.status = status;
    this.changed();
  }

  /** Parks one step for an operator and waits for the decision taken for it. */
  protected async park(parked: ParkedStep): Promise<OperatorDecision> {
    this.state.parked.push(parked);
    this.metrics.parked(parked.step, parked.phase ?? 'compensation');
    this.state.status = parked.phase === 'forward' ? 'FORWARD_FAILED' : 'COMPENSATION_FAILED';
    this.changed();
    const decision = await this.decisions.next(parked.step);
    this.state.parked = this.state.parked.filter((p) => p.step !== parked.step);
    if (this.state.parked.length === 0) this.state.status = parked.phase === 'forward' ? 'RUNNING' : 'COMPENSATING';
    return decision;
  }

  protected record<K extends 'compensations' | 'recoveries'>(
    list: K,
    entry: Omit<NonNullable<SagaState[K]>[number], 'at'>,
  ): void {
    const records = (this.state[list] ??= []) as NonNullable<SagaState[K]>[number][];
    records.push({ ...entry, at: Date.now() } as NonNullable<SagaState[K]>[number]);
    if (list === 'compensations' && entry.outcome !== 'FAILED') this.records[entry.step]!.outcome = 'UNDONE';
    if (list === 'compensations') this.metrics.compensation(entry.step, entry.outcome);
    this.changed();
  }

  protected finish(status: SagaStatus): void {
    this.state.status = status;
    this.state.currentStep = undefined;
    this.state.finishedAt = Date.now();
    this.metrics.finished(status);
    this.changed();
  }

  protected changed(): void {
    this.state.updatedAt = Date.now();
    this.onChange(this.state);
  }
}
