import type { Duration } from '@temporalio/common';
import type { CreatedOrder, OrderItem } from '../../activities/types';
import type { SagaRestartInput, SagaState } from '@sagaflow/saga';
import type { ApprovalRecord } from '../shared/approval';
import type { StepExecution } from '../shared/step-execution';

/**
 * `every-step`: every change of OrderStatus, SagaStep, OrderTotal or CustomerId is upserted at once (about 10
 * upserts on a happy path). `on-status-change`: search attributes are upserted only when OrderStatus changes,
 * all that changed in one upsert, starting from the ones the saga was started with (one upsert on a happy path
 * when the starter sets CustomerId and OrderStatus, as the API does); the current step is always in the Query
 * and the current details.
 */
export type PublishMode = 'every-step' | 'on-status-change';

export interface OrderInput {
  orderId: string;
  customerId: string;
  currency: string;
  items: OrderItem[];
  paymentMethod: string;
  /** Orders whose total reaches this (minor units) wait for manual approval. */
  approvalThresholdMinor?: number;
  /** How long a manual approval may take before the order is compensated (the API's APPROVAL_TIMEOUT). */
  approvalTimeout?: Duration;
  /** How long the payment may take from authorization to capture (the API's PAYMENT_DEADLINE). */
  paymentDeadline?: Duration;
  /**
   * When the saga updates its search attributes (see workflows/order/publish.ts). Absent: `every-step`.
   * Part of the input so that changing it never changes the commands of a running saga.
   */
  publishMode?: PublishMode;
  /**
   * @deprecated Sagas started before `publishMode` existed: `false` upserts SagaStep only along with OrderStatus
   * (OrderTotal and CustomerId whenever they change). Kept so that their histories replay; use `publishMode`.
   */
  publishSteps?: boolean;
  /** How the saga's service calls run (workflows/shared/step-execution.ts). Absent: `remote`. */
  stepExecution?: StepExecution;
  /** This run restarts an earlier one (the restart Update continued it as new): its request, checkpoint and context. */
  restart?: SagaRestartInput<OrderContext>;
}

export type { ApprovalRecord } from '../shared/approval';

export interface OrderContext {
  input: ResolvedOrderInput;
  order?: CreatedOrder;
  approval?: ApprovalRecord;
}

/** What the saga keeps in its memo (publish.ts), so describe() answers its state without a worker. */
export interface OrderStateMemo {
  state: SagaState;
  approval?: ApprovalRecord;
}

export interface OrderResult {
  orderId: string;
  state: SagaState;
  order?: CreatedOrder;
  approval?: ApprovalRecord;
}

/**
 * What a saga started without `approvalThresholdMinor`, `approvalTimeout` or `paymentDeadline` uses: resolved once
 * into the saga's input when it starts (`resolveOrderInput`). Frozen: sagas started before the API put these in
 * every input rely on these values while they run and replay, so editing them would change sagas already running.
 * New defaults belong in the starter's configuration (the API's APPROVAL_THRESHOLD_MINOR, APPROVAL_TIMEOUT,
 * PAYMENT_DEADLINE), which puts them in each new saga's input.
 */
export const FROZEN_INPUT_DEFAULTS = Object.freeze({
  approvalThresholdMinor: 100_000,
  approvalTimeout: '24 hours',
  paymentDeadline: '30 minutes',
} as const);

export type ResolvedOrderInput = OrderInput & Required<Pick<OrderInput, keyof typeof FROZEN_INPUT_DEFAULTS>>;

/** The input with every default resolved, once, at the start of the saga. */
export function resolveOrderInput(input: OrderInput): ResolvedOrderInput {
  return {
    ...input,
    approvalThresholdMinor: input.approvalThresholdMinor ?? FROZEN_INPUT_DEFAULTS.approvalThresholdMinor,
    approvalTimeout: input.approvalTimeout ?? FROZEN_INPUT_DEFAULTS.approvalTimeout,
    paymentDeadline: input.paymentDeadline ?? FROZEN_INPUT_DEFAULTS.paymentDeadline,
  };
}
