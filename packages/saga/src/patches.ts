/** Patch ids: each guards a fix that changes the commands of a saga on the path it fixes (see docs/SAGAS.md). */
export const PATCHES = {
  /** A step that succeeds as its deadline fires has succeeded (before: the deadline's cancel spilled onto the next step). */
  deadlineSuccessWins: 'saga-deadline-success-wins',
  /** A step after the pivot that fails for good parks for an operator (before: the saga compensated, refunding). */
  forwardRecovery: 'saga-forward-recovery',
  /**
   * The order workflow's approve Update answers the state after the decision: approved, once the saga moved on
   * (RUNNING); rejected, once it settled, as cancel does (before: at once, still AWAITING_APPROVAL).
   */
  approveAnswersAfterDecision: 'order-approve-answers-after-decision',
  /**
   * The order saga's createOrder refused ORDER_CLOSED (the order was closed before it existed) has nothing to undo
   * (before: it compensated with closeOrder, which a close under the same key with another reason made park).
   */
  orderClosedNoEffect: 'order-closed-no-effect',
  /**
   * createOrder refused ORDER_EXISTS (and requestReturn RETURN_EXISTS): the order id (return id) was reused with
   * other content after retention, and the resource is the earlier saga's: nothing to undo (before: the new run
   * closed it).
   */
  orderExistsNoEffect: 'order-exists-no-effect',
  returnExistsNoEffect: 'return-exists-no-effect',
  /**
   * An operator's retry of a parked step keeps the step's key when its last failure left the effect unknown
   * (exhausted retries, a timeout, a deadline, a type in `keepKeyOn`), so a service that did apply it answers what
   * it did instead of doing it twice (before: every retry ran under a fresh key).
   */
  keepKeyWhenEffectMayStand: 'saga-keep-key-when-effect-may-stand',
  /**
   * The approve, cancel and parcelReceived Updates wait for their outcome non-cancellably, and a parcel taken in the
   * workflow task that cancels the workflow wins (before: the Update failed with "Workflow cancelled"; histories
   * recorded then, test/histories/return-legacy-parcel-and-cancel.json, replay the old path).
   */
  updateOutcomeNotCancellable: 'update-outcome-not-cancellable',
  /**
   * The steps of a group (`SagaStep.group`) run at once (before: one after another, as histories recorded before
   * groups were declared replay).
   */
  parallelGroups: 'saga-parallel-groups',
} as const;
