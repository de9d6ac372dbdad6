import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '../../lib/http/errors';
import type { Outcome } from '../../lib/http/idempotency';
import type { OrderLine } from '../shared/schemas';
import { reservationInclude, type InventoryTx, type ReservationRow } from './db';
import type { CommitResult, ReleaseResult, ReservationStatus, ReservationView, ReserveInput } from './schemas';

export function reservationView(row: ReservationRow): ReservationView {
  return {
    reservationId: row.id,
    orderId: row.orderId,
    status: row.status as ReservationStatus,
    items: row.items.map(({ sku, quantity }) => ({ sku, quantity })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const sameLines = (a: OrderLine[], b: OrderLine[]) =>
  a.length === b.length && a.every((line, i) => line.sku === b[i]?.sku && line.quantity === b[i]?.quantity);

const bySku = (a: OrderLine, b: OrderLine) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

/**
 * All or nothing: each line is taken from stock with a conditional update (`available >= quantity`), so two
 * transactions can never both take the last units; lines go in sku order so concurrent reservations lock rows in
 * the same order. Any line that cannot be met throws, which rolls back the lines already taken.
 */
export async function reserve(tx: InventoryTx, input: ReserveInput): Promise<Outcome> {
  const lines = [...input.items].sort(bySku);
  const existing = await tx.reservation.findUnique({ where: { orderId: input.orderId }, include: reservationInclude });
  if (existing) {
    if (existing.status === 'RELEASED') {
      throw conflict('RESERVATION_RELEASED', `The reservation of order ${input.orderId} was released`, {
        orderId: input.orderId,
      });
    }
    if (!sameLines(existing.items, lines)) {
      throw conflict('RESERVATION_EXISTS', `Order ${input.orderId} already has a different reservation`, {
        orderId: input.orderId,
      });
    }
    return { status: 200, body: reservationView(existing) };
  }

  const products = await tx.product.findMany({
    where: { sku: { in: lines.map((l) => l.sku) } },
    orderBy: { sku: 'asc' },
  });
  const known = new Set(products.map((p) => p.sku));
  const unknown = lines.find((line) => !known.has(line.sku));
  if (unknown) throw conflict('UNKNOWN_PRODUCT', `Unknown product ${unknown.sku}`, { sku: unknown.sku });

  for (const { sku, quantity } of lines) {
    const { count } = await tx.product.updateMany({
      where: { sku, available: { gte: quantity } },
      data: { available: { decrement: quantity }, reserved: { increment: quantity } },
    });
    if (count === 0) {
      const available = (await tx.product.findUnique({ where: { sku } }))?.available ?? 0;
      throw conflict(
        'INSUFFICIENT_STOCK',
        `Insufficient stock for ${sku}: ${quantity} requested, ${available} available`,
        {
          sku,
          requested: quantity,
          available,
        },
      );
    }
  }
  const created = await tx.reservation.create({
    data: { id: `res_${randomUUID()}`, orderId: input.orderId, status: 'RESERVED', items: { create: lines } },
    include: reservationInclude,
  });
  return { status: 201, body: reservationView(created) };
}

/** Moves a RESERVED reservation to `to` (false when another transaction changed it first). */
async function transition(tx: InventoryTx, row: ReservationRow, to: ReservationStatus): Promise<boolean> {
  const { count } = await tx.reservation.updateMany({
    where: { id: row.id, status: 'RESERVED' },
    data: { status: to },
  });
  return count === 1;
}

/**
 * Compensation of reserve: puts the reserved units back. Safe when nothing was reserved (a RELEASED tombstone
 * then refuses a reserve that arrives late) and when already released; a committed reservation is 409.
 */
export async function release(tx: InventoryTx, orderId: string): Promise<Outcome> {
  for (;;) {
    const row = await tx.reservation.findUnique({ where: { orderId }, include: reservationInclude });
    if (!row) {
      await tx.reservation.create({
        data: { id: `res_${randomUUID()}`, orderId, status: 'RELEASED' },
        include: reservationInclude,
      });
      return { status: 200, body: { orderId, released: false, status: 'NONE' } satisfies ReleaseResult };
    }
    if (row.status === 'RELEASED') {
      return { status: 200, body: { orderId, released: false, status: 'RELEASED' } satisfies ReleaseResult };
    }
    if (row.status === 'COMMITTED') {
      throw conflict('ILLEGAL_TRANSITION', `The reservation of order ${orderId} is committed`, {
        from: 'COMMITTED',
        to: 'RELEASED',
      });
    }
    if (!(await transition(tx, row, 'RELEASED'))) continue;
    for (const { sku, quantity } of row.items) {
      await tx.product.updateMany({
        where: { sku },
        data: { reserved: { decrement: quantity }, available: { increment: quantity } },
      });
    }
    return { status: 200, body: { orderId, released: true, status: 'RELEASED' } satisfies ReleaseResult };
  }
}

/** Fulfillment consumes the reservation: reserved units become committed. Idempotent once committed. */
export async function commit(tx: InventoryTx, orderId: string): Promise<Outcome> {
  for (;;) {
    const row = await tx.reservation.findUnique({ where: { orderId }, include: reservationInclude });
    if (!row) throw notFound(`No reservation for order ${orderId}`, { orderId });
    if (row.status === 'RELEASED') {
      throw conflict('RESERVATION_RELEASED', `The reservation of order ${orderId} was released`, { orderId });
    }
    if (row.status === 'COMMITTED')
      return { status: 200, body: { orderId, status: 'COMMITTED' } satisfies CommitResult };
    if (!(await transition(tx, row, 'COMMITTED'))) continue;
    for (const { sku, quantity } of row.items) {
      await tx.product.updateMany({
        where: { sku },
        data: { reserved: { decrement: quantity }, committed: { increment: quantity } },
      });
    }
    return { status: 200, body: { orderId, status: 'COMMITTED' } satisfies CommitResult };
  }
}
