import { Router } from 'express';
import { notFound } from '../../lib/http/errors';
import { mutation } from '../../lib/http/mutation';
import { parseInput } from '../../lib/http/validate';
import { orderIdParams } from '../shared/schemas';
import { reservationInclude, type InventoryDb } from './db';
import { commit, release, reservationView, reserve } from './reservations';
import { restock, restockView, reverseRestock } from './restocks';
import { emptyBody, reserveBody, restockBody, returnIdParams, skuParams } from './schemas';
import { productView, stockStats } from './stock';

export function inventoryRoutes(db: InventoryDb): Router {
  const router = Router();

  router.get('/products', async (_req, res) => {
    const products = await db.client.product.findMany({ orderBy: { sku: 'asc' } });
    res.json({ products: products.map(productView) });
  });

  router.get('/products/:sku', async (req, res) => {
    const { sku } = parseInput(skuParams, req.params, 'params');
    const product = await db.client.product.findUnique({ where: { sku } });
    if (!product) throw notFound(`Unknown product ${sku}`, { sku });
    res.json(productView(product));
  });

  router.get('/stats', async (_req, res) => {
    res.json(await stockStats(db.client));
  });

  router.get('/reservations/:orderId', async (req, res) => {
    const { orderId } = parseInput(orderIdParams, req.params, 'params');
    const row = await db.client.reservation.findUnique({ where: { orderId }, include: reservationInclude });
    if (!row) throw notFound(`No reservation for order ${orderId}`, { orderId });
    res.json(reservationView(row));
  });

  router.post(
    '/reservations',
    mutation({
      db,
      input: (req) => parseInput(reserveBody, req.body, 'body'),
      effect: (tx, input) => reserve(tx, input),
    }),
  );

  const byOrder = (req: Parameters<Parameters<typeof mutation>[0]['input']>[0]) => {
    parseInput(emptyBody, req.body, 'body');
    return parseInput(orderIdParams, req.params, 'params').orderId;
  };
  router.post(
    '/reservations/:orderId/release',
    mutation({ db, input: byOrder, effect: (tx, orderId) => release(tx, orderId) }),
  );
  router.post(
    '/reservations/:orderId/commit',
    mutation({ db, input: byOrder, effect: (tx, orderId) => commit(tx, orderId) }),
  );

  router.post(
    '/restocks',
    mutation({
      db,
      input: (req) => parseInput(restockBody, req.body, 'body'),
      effect: async (tx, input) => {
        // Then the return, as the reverse route does: a restock and a reversal (tombstone) of the same unknown
        // restock must not both commit.
        await db.lock(tx, `restock:${input.returnId}`);
        return restock(tx, input);
      },
      // Two returns of the same order must not both count its units as still committed.
      lock: (input) => `restock-order:${input.orderId}`,
    }),
  );
  router.post(
    '/restocks/:returnId/reverse',
    mutation({
      db,
      input: (req) => {
        parseInput(emptyBody, req.body, 'body');
        return parseInput(returnIdParams, req.params, 'params').returnId;
      },
      effect: (tx, returnId) => reverseRestock(tx, returnId),
      lock: (returnId) => `restock:${returnId}`,
    }),
  );
  router.get('/restocks/:returnId', async (req, res) => {
    const { returnId } = parseInput(returnIdParams, req.params, 'params');
    const row = await db.client.restock.findUnique({ where: { returnId }, include: reservationInclude });
    if (!row) throw notFound(`No restock for return ${returnId}`, { returnId });
    res.json(restockView(row));
  });

  return router;
}
