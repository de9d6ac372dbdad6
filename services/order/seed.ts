import { DEMO_CATALOGUE } from '../../prisma/catalogue';
import type { OrderDb } from './db';

/** Seeds the order service's own price list from the demo catalogue (idempotent upserts). */
export async function seedCatalogue(db: OrderDb, catalogue = DEMO_CATALOGUE): Promise<void> {
  for (const { sku, name, priceMinor, currency } of catalogue) {
    await db.client.catalogueItem.upsert({
      where: { sku },
      create: { sku, name, priceMinor, currency },
      update: { name, priceMinor, currency },
    });
  }
}
