export const ORDER_STATUSES = [
  'PENDING',
  'RESERVED',
  'PAID',
  'CONFIRMED',
  'SHIPPED',
  'CANCELLED',
  'COMPENSATED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The legal moves of an order; anything else is 409 ILLEGAL_TRANSITION (a move to the same status is a no-op). */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['RESERVED', 'CANCELLED', 'COMPENSATED'],
  RESERVED: ['PAID', 'CANCELLED', 'COMPENSATED'],
  PAID: ['CONFIRMED', 'CANCELLED', 'COMPENSATED'],
  CONFIRMED: ['SHIPPED'],
  SHIPPED: [],
  CANCELLED: [],
  COMPENSATED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
