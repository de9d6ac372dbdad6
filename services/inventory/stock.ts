import type { InventoryTx, ProductRow } from './db';
import type { ProductView, StockStats } from './schemas';

export const productView = ({
  sku,
  name,
  priceMinor,
  currency,
  totalStock,
  available,
  reserved,
  committed,
}: ProductRow): ProductView => ({
  sku,
  name,
  priceMinor,
  currency,
  totalStock,
  available,
  reserved,
  committed,
});

/** The stock invariant per product, checked against the reservations (less restocked returns) themselves (for chaos tests and operators). */
export async function stockStats(db: InventoryTx): Promise<StockStats> {
  const [products, reservations, restocks] = await Promise.all([
    db.product.findMany({ orderBy: { sku: 'asc' } }),
    db.reservation.findMany({
      where: { status: { in: ['RESERVED', 'COMMITTED'] } },
      include: { items: { orderBy: { sku: 'asc' } } },
    }),
    db.restock.findMany({ where: { status: 'RESTOCKED' }, include: { items: { orderBy: { sku: 'asc' } } } }),
  ]);
  const sums = new Map<string, { RESERVED: number; COMMITTED: number }>();
  for (const reservation of reservations) {
    for (const item of reservation.items) {
      const sum = sums.get(item.sku) ?? { RESERVED: 0, COMMITTED: 0 };
      sum[reservation.status as 'RESERVED' | 'COMMITTED'] += item.quantity;
      sums.set(item.sku, sum);
    }
  }
  // Returned units back on sale are committed no more.
  for (const restock of restocks) {
    for (const item of restock.items) {
      const sum = sums.get(item.sku) ?? { RESERVED: 0, COMMITTED: 0 };
      sum.COMMITTED -= item.quantity;
      sums.set(item.sku, sum);
    }
  }
  const rows = products.map((product) => {
    const sum = sums.get(product.sku) ?? { RESERVED: 0, COMMITTED: 0 };
    const consistent =
      product.available >= 0 &&
      product.reserved >= 0 &&
      product.committed >= 0 &&
      product.available + product.reserved + product.committed === product.totalStock &&
      product.reserved === sum.RESERVED &&
      product.committed === sum.COMMITTED;
    return {
      ...productView(product),
      reservedByReservations: sum.RESERVED,
      committedByReservations: sum.COMMITTED,
      consistent,
    };
  });
  return { consistent: rows.every((row) => row.consistent), products: rows };
}
