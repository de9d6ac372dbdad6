import { z } from 'zod';

/** Identifiers the saga passes around (order ids are workflow-chosen strings). */
export const orderIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

export const customerIdSchema = orderIdSchema;

export const skuSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and . _ - only');

/** ISO 4217 code, upper case. */
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'a 3-letter ISO 4217 code in upper case');

/** Amounts are integers in minor units (cents); bounded to stay far below 2^31 in sums. */
export const amountMinorSchema = z.int().min(1).max(100_000_000);

export const quantitySchema = z.int().min(1).max(10_000);

/**
 * Each sku at most once in an order's lines (order the quantity once instead), for `.superRefine` on an array of
 * lines: the service bodies (orderLinesSchema) and the API's POST /orders share this one definition. Each repeat
 * is an issue at its own line (`<index>.sku` under the array) naming, without echoing the sku, the item it repeats.
 */
export function eachSkuOnce(items: readonly { sku: string }[], ctx: z.RefinementCtx): void {
  const firstLine = new Map<string, number>();
  items.forEach(({ sku }, index) => {
    const first = firstLine.get(sku);
    if (first === undefined) firstLine.set(sku, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: [index, 'sku'],
        message: `duplicate sku: the same as item ${first}; each sku at most once (order its total quantity once)`,
      });
  });
}

export const orderLinesSchema = z
  .array(z.strictObject({ sku: skuSchema, quantity: quantitySchema }))
  .min(1)
  .max(100)
  .superRefine(eachSkuOnce);

export type OrderLine = z.infer<typeof orderLinesSchema>[number];

export const orderIdParams = z.strictObject({ orderId: orderIdSchema });
