import type { OrderActivities } from '../../activities/types';

/** The order saga's activities with plausible answers and no I/O: what the bench's engine modes call. */
export function noopOrderActivities(): OrderActivities {
  return {
    createOrder: async ({ orderId, currency }) => ({ orderId, totalMinor: 2_450, currency }),
    setOrderStatus: async () => undefined,
    closeOrder: async () => undefined,
    reserveInventory: async ({ orderId }) => ({ reservationId: `res_${orderId}` }),
    releaseInventory: async () => ({ released: true }),
    commitInventory: async () => undefined,
    authorizePayment: async ({ orderId }) => ({ paymentId: `pay_${orderId}` }),
    capturePayment: async () => undefined,
    cancelPayment: async () => ({ outcome: 'NONE' as const }),
  };
}
