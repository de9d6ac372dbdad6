import { z } from 'zod';
import { amountMinorSchema, currencySchema, customerIdSchema, orderIdSchema } from '../shared/schemas';

/**
 * Test payment methods: each token drives the saga down one path.
 * tok_ok approves; tok_declined is 409 PAYMENT_DECLINED; tok_insufficient_funds is 409 INSUFFICIENT_FUNDS;
 * tok_slow approves after PAYMENT_SLOW_MS; tok_flaky answers 503 to the first PAYMENT_FLAKY_FAILURES attempts
 * per order, then approves.
 */
export const PAYMENT_METHODS = ['tok_ok', 'tok_declined', 'tok_insufficient_funds', 'tok_slow', 'tok_flaky'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const paymentMethodSchema = z.enum(PAYMENT_METHODS);

export const authorizeBody = z.strictObject({
  orderId: orderIdSchema,
  customerId: customerIdSchema,
  amountMinor: amountMinorSchema,
  currency: currencySchema,
  paymentMethod: paymentMethodSchema,
});
export type AuthorizeInput = z.infer<typeof authorizeBody>;

export const refundBody = z.strictObject({
  amountMinor: amountMinorSchema,
  /** What the refund is for (e.g. `return:<returnId>`): one refund per payment and reference, whatever the key. */
  reference: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional(),
});

export const emptyBody = z.strictObject({}).optional();

export type PaymentStatus = 'AUTHORIZED' | 'CAPTURED' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED';

export interface PaymentView {
  paymentId: string;
  orderId: string;
  customerId: string;
  status: PaymentStatus;
  currency: string;
  paymentMethod: string;
  authorizedMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  ledger: { kind: string; amountMinor: number; currency: string; reference?: string; createdAt: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface CancelResult {
  orderId: string;
  /** VOIDED an authorization, REFUNDED a capture (what was left of it), NONE: there was no payment. */
  outcome: 'VOIDED' | 'REFUNDED' | 'NONE';
}

export interface LedgerSummary {
  currencies: {
    currency: string;
    authorizedMinor: number;
    capturedMinor: number;
    voidedMinor: number;
    refundedMinor: number;
    /** captured - refunded: money kept. */
    netMinor: number;
  }[];
}
