import { Router, type Request } from 'express';
import { notFound } from '../../lib/http/errors';
import { mutation } from '../../lib/http/mutation';
import { parseInput } from '../../lib/http/validate';
import { orderIdParams } from '../shared/schemas';
import { orderInclude, type OrderDb } from './db';
import { createOrder, orderView, setStatus } from './orders';
import { createOrderBody, listQuery, setStatusBody } from './schemas';
import { returnRoutes } from './return-routes';

export function orderRoutes(db: OrderDb): Router {
  const router = Router();
  const orderIdOf = (req: Request) => parseInput(orderIdParams, req.params, 'params').orderId;

  router.post(
    '/orders',
    mutation({
      db,
      input: (req) => parseInput(createOrderBody, req.body, 'body'),
      effect: (tx, input) => createOrder(tx, input),
      // A create and a close (tombstone) of the same unknown order must not both commit.
      lock: (input) => `order:${input.orderId}`,
    }),
  );
  router.post(
    '/orders/:orderId/status',
    mutation({
      db,
      input: (req) => ({ orderId: orderIdOf(req), body: parseInput(setStatusBody, req.body, 'body') }),
      effect: (tx, input) => setStatus(tx, input.orderId, input.body),
      lock: (input) => `order:${input.orderId}`,
    }),
  );

  router.get('/orders', async (req, res) => {
    const { customerId, status, limit } = parseInput(listQuery, req.query, 'query');
    const rows = await db.client.order.findMany({
      where: { ...(customerId ? { customerId } : {}), ...(status ? { status } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
      include: orderInclude,
    });
    res.json({ orders: rows.map(orderView) });
  });

  router.get('/orders/:orderId', async (req, res) => {
    const orderId = orderIdOf(req);
    const row = await db.client.order.findUnique({ where: { id: orderId }, include: orderInclude });
    if (!row) throw notFound(`No order ${orderId}`, { orderId });
    res.json(orderView(row));
  });

  router.use(returnRoutes(db));

  router.get('/catalogue', async (_req, res) => {
    res.json({ items: await db.client.catalogueItem.findMany({ orderBy: { sku: 'asc' } }) });
  });

  return router;
}
