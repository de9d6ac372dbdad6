import { ApplicationFailure } from '@temporalio/activity';
import type { OrderActivities } from './types';
import { serviceCall } from './service-call';
import type { ServiceClients } from './service-clients';

/** The order saga's activities: each is one idempotent call to the service that owns the data. */
export function createOrderActivities({ inventory, payment, order }: ServiceClients): OrderActivities {
  return {
    async createOrder({ idempotencyKey, orderId, customerId, currency, items }) {
      const created = await serviceCall(idempotencyKey, (call) =>
        order.create({ orderId, customerId, currency, items }, call),
      );
      // Every saga run creates its order under keys of its own: an order already there belongs to another run
      // of the same order id (its Idempotency-Key reused after the first saga's history was deleted).
      if (!created.created) {
        throw ApplicationFailure.nonRetryable(
          `order ${orderId} already exists from an earlier saga under the same order id; use a new Idempotency-Key`,
          'ORDER_ID_REUSED',
        );
      }
      return { orderId: created.orderId, totalMinor: created.totalMinor, currency: created.currency };
    },

    async setOrderStatus({ idempotencyKey, orderId, status, reason }) {
      await serviceCall(idempotencyKey, (call) => order.setStatus(orderId, { status, reason }, call));
    },

    async closeOrder({ idempotencyKey, orderId, status, reason }) {
      try {
        await serviceCall(idempotencyKey, (call) => order.setStatus(orderId, { status, reason }, call));
      } catch (err) {
        // The order was never created (createOrder failed before its effect): nothing to close.
        if (err instanceof ApplicationFailure && err.type === 'NOT_FOUND') return;
        throw err;
      }
    },

    async reserveInventory({ idempotencyKey, orderId, items }) {
      const reservation = await serviceCall(idempotencyKey, (call) => inventory.reserve({ orderId, items }, call));
      return { reservationId: reservation.reservationId };
    },

    async releaseInventory({ idempotencyKey, orderId }) {
      const result = await serviceCall(idempotencyKey, (call) => inventory.release(orderId, call));
      return { released: result.released };
    },

    async commitInventory({ idempotencyKey, orderId }) {
      await serviceCall(idempotencyKey, (call) => inventory.commit(orderId, call));
    },

    async authorizePayment({ idempotencyKey, orderId, customerId, amountMinor, currency, paymentMethod }) {
      const authorization = await serviceCall(idempotencyKey, (call) =>
        payment.authorize({ orderId, customerId, amountMinor, currency, paymentMethod }, call),
      );
      return { paymentId: authorization.paymentId };
    },

    async capturePayment({ idempotencyKey, orderId }) {
      await serviceCall(idempotencyKey, (call) => payment.capture(orderId, call));
    },

    async cancelPayment({ idempotencyKey, orderId }) {
      const result = await serviceCall(idempotencyKey, (call) => payment.cancel(orderId, call));
      return { outcome: result.outcome };
    },
  };
}
