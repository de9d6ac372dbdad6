import type { Duration } from '@temporalio/common';
import type { CreatedOrder, OrderItem } from '../../activities/types';
import type { SagaState } from '../saga/state';

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
   * Upsert the SagaStep search attribute at every step (true, the default) or only along with OrderStatus
   * changes (false: about a third of the upserts; the current step stays in the Query and the current details).
   * Part of the input so that changing it never changes the commands of a running saga.
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
