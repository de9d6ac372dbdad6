import type { Duration } from '@temporalio/common';
import type { CreatedOrder, OrderItem } from '../../activities/types';
import type { SagaState } from '../saga/state';

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
  /** How long a manual approval may take before the order is compensated (default 24 hours). */
  approvalTimeout?: Duration;
  /** How long the payment may take from authorization to capture (default 30 minutes). */
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
}

export interface ApprovalRecord {
  approved: boolean;
  by: string;
  reason?: string;
  at: number;
}

export interface OrderContext {
  input: OrderInput;
  order?: CreatedOrder;
  approval?: ApprovalRecord;
}

export interface OrderResult {
  orderId: string;
  state: SagaState;
  order?: CreatedOrder;
  approval?: ApprovalRecord;
}

export const ORDER_DEFAULTS = {
  approvalThresholdMinor: 100_000,
  approvalTimeout: '24 hours',
  paymentDeadline: '30 minutes',
} as const;
