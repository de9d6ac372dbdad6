import { Router, type Request } from 'express';
import { notFound } from '../../lib/http/errors';
import { mutation } from '../../lib/http/mutation';
import { parseInput } from '../../lib/http/validate';
import { orderIdParams } from '../shared/schemas';
import { returnInclude, type OrderDb } from './db';
import { emptyBody, requestReturnBody, returnIdParams, returnStatusBody } from './return-schemas';
import { createLabel, requestReturn, returnView, setReturnStatus, voidLabel } from './returns';

/** Returns of fulfilled orders: request, carrier label, status (received, refunded, closed). */
export function returnRoutes(db: OrderDb): Router {
  const router = Router();
  const returnIdOf = (req: Request) => parseInput(returnIdParams, req.params, 'params').returnId;
  const byReturn = (req: Request) => {
    parseInput(emptyBody, req.body, 'body');
    return returnIdOf(req);
  };

  router.post(
    '/returns',
    mutation({
      db,
      input: (req) => parseInput(requestReturnBody, req.body, 'body'),
      effect: async (tx, input) => {
        // Then the return itself, as its status route does: a request and a close (tombstone) of the same unknown
        // return must not both commit.
        await db.lock(tx, `return:${input.returnId}`);
        return requestReturn(tx, input);
      },
      // Two returns of the same order must not both count its units as still returnable.
      lock: (input) => `order:${input.orderId}`,
    }),
  );
  router.post(
    '/returns/:returnId/label',
    mutation({ db, input: byReturn, effect: (tx, returnId) => createLabel(tx, returnId) }),
  );
  router.post(
    '/returns/:returnId/label/void',
    mutation({ db, input: byReturn, effect: (tx, returnId) => voidLabel(tx, returnId) }),
  );
  router.post(
    '/returns/:returnId/status',
    mutation({
      db,
      input: (req) => ({ returnId: returnIdOf(req), body: parseInput(returnStatusBody, req.body, 'body') }),
      effect: (tx, input) => setReturnStatus(tx, input.returnId, input.body),
      // A close and a request (tombstone) of the same unknown return must not both commit.
      lock: (input) => `return:${input.returnId}`,
    }),
  );

  router.get('/returns/:returnId', async (req, res) => {
    const returnId = returnIdOf(req);
    const row = await db.client.return.findUnique({ where: { id: returnId }, include: returnInclude });
    if (!row) throw notFound(`No return ${returnId}`, { returnId });
    res.json(returnView(row));
  });

  router.get('/orders/:orderId/returns', async (req, res) => {
    const { orderId } = parseInput(orderIdParams, req.params, 'params');
    const rows = await db.client.return.findMany({
      where: { orderId },
      orderBy: { createdAt: 'asc' },
      include: returnInclude,
    });
    res.json({ returns: rows.map(returnView) });
  });

  return router;
}
