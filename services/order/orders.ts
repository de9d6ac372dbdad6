import { conflict, notFound } from '../../lib/http/errors';
import type { Outcome } from '../../lib/http/idempotency';
import { orderInclude, type OrderRow, type OrderTx } from './db';
import type { CreateOrderInput, OrderView, SetStatusInput } from './schemas';
import { canTransition, type OrderStatus } from './state-machine';

export function orderView(row: OrderRow): OrderView {
  return {
    orderId: row.id,
    customerId: row.customerId,
    status: row.status as OrderStatus,
    currency: row.currency,
    items: row.items.map(({ sku, quantity, unitPriceMinor, lineTotalMinor }) => ({
      sku,
      quantity,
      unitPriceMinor,
      lineTotalMinor,
    })),
    totalMinor: row.totalMinor,
    history: row.history.map((h) => ({
      from: h.fromStatus as OrderStatus | null,
      to: h.toStatus as OrderStatus,
      reason: h.reason,
      at: h.createdAt.toISOString(),
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const load = (tx: OrderTx, orderId: string) => tx.order.findUnique({ where: { id: orderId }, include: orderInclude });

const sameOrder = (row: OrderRow, input: CreateOrderInput) => {
  const lines = [...input.items].sort((a, b) => (a.sku < b.sku ? -1 : 1));
  return (
    row.customerId === input.customerId &&
    row.currency === input.currency &&
    row.items.length === lines.length &&
    row.items.every((item, i) => item.sku === lines[i]?.sku && item.quantity === lines[i]?.quantity)
  );
};

/**
 * Creates a PENDING order priced from the service's own catalogue (never from the caller). The same order again
 * under another key answers 200 with the existing order; different content is 409 ORDER_EXISTS.
 */
export async function createOrder(tx: OrderTx, input: CreateOrderInput): Promise<Outcome> {
  const existing = await load(tx, input.orderId);
  if (existing) {
    if (!sameOrder(existing, input)) {
      throw conflict('ORDER_EXISTS', `Order ${input.orderId} already exists with different content`, {
        orderId: input.orderId,
      });
    }
    return { status: 200, body: orderView(existing) };
  }
  const tombstone = await tx.orderTombstone.findUnique({ where: { orderId: input.orderId } });
  if (tombstone) {
    throw conflict('ORDER_CLOSED', `Order ${input.orderId} was ${tombstone.status} before it was created`, {
      orderId: input.orderId,
      status: tombstone.status,
    });
  }
  const catalogue = await tx.catalogueItem.findMany({
    where: { sku: { in: input.items.map((i) => i.sku) } },
    orderBy: { sku: 'asc' },
  });
  const prices = new Map(catalogue.map((c) => [c.sku, c]));
  const items = [...input.items]
    .sort((a, b) => (a.sku < b.sku ? -1 : 1))
    .map(({ sku, quantity }) => {
      const product = prices.get(sku);
      if (!product) throw conflict('UNKNOWN_PRODUCT', `Unknown product ${sku}`, { sku });
      if (product.currency !== input.currency) {
        throw conflict('CURRENCY_MISMATCH', `${sku} is priced in ${product.currency}, not ${input.currency}`, {
          sku,
          currency: input.currency,
          expected: product.currency,
        });
      }
      return { sku, quantity, unitPriceMinor: product.priceMinor, lineTotalMinor: product.priceMinor * quantity };
    });
  const created = await tx.order.create({
    data: {
      id: input.orderId,
      customerId: input.customerId,
      currency: input.currency,
      status: 'PENDING',
      totalMinor: items.reduce((sum, item) => sum + item.lineTotalMinor, 0),
      items: { create: items },
      history: { create: { fromStatus: null, toStatus: 'PENDING' } },
    },
    include: orderInclude,
  });
  return { status: 201, body: orderView(created) };
}

/** Statuses that close an order: closing one that does not exist (yet) leaves a tombstone. */
const CLOSING: readonly string[] = ['CANCELLED', 'COMPENSATED'];

/**
 * Moves an order along the state machine, recording the change; the same status again is a no-op. Closing an
 * unknown order (the saga compensating a createOrder whose outcome it does not know) is 404, and leaves a
 * tombstone in the same transaction, so that the create, should it still arrive, is refused instead of leaving
 * an order nobody will ever close.
 */
export async function setStatus(tx: OrderTx, orderId: string, input: SetStatusInput): Promise<Outcome> {
  for (;;) {
    const order = await load(tx, orderId);
    if (!order) {
      const missing = notFound(`No order ${orderId}`, { orderId });
      if (!CLOSING.includes(input.status)) throw missing;
      if (!(await tx.orderTombstone.findUnique({ where: { orderId } }))) {
        await tx.orderTombstone.create({ data: { orderId, status: input.status, reason: input.reason ?? null } });
      }
      return { status: 404, body: missing.toBody() };
    }
    const from = order.status as OrderStatus;
    if (from === input.status) return { status: 200, body: orderView(order) };
    if (!canTransition(from, input.status)) {
      throw conflict('ILLEGAL_TRANSITION', `An order cannot go from ${from} to ${input.status}`, {
        from,
        to: input.status,
      });
    }
    // The answer is built from the rows in hand (the order read above, its new status and time, the change just
    // written) rather than read again: three queries fewer on every step of every saga.
    const updatedAt = new Date();
    const { count } = await tx.order.updateMany({
      where: { id: orderId, status: from },
      data: { status: input.status, updatedAt },
    });
    if (count === 0) continue;
    const change = await tx.statusChange.create({
      data: { orderId, fromStatus: from, toStatus: input.status, reason: input.reason ?? null },
    });
    return {
      status: 200,
      body: orderView({ ...order, status: input.status, updatedAt, history: [...order.history, change] }),
    };
  }
}
