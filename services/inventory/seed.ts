import { DEMO_CATALOGUE } from '../../prisma/catalogue';
import type { InventoryDb } from './db';

/**
 * Seeds the demo catalogue's products with their initial stock. Idempotent: existing products keep their stock
 * counters (only name and price are refreshed), so a restart never resets what was reserved or sold.
 */
export async function seedInventory(db: InventoryDb, catalogue = DEMO_CATALOGUE): Promise<void> {
  for (const { sku, name, priceMinor, currency, stock } of catalogue) {
    await db.client.product.upsert({
      where: { sku },
      create: { sku, name, priceMinor, currency, totalStock: stock, available: stock },
      update: { name, priceMinor, currency },
    });
  }
}
