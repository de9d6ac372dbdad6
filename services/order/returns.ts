import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '../../lib/http/errors';
import type { Outcome } from '../../lib/http/idempotency';
import { orderInclude, returnInclude, type OrderTx, type ReturnRow } from './db';
import {
  RETURN_CLOSING,
  RETURN_TRANSITIONS,
  type LabelStatus,
  type RequestReturnInput,
  type ReturnStatus,
  type ReturnStatusInput,
  type ReturnView,
  type VoidLabelResult,
} from './return-schemas';

/** Order statuses whose units can be returned: the order was paid for and fulfilled. */
const RETURNABLE: readonly string[] = ['CONFIRMED', 'SHIPPED'];

export function returnView(row: ReturnRow): ReturnView {
  return {
    returnId: row.id,
    orderId: row.orderId,
    status: row.status as ReturnStatus,
    reason: row.reason,
    refundMinor: row.refundMinor,
    currency: row.currency,
    items: row.items.map(({ sku, quantity, unitPriceMinor }) => ({ sku, quantity, unitPriceMinor })),
    label: row.trackingNumber ? { trackingNumber: row.trackingNumber, status: row.labelStatus as LabelStatus } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const load = (tx: OrderTx, returnId: string) =>
  tx.return.findUnique({ where: { id: returnId }, include: returnInclude });

const sameLines = (row: ReturnRow, input: RequestReturnInput) => {
  const lines = [...input.items].sort((a, b) => (a.sku < b.sku ? -1 : 1));
  return (
    row.orderId === input.orderId &&
    row.items.length === lines.length &&
    row.items.every((item, i) => item.sku === lines[i]?.sku && item.quantity === lines[i]?.quantity)
  );
};

const closed = (returnId: string, status: string) =>
  conflict('RETURN_CLOSED', `Return ${returnId} was ${status}`, { returnId, status });

/**
 * Requests a return of some units of a CONFIRMED or SHIPPED order, priced at what the order charged. The units of
 * all the order's returns that are not closed never exceed what was ordered (the route locks the order, so two
 * returns of the same units cannot both pass). The same request again answers 200 with the existing return.
 */
export async function requestReturn(tx: OrderTx, input: RequestReturnInput): Promise<Outcome> {
  const existing = await load(tx, input.returnId);
  if (existing) {
    if (!sameLines(existing, input)) {
      throw conflict('RETURN_EXISTS', `Return ${input.returnId} already exists with different content`, {
        returnId: input.returnId,
      });
    }
    return { status: 200, body: returnView(existing) };
  }
  const tombstone = await tx.returnTombstone.findUnique({ where: { returnId: input.returnId } });
  if (tombstone) throw closed(input.returnId, tombstone.status);
  const order = await tx.order.findUnique({ where: { id: input.orderId }, include: orderInclude });
  if (!order) throw notFound(`No order ${input.orderId}`, { orderId: input.orderId });
  if (!RETURNABLE.includes(order.status)) {
    throw conflict('RETURN_NOT_ALLOWED', `Order ${order.id} is ${order.status}; only a fulfilled order takes returns`, {
      orderId: order.id,
      status: order.status,
    });
  }
  const others = await tx.return.findMany({
    where: { orderId: order.id, status: { notIn: [...RETURN_CLOSING] } },
    include: returnInclude,
  });
  const items = [...input.items]
    .sort((a, b) => (a.sku < b.sku ? -1 : 1))
    .map(({ sku, quantity }) => {
      const line = order.items.find((item) => item.sku === sku);
      const returned = others.flatMap((r) => r.items).reduce((sum, i) => sum + (i.sku === sku ? i.quantity : 0), 0);
      const returnable = (line?.quantity ?? 0) - returned;
      if (quantity > returnable) {
        throw conflict(
          'RETURN_EXCEEDS_ORDER',
          `Order ${order.id} has ${returnable} returnable units of ${sku}, not ${quantity}`,
          { sku, requested: quantity, ordered: line?.quantity ?? 0, returned },
        );
      }
      return { sku, quantity, unitPriceMinor: line!.unitPriceMinor };
    });
  const created = await tx.return.create({
    data: {
      id: input.returnId,
      orderId: order.id,
      status: 'REQUESTED',
      reason: input.reason ?? null,
      currency: order.currency,
      refundMinor: items.reduce((sum, item) => sum + item.quantity * item.unitPriceMinor, 0),
      items: { create: items },
    },
    include: returnInclude,
  });
  return { status: 201, body: returnView(created) };
}

/** Issues the carrier label of a REQUESTED return (LABEL_CREATED); idempotent once issued. */
export async function createLabel(tx: OrderTx, returnId: string): Promise<Outcome> {
  for (;;) {
    const row = await load(tx, returnId);
    if (!row) throw notFound(`No return ${returnId}`, { returnId });
    if ((RETURN_CLOSING as readonly string[]).includes(row.status)) throw closed(returnId, row.status);
    if (row.status === 'REQUESTED') {
      const { count } = await tx.return.updateMany({
        where: { id: returnId, status: 'REQUESTED' },
        data: {
          status: 'LABEL_CREATED',
          trackingNumber: `TRK${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`,
          labelStatus: 'ISSUED',
        },
      });
      if (count === 0) continue;
    }
    return { status: 200, body: returnView((await load(tx, returnId))!) };
  }
}

/** Compensation of createLabel: voids an issued label; safe when none was issued, and when the parcel came. */
export async function voidLabel(tx: OrderTx, returnId: string): Promise<Outcome> {
  const answer = (outcome: VoidLabelResult['outcome']) => ({
    status: 200,
    body: { returnId, outcome } satisfies VoidLabelResult,
  });
  for (;;) {
    const row = await load(tx, returnId);
    if (!row?.labelStatus) return answer('NONE');
    if (row.labelStatus !== 'ISSUED') return answer(row.labelStatus as 'VOIDED' | 'USED');
    const { count } = await tx.return.updateMany({
      where: { id: returnId, status: row.status, labelStatus: 'ISSUED' },
      data: { labelStatus: 'VOIDED' },
    });
    if (count === 0) continue;
    return answer('VOIDED');
  }
}

/**
 * Moves a return along its state machine (RECEIVED also marks its label USED, a closing status VOIDS it). Closing an unknown return (the
 * saga compensating a request whose outcome it does not know) is 404 and leaves a tombstone, so that the request,
 * should it still arrive, is refused.
 */
export async function setReturnStatus(tx: OrderTx, returnId: string, input: ReturnStatusInput): Promise<Outcome> {
  const closing = (RETURN_CLOSING as readonly string[]).includes(input.status);
  for (;;) {
    const row = await load(tx, returnId);
    if (!row) {
      const missing = notFound(`No return ${returnId}`, { returnId });
      if (!closing) throw missing;
      if (!(await tx.returnTombstone.findUnique({ where: { returnId } }))) {
        await tx.returnTombstone.create({ data: { returnId, status: input.status, reason: input.reason ?? null } });
      }
      return { status: 404, body: missing.toBody() };
    }
    const from = row.status as ReturnStatus;
    if (from === input.status) return { status: 200, body: returnView(row) };
    if (!RETURN_TRANSITIONS[from].includes(input.status)) {
      throw conflict('ILLEGAL_TRANSITION', `A return cannot go from ${from} to ${input.status}`, {
        from,
        to: input.status,
      });
    }
    // A return that closes takes its issued label with it: a label whose transaction committed after the saga's
    // voidLabel had answered NONE (it read the return before the commit) would stay usable on a closed return.
    const label =
      row.labelStatus === 'ISSUED' ? (input.status === 'RECEIVED' ? 'USED' : closing ? 'VOIDED' : null) : null;
    const { count } = await tx.return.updateMany({
      where: { id: returnId, status: from, labelStatus: row.labelStatus },
      data: { status: input.status, ...(label ? { labelStatus: label } : {}) },
    });
    if (count === 0) continue;
    return { status: 200, body: returnView((await load(tx, returnId))!) };
  }
}
