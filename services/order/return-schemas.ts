import { z } from 'zod';
import { orderIdSchema, orderLinesSchema } from '../shared/schemas';

export const RETURN_STATUSES = [
  'REQUESTED',
  'LABEL_CREATED',
  'RECEIVED',
  'REFUNDED',
  'CANCELLED',
  'REJECTED',
  'EXPIRED',
] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

/** Statuses that close a return before its parcel is in; its units count as not returned again. */
export const RETURN_CLOSING = ['CANCELLED', 'REJECTED', 'EXPIRED'] as const satisfies readonly ReturnStatus[];

/**
 * The moves of a return: the label route makes REQUESTED → LABEL_CREATED, the status route the others; anything
 * else is 409 ILLEGAL_TRANSITION (the same status again is a no-op).
 */
export const RETURN_TRANSITIONS: Readonly<Record<ReturnStatus, readonly ReturnStatus[]>> = {
  REQUESTED: [...RETURN_CLOSING],
  LABEL_CREATED: ['RECEIVED', ...RETURN_CLOSING],
  // The parcel is in: the customer is owed the refund, so the return no longer closes (closing it would free its
  // units for a second refundable return of the same parcel).
  RECEIVED: ['REFUNDED'],
  REFUNDED: [],
  CANCELLED: [],
  REJECTED: [],
  EXPIRED: [],
};

export const returnIdSchema = orderIdSchema;

export const requestReturnBody = z.strictObject({
  returnId: returnIdSchema,
  orderId: orderIdSchema,
  items: orderLinesSchema,
  reason: z.string().max(500).optional(),
});
export type RequestReturnInput = z.infer<typeof requestReturnBody>;

export const returnStatusBody = z.strictObject({
  status: z.enum(RETURN_STATUSES).exclude(['REQUESTED', 'LABEL_CREATED']),
  reason: z.string().max(500).optional(),
});
export type ReturnStatusInput = z.infer<typeof returnStatusBody>;

/** The label routes take no body: an empty JSON object at most. */
export const emptyBody = z.strictObject({}).optional();

export const returnIdParams = z.strictObject({ returnId: returnIdSchema });

export type LabelStatus = 'ISSUED' | 'VOIDED' | 'USED';

export interface ReturnView {
  returnId: string;
  orderId: string;
  status: ReturnStatus;
  reason: string | null;
  /** What the return refunds: the units at the prices the order charged. */
  refundMinor: number;
  currency: string;
  items: { sku: string; quantity: number; unitPriceMinor: number }[];
  label: { trackingNumber: string; status: LabelStatus } | null;
  createdAt: string;
  updatedAt: string;
}

export interface VoidLabelResult {
  returnId: string;
  /** VOIDED: the label can no longer be used; USED: the parcel already came with it; NONE: no label was issued. */
  outcome: 'VOIDED' | 'USED' | 'NONE';
}
