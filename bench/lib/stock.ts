import { migrate } from '../../lib/db/migrate';
import { parseDatabaseUrl } from '../../lib/db/url';
import { DEMO_CATALOGUE } from '../../prisma/catalogue';
import { inventoryMigrations, openInventoryDb } from '../../services/inventory/db';
import { seedInventory } from '../../services/inventory/seed';

/** The SKUs the bench orders spread over (one unit each): the demo catalogue's in-stock products. */
export const BENCH_SKUS = DEMO_CATALOGUE.filter((product) => product.stock > 0).map((product) => product.sku);

/**
 * Creates the inventory database of a fresh (throwaway) stack before it starts (a SQLite file, or the cluster's
 * PostgreSQL database), seeded with
 * `stock` units of every in-stock demo product instead of the demo's 100. The inventory service's own seed keeps
 * the counters of products that exist (it only refreshes names and prices), so the stock survives its start.
 * Nothing in services/ changes: this is the service's migrator and seed, run by the bench with another number.
 */
export async function prepareInventory(databaseUrl: string, stock: number): Promise<void> {
  const target = parseDatabaseUrl(databaseUrl);
  await migrate({ target, migrationsDir: inventoryMigrations(target.provider) });
  const db = openInventoryDb(target);
  try {
    await seedInventory(
      db,
      DEMO_CATALOGUE.map((product) => ({ ...product, stock: product.stock > 0 ? stock : 0 })),
    );
  } finally {
    await db.close();
  }
}
