import type { Duration } from '@temporalio/common';
import type { RequestedReturn } from '../../activities/return-types';
import type { OrderItem } from '../../activities/types';
import type { SagaRestartInput, SagaState } from '@sagaflow/saga';
import type { ApprovalRecord } from '../shared/approval';
import type { StepExecution } from '../shared/step-execution';

export interface ReturnInput {
  returnId: string;
  orderId: string;
  items: OrderItem[];
  reason?: string;
  /** Refunds of at least this (minor units) wait for an operator's approval before the label is issued. */
  approvalThresholdMinor: number;
  /** How long that approval may take before the return is closed. */
  approvalTimeout: Duration;
  /** How long the customer has to send the parcel once the label is issued; then the return EXPIRES. */
  parcelTimeout: Duration;
  /** How the saga's service calls run (workflows/shared/step-execution.ts). Absent: `remote`. */
  stepExecution?: StepExecution;
  /** This run restarts an earlier one (the restart Update continued it as new): its request, checkpoint and context. */
  restart?: SagaRestartInput<ReturnContext>;
}

/** The warehouse's word that the parcel is in (the parcelReceived Update). */
export interface ParcelReceipt {
  by: string;
  note?: string;
  at: number;
}

export interface ReturnContext {
  input: ReturnInput;
  requested?: RequestedReturn;
  trackingNumber?: string;
  parcel?: ParcelReceipt;
  approval?: ApprovalRecord;
}

/** What the return saga keeps in its memo (publish.ts), so describe() answers its state without a worker. */
export interface ReturnStateMemo {
  state: SagaState;
  refundMinor?: number;
  currency?: string;
  trackingNumber?: string;
  parcel?: ParcelReceipt;
  approval?: ApprovalRecord;
}

export interface ReturnResult extends ReturnStateMemo {
  returnId: string;
  orderId: string;
}
