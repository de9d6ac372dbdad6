// Activity contracts of the order saga. Workflows import these types only; activities/order.ts implements them.

export interface OrderItem {
  sku: string;
  quantity: number;
}

/** Every activity that mutates a service carries the idempotency key the service deduplicates on. */
export interface Keyed {
  orderId: string;
  idempotencyKey: string;
}

export interface CreateOrderInput extends Keyed {
  customerId: string;
  currency: string;
  items: OrderItem[];
}

export interface CreatedOrder {
  orderId: string;
  totalMinor: number;
  currency: string;
}

export type OrderServiceStatus = 'RESERVED' | 'PAID' | 'CONFIRMED' | 'CANCELLED' | 'COMPENSATED';

export interface AuthorizePaymentInput extends Keyed {
  customerId: string;
  amountMinor: number;
  currency: string;
  paymentMethod: string;
}

export interface OrderActivities {
  createOrder(input: CreateOrderInput): Promise<CreatedOrder>;
  setOrderStatus(input: Keyed & { status: OrderServiceStatus; reason?: string }): Promise<void>;
  /** Compensation of createOrder: marks the order CANCELLED or COMPENSATED; a no-op when it does not exist. */
  closeOrder(input: Keyed & { status: 'CANCELLED' | 'COMPENSATED'; reason: string }): Promise<void>;
  reserveInventory(input: Keyed & { items: OrderItem[] }): Promise<{ reservationId: string }>;
  /** Compensation of reserveInventory: safe when nothing was reserved. */
  releaseInventory(input: Keyed): Promise<{ released: boolean }>;
  commitInventory(input: Keyed): Promise<void>;
  authorizePayment(input: AuthorizePaymentInput): Promise<{ paymentId: string }>;
  capturePayment(input: Keyed): Promise<void>;
  /** Compensation of the payment steps: voids an authorization or refunds a capture; safe when nothing exists. */
  cancelPayment(input: Keyed): Promise<{ outcome: 'VOIDED' | 'REFUNDED' | 'NONE' }>;
}
