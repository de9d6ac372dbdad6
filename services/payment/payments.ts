import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '../../lib/http/errors';
import type { Outcome } from '../../lib/http/idempotency';
import { issuerDecision } from './behaviours';
import { paymentInclude, type LedgerKind, type LedgerRow, type PaymentRow, type PaymentTx } from './db';
import type { AuthorizeInput, CancelResult, PaymentStatus, PaymentView } from './schemas';

export function paymentView(row: PaymentRow): PaymentView {
  return {
    paymentId: row.id,
    orderId: row.orderId,
    customerId: row.customerId,
    status: row.status as PaymentStatus,
    currency: row.currency,
    paymentMethod: row.paymentMethod,
    authorizedMinor: row.authorizedMinor,
    capturedMinor: row.capturedMinor,
    refundedMinor: row.refundedMinor,
    ledger: row.ledger.map(({ kind, amountMinor, currency, reference, createdAt }) => ({
      kind,
      amountMinor,
      currency,
      ...(reference === null ? {} : { reference }),
      createdAt: createdAt.toISOString(),
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const cancelled = (orderId: string) =>
  conflict('PAYMENT_CANCELLED', `The payment of order ${orderId} was cancelled`, { orderId });

const load = (tx: PaymentTx, orderId: string) => tx.payment.findUnique({ where: { orderId }, include: paymentInclude });

function ledger(
  tx: PaymentTx,
  payment: PaymentRow,
  kind: LedgerKind,
  amountMinor: number,
  reference?: string,
): PromiseLike<LedgerRow> {
  return tx.ledgerEntry.create({
    data: {
      paymentId: payment.id,
      orderId: payment.orderId,
      kind,
      amountMinor,
      currency: payment.currency,
      ...(reference === undefined ? {} : { reference }),
    },
  });
}

/**
 * The payment as it stands after a change this transaction just made: built from the rows in hand (the payment
 * read before, the changed fields, the ledger entry just written) rather than read again.
 */
const changed = (payment: PaymentRow, fields: Partial<PaymentRow> & { updatedAt: Date }, entry: LedgerRow) =>
  paymentView({ ...payment, ...fields, ledger: [...payment.ledger, entry] });

/** One payment per order. The same authorization again (another key) answers 200 with the existing payment. */
export async function authorize(tx: PaymentTx, input: AuthorizeInput): Promise<Outcome> {
  if (await tx.paymentTombstone.findUnique({ where: { orderId: input.orderId } })) throw cancelled(input.orderId);
  const existing = await load(tx, input.orderId);
  if (existing) {
    if (existing.status === 'VOIDED' || existing.status === 'REFUNDED') throw cancelled(input.orderId);
    const same =
      existing.customerId === input.customerId &&
      existing.authorizedMinor === input.amountMinor &&
      existing.currency === input.currency &&
      existing.paymentMethod === input.paymentMethod;
    if (!same) {
      throw conflict('PAYMENT_EXISTS', `Order ${input.orderId} already has a different payment`, {
        orderId: input.orderId,
      });
    }
    return { status: 200, body: paymentView(existing) };
  }
  issuerDecision(input);
  const created = await tx.payment.create({
    data: {
      id: `pay_${randomUUID()}`,
      orderId: input.orderId,
      customerId: input.customerId,
      currency: input.currency,
      paymentMethod: input.paymentMethod,
      status: 'AUTHORIZED',
      authorizedMinor: input.amountMinor,
      ledger: {
        create: { kind: 'AUTHORIZE', amountMinor: input.amountMinor, currency: input.currency, orderId: input.orderId },
      },
    },
    include: paymentInclude,
  });
  return { status: 201, body: paymentView(created) };
}

/** Captures the whole authorization. Idempotent once captured; a cancelled payment is 409 PAYMENT_CANCELLED. */
export async function capture(tx: PaymentTx, orderId: string): Promise<Outcome> {
  for (;;) {
    const payment = await load(tx, orderId);
    if (!payment) throw notFound(`No payment for order ${orderId}`, { orderId });
    if (payment.status === 'VOIDED' || payment.status === 'REFUNDED') throw cancelled(orderId);
    if (payment.status !== 'AUTHORIZED') return { status: 200, body: paymentView(payment) };
    const capturedAt = { status: 'CAPTURED', capturedMinor: payment.authorizedMinor, updatedAt: new Date() };
    const { count } = await tx.payment.updateMany({
      where: { id: payment.id, status: 'AUTHORIZED' },
      data: capturedAt,
    });
    if (count === 0) continue;
    const entry = await ledger(tx, payment, 'CAPTURE', payment.authorizedMinor);
    return { status: 200, body: changed(payment, capturedAt, entry) };
  }
}

/**
 * Compensation of the payment steps: voids an authorization, refunds what is left of a capture, and answers
 * NONE when there is no payment, leaving a tombstone so that a late authorization for the order is refused.
 */
export async function cancel(tx: PaymentTx, orderId: string): Promise<Outcome> {
  const answer = (outcome: CancelResult['outcome']) => ({
    status: 200,
    body: { orderId, outcome } satisfies CancelResult,
  });
  for (;;) {
    const payment = await load(tx, orderId);
    if (!payment) {
      if (!(await tx.paymentTombstone.findUnique({ where: { orderId } }))) {
        await tx.paymentTombstone.create({ data: { orderId } });
      }
      return answer('NONE');
    }
    if (payment.status === 'VOIDED') return answer('VOIDED');
    if (payment.status === 'REFUNDED') return answer('REFUNDED');
    if (payment.status === 'AUTHORIZED') {
      const { count } = await tx.payment.updateMany({
        where: { id: payment.id, status: 'AUTHORIZED' },
        data: { status: 'VOIDED' },
      });
      if (count === 0) continue;
      await ledger(tx, payment, 'VOID', payment.authorizedMinor);
      return answer('VOIDED');
    }
    const remaining = payment.capturedMinor - payment.refundedMinor;
    const { count } = await tx.payment.updateMany({
      where: { id: payment.id, status: payment.status, refundedMinor: payment.refundedMinor },
      data: { status: 'REFUNDED', refundedMinor: payment.capturedMinor },
    });
    if (count === 0) continue;
    if (remaining > 0) await ledger(tx, payment, 'REFUND', remaining);
    return answer('REFUNDED');
  }
}

/**
 * A partial (or full) refund of a capture; the refunds of a payment never add up to more than was captured. With a
 * `reference` (what the refund is for, e.g. a return) there is at most one refund per payment and reference: asked
 * again under any idempotency key it answers the payment as it is, and for another amount it is 409 REFUND_EXISTS.
 */
export async function refund(
  tx: PaymentTx,
  orderId: string,
  amountMinor: number,
  reference?: string,
): Promise<Outcome> {
  for (;;) {
    const payment = await load(tx, orderId);
    if (!payment) throw notFound(`No payment for order ${orderId}`, { orderId });
    const issued = reference === undefined ? undefined : payment.ledger.find((e) => e.reference === reference);
    if (issued) {
      if (issued.amountMinor !== amountMinor) {
        throw conflict(
          'REFUND_EXISTS',
          `Refund ${reference} of order ${orderId} was issued for ${issued.amountMinor}`,
          {
            reference,
            refundedMinor: issued.amountMinor,
            requestedMinor: amountMinor,
          },
        );
      }
      return { status: 200, body: paymentView(payment) };
    }
    const refunded = payment.refundedMinor + amountMinor;
    if (refunded > payment.capturedMinor) {
      throw conflict(
        'REFUND_EXCEEDS_CAPTURE',
        `Refunding ${amountMinor} would exceed the capture (${payment.capturedMinor} captured, ${payment.refundedMinor} refunded)`,
        { capturedMinor: payment.capturedMinor, refundedMinor: payment.refundedMinor, requestedMinor: amountMinor },
      );
    }
    const refundedAt = {
      status: refunded === payment.capturedMinor ? 'REFUNDED' : 'PARTIALLY_REFUNDED',
      refundedMinor: refunded,
      updatedAt: new Date(),
    };
    const { count } = await tx.payment.updateMany({
      where: { id: payment.id, status: payment.status, refundedMinor: payment.refundedMinor },
      data: refundedAt,
    });
    if (count === 0) continue;
    const entry = await ledger(tx, payment, 'REFUND', amountMinor, reference);
    return { status: 200, body: changed(payment, refundedAt, entry) };
  }
}
