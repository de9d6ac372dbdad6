/**
 * The demo catalogue, seeded into both the inventory (stock) and the order service (its own price list): each
 * service owns its copy, neither reads the other's tables.
 */
export interface CatalogueProduct {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
  /** Initial stock in the inventory service. */
  stock: number;
}

export const DEMO_CATALOGUE: readonly CatalogueProduct[] = [
  { sku: 'SKU-1', name: 'Espresso beans 1 kg', priceMinor: 2_450, currency: 'EUR', stock: 100 },
  { sku: 'SKU-2', name: 'Ceramic mug', priceMinor: 1_200, currency: 'EUR', stock: 100 },
  { sku: 'SKU-3', name: 'Pour-over kettle', priceMinor: 5_990, currency: 'EUR', stock: 100 },
  { sku: 'SKU-4', name: 'Burr grinder', priceMinor: 12_900, currency: 'EUR', stock: 100 },
  { sku: 'SKU-5', name: 'Paper filters (100)', priceMinor: 450, currency: 'EUR', stock: 100 },
  { sku: 'SKU-6', name: 'Milk frother', priceMinor: 3_499, currency: 'EUR', stock: 100 },
  { sku: 'SKU-SOLDOUT', name: 'Limited edition cup (sold out)', priceMinor: 9_900, currency: 'EUR', stock: 0 },
];
