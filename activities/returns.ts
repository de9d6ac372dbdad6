import { ApplicationFailure } from '@temporalio/activity';
import type { ReturnActivities } from './return-types';
import { serviceCall } from './service-call';
import type { ServiceClients } from './service-clients';

/** The payment service's reference of a return's refund: one refund per payment and return. */
export const refundReference = (returnId: string) => `return:${returnId}`;

/** The returns saga's activities: each is one idempotent call to the service that owns the data. */
export function createReturnActivities({ inventory, payment, order }: ServiceClients): ReturnActivities {
  return {
    async requestReturn({ idempotencyKey, returnId, orderId, items, reason }) {
      const requested = await serviceCall(idempotencyKey, (call) =>
        order.requestReturn({ returnId, orderId, items, ...(reason ? { reason } : {}) }, call),
      );
      // As for orders: every saga run requests its return under keys of its own, so one already there is another's.
      if (!requested.created) {
        throw ApplicationFailure.nonRetryable(
          `return ${returnId} already exists from an earlier saga under the same return id`,
          'RETURN_ID_REUSED',
        );
      }
      return { returnId, refundMinor: requested.refundMinor, currency: requested.currency };
    },

    async closeReturn({ idempotencyKey, returnId, status, reason }) {
      try {
        await serviceCall(idempotencyKey, (call) => order.setReturnStatus(returnId, { status, reason }, call));
      } catch (err) {
        // The return was never requested (requestReturn failed before its effect): nothing to close.
        if (err instanceof ApplicationFailure && err.type === 'NOT_FOUND') return;
        throw err;
      }
    },

    async createReturnLabel({ idempotencyKey, returnId }) {
      const label = await serviceCall(idempotencyKey, (call) => order.createLabel(returnId, call));
      return { trackingNumber: label.label!.trackingNumber };
    },

    async voidReturnLabel({ idempotencyKey, returnId }) {
      return { outcome: (await serviceCall(idempotencyKey, (call) => order.voidLabel(returnId, call))).outcome };
    },

    async setReturnStatus({ idempotencyKey, returnId, status }) {
      await serviceCall(idempotencyKey, (call) => order.setReturnStatus(returnId, { status }, call));
    },

    async restockReturn({ idempotencyKey, returnId, orderId, items }) {
      await serviceCall(idempotencyKey, (call) => inventory.restock({ returnId, orderId, items }, call));
    },

    async refundReturn({ idempotencyKey, returnId, orderId, amountMinor }) {
      // One refund per return at the payment service, whatever the key: a retry or restart can never refund twice.
      const refunded = await serviceCall(idempotencyKey, (call) =>
        payment.refund(orderId, amountMinor, call, refundReference(returnId)),
      );
      return { refundedMinor: refunded.refundedMinor };
    },
  };
}
