import { createHmac } from 'node:crypto';
import { z } from 'zod';

const PREFIX = 'cref_';

/**
 * What the CustomerId search attribute holds. Search attributes are not encrypted (the server indexes them), so
 * with a key it is a keyed hash of the customer id: the API computes it to start and to filter orders, and nobody
 * who reads the Temporal database or UI learns the id. Without a key (development, encryption off) it is the id.
 */
export function customerSearchValue(customerId: string, key: Buffer | undefined): string {
  if (!key) return customerId;
  return PREFIX + createHmac('sha256', key).update(customerId).digest('hex').slice(0, 32);
}

/** Whether a CustomerId value is a keyed hash (and so not the customer id itself). */
export function isCustomerRef(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** CUSTOMER_REF_KEY: 32 bytes, base64. Unlike payload keys it never rotates: it would orphan every older order. */
export const customerRefKeySchema = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value === '') return undefined;
    const key = Buffer.from(value, 'base64');
    if (key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, base64 (openssl rand -base64 32)' });
      return z.NEVER;
    }
    return key;
  });
