import { z } from 'zod';
import { currencySchema, customerIdSchema, orderIdSchema, orderLinesSchema } from '../shared/schemas';
import { ORDER_STATUSES, type OrderStatus } from './state-machine';

export const createOrderBody = z.strictObject({
  orderId: orderIdSchema,
  customerId: customerIdSchema,
  currency: currencySchema,
  items: orderLinesSchema,
});
export type CreateOrderInput = z.infer<typeof createOrderBody>;

export const setStatusBody = z.strictObject({
  status: z.enum(ORDER_STATUSES),
  reason: z.string().max(500).optional(),
});
export type SetStatusInput = z.infer<typeof setStatusBody>;

export const listQuery = z.strictObject({
  customerId: customerIdSchema.optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface OrderView {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  currency: string;
  items: { sku: string; quantity: number; unitPriceMinor: number; lineTotalMinor: number }[];
  totalMinor: number;
  history: { from: OrderStatus | null; to: OrderStatus; reason: string | null; at: string }[];
  createdAt: string;
  updatedAt: string;
}
