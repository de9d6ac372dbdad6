import type { RequestHandler } from 'express';
import { correlate } from '../request-id';
import type { OrdersContext } from './common';
import { parseOrderId } from './common';
import { orderView } from './view';

/** GET /orders/:id — the saga state while it runs, the final state once closed; 404 ORDER_NOT_FOUND otherwise. */
export function getOrder(ctx: OrdersContext): RequestHandler {
  return async (req, res) => {
    const orderId = parseOrderId(req.params.id);
    correlate(req, orderId);
    res.json(await orderView(ctx, req, orderId));
  };
}
