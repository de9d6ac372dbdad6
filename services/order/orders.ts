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

/** Moves an order along the state machine, recording the change; the same status again is a no-op. */
export async function setStatus(tx: OrderTx, orderId: string, input: SetStatusInput): Promise<Outcome> {
  for (;;) {
    const order = await load(tx, orderId);
    if (!order) throw notFound(`No order ${orderId}`, { orderId });
    const from = order.status as OrderStatus;
    if (from === input.status) return { status: 200, body: orderView(order) };
    if (!canTransition(from, input.status)) {
      throw conflict('ILLEGAL_TRANSITION', `An order cannot go from ${from} to ${input.status}`, {
        from,
        to: input.status,
      });
    }
    const { count } = await tx.order.updateMany({
      where: { id: orderId, status: from },
      data: { status: input.status },
    });
    if (count === 0) continue;
    await tx.statusChange.create({
      data: { orderId, fromStatus: from, toStatus: input.status, reason: input.reason ?? null },
    });
    return { status: 200, body: orderView((await load(tx, orderId))!) };
  }
}
