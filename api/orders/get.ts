import type { RequestHandler } from 'express';
import { correlate } from '../request-id';
import { GetOrderQuerySchema } from '../schemas';
import type { OrdersContext } from './common';
import { parseOrderId } from './common';
import { orderView } from './read-model';

/**
 * GET /orders/:id[?consistency=strong] — the order's last published state (no worker needed), or with `strong`
 * the running saga's live state; 404 ORDER_NOT_FOUND for no order, or another tenant's.
 */
export function getOrder(ctx: OrdersContext): RequestHandler {
  return async (req, res) => {
    const orderId = parseOrderId(req.params.id);
    const { consistency } = GetOrderQuerySchema.parse(req.query);
    correlate(req, orderId);
    res.json(await orderView(ctx, req, orderId, consistency));
  };
}
