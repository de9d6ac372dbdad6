import { Router, type Request } from 'express';
import { notFound } from '../../lib/http/errors';
import { mutation } from '../../lib/http/mutation';
import { parseInput } from '../../lib/http/validate';
import { orderIdParams } from '../shared/schemas';
import { beforeAuthorize, type TestCardConfig } from './behaviours';
import { paymentInclude, type PaymentDb } from './db';
import { ledgerSummary } from './ledger-summary';
import { authorize, cancel, capture, paymentView, refund } from './payments';
import { authorizeBody, emptyBody, refundBody } from './schemas';

export function paymentRoutes(db: PaymentDb, cards: TestCardConfig): Router {
  const router = Router();
  const orderIdOf = (req: Request) => parseInput(orderIdParams, req.params, 'params').orderId;
  const byOrder = (req: Request) => {
    parseInput(emptyBody, req.body, 'body');
    return orderIdOf(req);
  };

  router.post(
    '/payments/authorize',
    mutation({
      db,
      input: (req) => parseInput(authorizeBody, req.body, 'body'),
      before: (input) => beforeAuthorize(db, cards, input),
      effect: (tx, input) => authorize(tx, input),
      // An authorization and a cancel (tombstone) of the same unknown payment must not both commit.
      lock: (input) => `payment:${input.orderId}`,
    }),
  );
  router.post(
    '/payments/:orderId/capture',
    mutation({ db, input: byOrder, effect: (tx, orderId) => capture(tx, orderId) }),
  );
  router.post(
    '/payments/:orderId/cancel',
    mutation({
      db,
      input: byOrder,
      effect: (tx, orderId) => cancel(tx, orderId),
      lock: (orderId) => `payment:${orderId}`,
    }),
  );
  router.post(
    '/payments/:orderId/refund',
    mutation({
      db,
      input: (req) => ({ orderId: orderIdOf(req), ...parseInput(refundBody, req.body, 'body') }),
      effect: (tx, input) => refund(tx, input.orderId, input.amountMinor, input.reference),
    }),
  );

  router.get('/payments/:orderId', async (req, res) => {
    const orderId = orderIdOf(req);
    const payment = await db.client.payment.findUnique({ where: { orderId }, include: paymentInclude });
    if (!payment) throw notFound(`No payment for order ${orderId}`, { orderId });
    res.json(paymentView(payment));
  });

  router.get('/ledger/summary', async (_req, res) => {
    res.json(await ledgerSummary(db.client));
  });

  return router;
}
