import { z } from 'zod';
import { orderIdSchema, orderLinesSchema, skuSchema } from '../shared/schemas';

export const reserveBody = z.strictObject({ orderId: orderIdSchema, items: orderLinesSchema });
export type ReserveInput = z.infer<typeof reserveBody>;

export const skuParams = z.strictObject({ sku: skuSchema });

/** release and commit take no body: an empty JSON object at most. */
export const emptyBody = z.strictObject({}).optional();

export type ReservationStatus = 'RESERVED' | 'RELEASED' | 'COMMITTED';

export interface ReservationView {
  reservationId: string;
  orderId: string;
  status: ReservationStatus;
  items: { sku: string; quantity: number }[];
  createdAt: string;
  updatedAt: string;
}

export interface ProductView {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
  totalStock: number;
  available: number;
  reserved: number;
  committed: number;
}

export interface ReleaseResult {
  orderId: string;
  released: boolean;
  /** NONE: there was no reservation (a tombstone now refuses a late reserve for this order). */
  status: 'NONE' | 'RELEASED';
}

export interface CommitResult {
  orderId: string;
  status: 'COMMITTED';
}

export interface StockStats {
  /** available + reserved + committed = totalStock and stock >= 0 for every product; counters match reservations. */
  consistent: boolean;
  products: (ProductView & { reservedByReservations: number; committedByReservations: number; consistent: boolean })[];
}

export const restockBody = z.strictObject({ returnId: orderIdSchema, orderId: orderIdSchema, items: orderLinesSchema });
export type RestockInput = z.infer<typeof restockBody>;

export const returnIdParams = z.strictObject({ returnId: orderIdSchema });

export type RestockStatus = 'RESTOCKED' | 'REVERSED';

export interface RestockView {
  restockId: string;
  returnId: string;
  orderId: string;
  status: RestockStatus;
  items: { sku: string; quantity: number }[];
  createdAt: string;
  updatedAt: string;
}

export interface ReverseRestockResult {
  returnId: string;
  /** REVERSED: the units are committed again; NONE: there was no restock (a tombstone refuses a late one). */
  outcome: 'REVERSED' | 'NONE';
}
