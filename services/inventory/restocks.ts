import { randomUUID } from 'node:crypto';
import { conflict } from '../../lib/http/errors';
import type { Outcome } from '../../lib/http/idempotency';
import { reservationInclude, type InventoryTx, type RestockRow } from './db';
import type { RestockInput, RestockStatus, RestockView, ReverseRestockResult } from './schemas';

export function restockView(row: RestockRow): RestockView {
  return {
    restockId: row.id,
    returnId: row.returnId,
    orderId: row.orderId,
    status: row.status as RestockStatus,
    items: row.items.map(({ sku, quantity }) => ({ sku, quantity })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const load = (tx: InventoryTx, returnId: string) =>
  tx.restock.findUnique({ where: { returnId }, include: reservationInclude });

const reversed = (returnId: string) =>
  conflict('RESTOCK_REVERSED', `The restock of return ${returnId} was reversed`, { returnId });

/**
 * Puts the returned units of an order back on sale: committed → available, at most once per return, and never more
 * units of a sku than the order's committed reservation holds minus what its earlier returns restocked (the route
 * locks the order, so two returns of the same units cannot both pass).
 */
export async function restock(tx: InventoryTx, input: RestockInput): Promise<Outcome> {
  const lines = [...input.items].sort((a, b) => (a.sku < b.sku ? -1 : 1));
  const existing = await load(tx, input.returnId);
  if (existing) {
    if (existing.status === 'REVERSED') throw reversed(input.returnId);
    const same =
      existing.orderId === input.orderId &&
      existing.items.length === lines.length &&
      existing.items.every((item, i) => item.sku === lines[i]?.sku && item.quantity === lines[i]?.quantity);
    if (!same) {
      throw conflict('RESTOCK_EXISTS', `Return ${input.returnId} was restocked with other units`, {
        returnId: input.returnId,
      });
    }
    return { status: 200, body: restockView(existing) };
  }
  if (await tx.restockTombstone.findUnique({ where: { returnId: input.returnId } })) throw reversed(input.returnId);
  const reservation = await tx.reservation.findUnique({
    where: { orderId: input.orderId },
    include: reservationInclude,
  });
  const earlier = await tx.restock.findMany({
    where: { orderId: input.orderId, status: 'RESTOCKED' },
    include: reservationInclude,
  });
  for (const { sku, quantity } of lines) {
    const committed =
      reservation?.status === 'COMMITTED' ? (reservation.items.find((i) => i.sku === sku)?.quantity ?? 0) : 0;
    const restocked = earlier.flatMap((r) => r.items).reduce((sum, i) => sum + (i.sku === sku ? i.quantity : 0), 0);
    if (quantity > committed - restocked) {
      throw conflict(
        'RESTOCK_EXCEEDS_COMMITTED',
        `Order ${input.orderId} has ${committed - restocked} committed units of ${sku} left to restock, not ${quantity}`,
        { sku, requested: quantity, committed, restocked },
      );
    }
    const moved = await tx.product.updateMany({
      where: { sku, committed: { gte: quantity } },
      data: { committed: { decrement: quantity }, available: { increment: quantity } },
    });
    if (moved.count === 0) throw new Error(`stock of ${sku} holds fewer committed units than order ${input.orderId}`);
  }
  const created = await tx.restock.create({
    data: {
      id: `rst_${randomUUID()}`,
      returnId: input.returnId,
      orderId: input.orderId,
      status: 'RESTOCKED',
      items: { create: lines },
    },
    include: reservationInclude,
  });
  return { status: 201, body: restockView(created) };
}

/**
 * Compensation of restock: takes the units off sale again (available → committed). Safe when nothing was restocked
 * (a tombstone then refuses a late restock) and when already reversed; 409 RESTOCK_UNAVAILABLE when some of the
 * units were sold again meanwhile, which only an operator can settle.
 */
export async function reverseRestock(tx: InventoryTx, returnId: string): Promise<Outcome> {
  const answer = (outcome: ReverseRestockResult['outcome']) => ({
    status: 200,
    body: { returnId, outcome } satisfies ReverseRestockResult,
  });
  for (;;) {
    const row = await load(tx, returnId);
    if (!row) {
      if (!(await tx.restockTombstone.findUnique({ where: { returnId } }))) {
        await tx.restockTombstone.create({ data: { returnId } });
      }
      return answer('NONE');
    }
    if (row.status === 'REVERSED') return answer('REVERSED');
    const { count } = await tx.restock.updateMany({
      where: { id: row.id, status: 'RESTOCKED' },
      data: { status: 'REVERSED' },
    });
    if (count === 0) continue;
    for (const { sku, quantity } of row.items) {
      const taken = await tx.product.updateMany({
        where: { sku, available: { gte: quantity } },
        data: { available: { decrement: quantity }, committed: { increment: quantity } },
      });
      // Throwing rolls back the whole transaction, the status change and the skus already moved included.
      if (taken.count === 0) {
        throw conflict('RESTOCK_UNAVAILABLE', `The restocked units of ${sku} were sold again`, { returnId, sku });
      }
    }
    return answer('REVERSED');
  }
}
