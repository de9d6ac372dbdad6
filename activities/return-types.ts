// Activity contracts of the returns saga. Workflows import these types only; activities/returns.ts implements them.
import type { OrderItem } from './types';

export interface ReturnKeyed {
  returnId: string;
  idempotencyKey: string;
}

export interface RequestReturnInput extends ReturnKeyed {
  orderId: string;
  items: OrderItem[];
  reason?: string;
}

export interface RequestedReturn {
  returnId: string;
  /** What the return refunds, priced by the order service at what the order charged. */
  refundMinor: number;
  currency: string;
}

export type ReturnClosing = 'CANCELLED' | 'REJECTED' | 'EXPIRED';

export interface ReturnActivities {
  requestReturn(input: RequestReturnInput): Promise<RequestedReturn>;
  /** Compensation of requestReturn: closes the return; a no-op when it does not exist. */
  closeReturn(input: ReturnKeyed & { status: ReturnClosing; reason: string }): Promise<void>;
  createReturnLabel(input: ReturnKeyed): Promise<{ trackingNumber: string }>;
  /** Compensation of createReturnLabel: safe when no label was issued, and once the parcel came with it. */
  voidReturnLabel(input: ReturnKeyed): Promise<{ outcome: 'VOIDED' | 'USED' | 'NONE' }>;
  setReturnStatus(input: ReturnKeyed & { status: 'RECEIVED' | 'REFUNDED' }): Promise<void>;
  restockReturn(input: ReturnKeyed & { orderId: string; items: OrderItem[] }): Promise<void>;
  /** A partial refund of the order's capture: the returned units' price. */
  refundReturn(input: ReturnKeyed & { orderId: string; amountMinor: number }): Promise<{ refundedMinor: number }>;
}
