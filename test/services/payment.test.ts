import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp } from '../../services/payment/app';
import { openPaymentDb, paymentMigrations, type PaymentTx } from '../../services/payment/db';
import { errorShape, sharedContractTests } from './contract';
import { BACKENDS, newKey, newOrderId, silentLogger, startService, TOKEN, type TestService } from './helpers';

const SLOW_MS = 300;
const FLAKY_FAILURES = 2;

for (const backend of BACKENDS) {
  describe(`payment service (${backend})`, () => {
    let svc: TestService<PaymentTx>;

    before(async () => {
      svc = await startService(backend, {
        label: 'payment',
        migrationsDir: paymentMigrations,
        open: openPaymentDb,
        app: (db) =>
          createApp({
            db,
            config: { token: TOKEN, slowMs: SLOW_MS, flakyFailures: FLAKY_FAILURES },
            logger: silentLogger,
          }),
      });
    });
    after(async () => svc?.stop());

    const authorizeBody = (orderId: string, extra: Record<string, unknown> = {}) => ({
      orderId,
      customerId: 'cust-1',
      amountMinor: 1_000,
      currency: 'EUR',
      paymentMethod: 'tok_ok',
      ...extra,
    });
    const authorize = (orderId: string, extra: Record<string, unknown> = {}, key = newKey()) =>
      svc.post('/payments/authorize', authorizeBody(orderId, extra), { key });
    const act = (orderId: string, action: 'capture' | 'cancel', key = newKey()) =>
      svc.post(`/payments/${orderId}/${action}`, {}, { key });
    const refund = (orderId: string, amountMinor: number, key = newKey()) =>
      svc.post(`/payments/${orderId}/refund`, { amountMinor }, { key });
    const payment = async (orderId: string) => (await svc.get(`/payments/${orderId}`)).body;
    const kinds = async (orderId: string) =>
      (await payment(orderId)).ledger.map((l: { kind: string; amountMinor: number }) => `${l.kind}:${l.amountMinor}`);

    sharedContractTests(
      () => svc,
      () => ({ path: '/payments/authorize', body: authorizeBody(newOrderId()) }),
    );

    it('authorizes tok_ok: 201 AUTHORIZED with an AUTHORIZE ledger row', async () => {
      const orderId = newOrderId();
      const { status, body } = await authorize(orderId);
      assert.equal(status, 201);
      assert.match(body.paymentId, /^pay_/);
      assert.equal(body.status, 'AUTHORIZED');
      assert.equal(body.authorizedMinor, 1_000);
      assert.deepEqual(await kinds(orderId), ['AUTHORIZE:1000']);
      const again = await authorize(orderId);
      assert.equal(again.status, 200);
      assert.equal(again.body.paymentId, body.paymentId);
      const different = await authorize(orderId, { amountMinor: 999 });
      assert.equal(different.status, 409);
      errorShape(different.body, 'PAYMENT_EXISTS');
      assert.deepEqual(await kinds(orderId), ['AUTHORIZE:1000']);
    });

    it('declines: tok_declined is 409 PAYMENT_DECLINED, tok_insufficient_funds 409 INSUFFICIENT_FUNDS; no money moves', async () => {
      for (const [method, code] of [
        ['tok_declined', 'PAYMENT_DECLINED'],
        ['tok_insufficient_funds', 'INSUFFICIENT_FUNDS'],
      ]) {
        const orderId = newOrderId();
        const key = newKey();
        const answer = await authorize(orderId, { paymentMethod: method }, key);
        assert.equal(answer.status, 409, method);
        errorShape(answer.body, code!);
        const replay = await authorize(orderId, { paymentMethod: method }, key);
        assert.deepEqual(replay.body, answer.body);
        assert.equal((await svc.get(`/payments/${orderId}`)).status, 404);
      }
    });

    it(`tok_slow approves after the configured delay (${SLOW_MS} ms)`, async () => {
      const started = Date.now();
      const answer = await authorize(newOrderId(), { paymentMethod: 'tok_slow' });
      assert.equal(answer.status, 201);
      assert.ok(Date.now() - started >= SLOW_MS - 5, `took ${Date.now() - started} ms`);
    });

    it(`tok_flaky answers 503 to the first ${FLAKY_FAILURES} attempts of an order, then approves`, async () => {
      const orderId = newOrderId();
      const key = newKey();
      for (let attempt = 1; attempt <= FLAKY_FAILURES; attempt++) {
        const failed = await authorize(orderId, { paymentMethod: 'tok_flaky' }, key);
        assert.equal(failed.status, 503);
        errorShape(failed.body, 'SERVICE_UNAVAILABLE');
        assert.equal(failed.body.error.details.attempt, attempt);
      }
      assert.equal((await svc.get(`/payments/${orderId}`)).status, 404);
      const ok = await authorize(orderId, { paymentMethod: 'tok_flaky' }, key);
      assert.equal(ok.status, 201);
      assert.equal((await authorize(orderId, { paymentMethod: 'tok_flaky' }, key)).body.paymentId, ok.body.paymentId);
    });

    it('capture: 404 without an authorization, CAPTURE ledger row once, idempotent', async () => {
      const missing = await act(newOrderId(), 'capture');
      assert.equal(missing.status, 404);
      errorShape(missing.body, 'NOT_FOUND');
      const orderId = newOrderId();
      await authorize(orderId);
      const captured = await act(orderId, 'capture');
      assert.equal(captured.status, 200);
      assert.equal(captured.body.status, 'CAPTURED');
      assert.equal(captured.body.capturedMinor, 1_000);
      // The answer is what the service holds, to the millisecond and the last ledger row.
      assert.deepEqual(captured.body, await payment(orderId));
      const again = await act(orderId, 'capture');
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, captured.body);
      assert.deepEqual(await kinds(orderId), ['AUTHORIZE:1000', 'CAPTURE:1000']);
    });

    it('refunds never exceed the capture', async () => {
      const orderId = newOrderId();
      await authorize(orderId);
      const early = await refund(orderId, 1);
      assert.equal(early.status, 409);
      errorShape(early.body, 'REFUND_EXCEEDS_CAPTURE');
      assert.deepEqual(early.body.error.details, { capturedMinor: 0, refundedMinor: 0, requestedMinor: 1 });
      await act(orderId, 'capture');
      const partial = await refund(orderId, 400);
      assert.equal(partial.status, 200);
      assert.equal(partial.body.status, 'PARTIALLY_REFUNDED');
      assert.equal(partial.body.refundedMinor, 400);
      assert.deepEqual(partial.body, await payment(orderId));
      const tooMuch = await refund(orderId, 700);
      assert.equal(tooMuch.status, 409);
      errorShape(tooMuch.body, 'REFUND_EXCEEDS_CAPTURE');
      const rest = await refund(orderId, 600);
      assert.equal(rest.body.status, 'REFUNDED');
      assert.equal((await refund(orderId, 1)).status, 409);
      assert.deepEqual(await kinds(orderId), ['AUTHORIZE:1000', 'CAPTURE:1000', 'REFUND:400', 'REFUND:600']);
      assert.equal((await refund(newOrderId(), 5)).status, 404);
    });

    it('cancel voids an authorization, refunds what is left of a capture, is idempotent', async () => {
      const authorized = newOrderId();
      await authorize(authorized);
      assert.deepEqual((await act(authorized, 'cancel')).body, { orderId: authorized, outcome: 'VOIDED' });
      assert.deepEqual((await act(authorized, 'cancel')).body, { orderId: authorized, outcome: 'VOIDED' });
      assert.equal((await payment(authorized)).status, 'VOIDED');
      assert.deepEqual(await kinds(authorized), ['AUTHORIZE:1000', 'VOID:1000']);
      const capture = await act(authorized, 'capture');
      assert.equal(capture.status, 409);
      errorShape(capture.body, 'PAYMENT_CANCELLED');

      const captured = newOrderId();
      await authorize(captured);
      await act(captured, 'capture');
      await refund(captured, 250);
      assert.deepEqual((await act(captured, 'cancel')).body, { orderId: captured, outcome: 'REFUNDED' });
      assert.deepEqual((await act(captured, 'cancel')).body, { orderId: captured, outcome: 'REFUNDED' });
      const after = await payment(captured);
      assert.deepEqual([after.status, after.capturedMinor, after.refundedMinor], ['REFUNDED', 1_000, 1_000]);
      assert.deepEqual(await kinds(captured), ['AUTHORIZE:1000', 'CAPTURE:1000', 'REFUND:250', 'REFUND:750']);
    });

    it('cancel without a payment is NONE, and a late authorize for that order is 409 PAYMENT_CANCELLED', async () => {
      const orderId = newOrderId();
      assert.deepEqual((await act(orderId, 'cancel')).body, { orderId, outcome: 'NONE' });
      assert.deepEqual((await act(orderId, 'cancel')).body, { orderId, outcome: 'NONE' });
      const late = await authorize(orderId);
      assert.equal(late.status, 409);
      errorShape(late.body, 'PAYMENT_CANCELLED');
      assert.equal((await svc.get(`/payments/${orderId}`)).status, 404);
    });

    it('rejects bad input of every field with 400', async () => {
      const cases: [string, unknown, string][] = [
        ['amount zero', authorizeBody(newOrderId(), { amountMinor: 0 }), 'body.amountMinor'],
        ['amount negative', authorizeBody(newOrderId(), { amountMinor: -5 }), 'body.amountMinor'],
        ['amount fractional', authorizeBody(newOrderId(), { amountMinor: 10.5 }), 'body.amountMinor'],
        ['amount string', authorizeBody(newOrderId(), { amountMinor: '100' }), 'body.amountMinor'],
        ['amount huge', authorizeBody(newOrderId(), { amountMinor: 1e15 }), 'body.amountMinor'],
        ['currency lower case', authorizeBody(newOrderId(), { currency: 'eur' }), 'body.currency'],
        ['currency 4 letters', authorizeBody(newOrderId(), { currency: 'EURO' }), 'body.currency'],
        ['unknown token', authorizeBody(newOrderId(), { paymentMethod: 'tok_gold' }), 'body.paymentMethod'],
        ['customer missing', { ...authorizeBody(newOrderId()), customerId: undefined }, 'body.customerId'],
        ['customer object', authorizeBody(newOrderId(), { customerId: { id: 1 } }), 'body.customerId'],
        ['orderId missing', { ...authorizeBody(newOrderId()), orderId: undefined }, 'body.orderId'],
      ];
      for (const [label, body, path] of cases) {
        const answer = await svc.post('/payments/authorize', body, { key: newKey() });
        assert.equal(answer.status, 400, label);
        errorShape(answer.body, 'VALIDATION_ERROR');
        const paths = answer.body.error.details.issues.map((i: { path: string }) => i.path);
        assert.ok(paths.includes(path), `${label}: ${paths.join(', ')}`);
      }
      for (const amountMinor of [0, -1, 1.5, '5', null]) {
        const answer = await svc.post(`/payments/${newOrderId()}/refund`, { amountMinor }, { key: newKey() });
        assert.equal(answer.status, 400, String(amountMinor));
      }
      assert.equal((await svc.post(`/payments/${newOrderId()}/refund`, {}, { key: newKey() })).status, 400);
    });

    it('concurrent refunds of one capture never add up to more than it', async () => {
      const orderId = newOrderId();
      await authorize(orderId);
      await act(orderId, 'capture');
      const answers = await Promise.all(Array.from({ length: 10 }, () => refund(orderId, 300)));
      assert.equal(answers.filter((a) => a.status === 200).length, 3, answers.map((a) => a.status).join(','));
      assert.ok(answers.every((a) => a.status === 200 || a.body.error.code === 'REFUND_EXCEEDS_CAPTURE'));
      const after = await payment(orderId);
      assert.equal(after.refundedMinor, 900);
      assert.equal(after.ledger.filter((l: { kind: string }) => l.kind === 'REFUND').length, 3);
    });

    it('one refund per payment and reference, whatever the key: again it answers the payment, another amount is 409', async () => {
      const orderId = newOrderId();
      await authorize(orderId);
      await act(orderId, 'capture');
      const forReturn = (amountMinor: number, reference = 'return:ret-1') =>
        svc.post(`/payments/${orderId}/refund`, { amountMinor, reference }, { key: newKey() });
      const first = await forReturn(400);
      assert.equal(first.status, 200);
      assert.deepEqual(first.body, await payment(orderId));
      assert.equal(first.body.ledger.at(-1).reference, 'return:ret-1');
      // A retry or restart under a fresh key, or a request changed by a fix: no second refund.
      const again = await forReturn(400);
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, first.body);
      const other = await forReturn(300);
      assert.equal(other.status, 409);
      errorShape(other.body, 'REFUND_EXISTS');
      assert.deepEqual(other.body.error.details, {
        reference: 'return:ret-1',
        refundedMinor: 400,
        requestedMinor: 300,
      });
      assert.equal((await forReturn(300, 'return:ret-2')).status, 200, 'another return is another refund');
      assert.deepEqual(await kinds(orderId), ['AUTHORIZE:1000', 'CAPTURE:1000', 'REFUND:400', 'REFUND:300']);
      const concurrent = newOrderId();
      await authorize(concurrent);
      await act(concurrent, 'capture');
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          svc.post(`/payments/${concurrent}/refund`, { amountMinor: 250, reference: 'return:r' }, { key: newKey() }),
        ),
      );
      assert.deepEqual(
        answers.map((a) => a.status),
        Array(8).fill(200),
      );
      assert.equal((await payment(concurrent)).refundedMinor, 250, 'refunded once');
    });

    it('concurrent authorizations of one order with one key apply once', async () => {
      const orderId = newOrderId();
      const key = newKey();
      const answers = await Promise.all(Array.from({ length: 8 }, () => authorize(orderId, {}, key)));
      assert.ok(
        answers.every((a) => a.status === 201),
        answers.map((a) => a.status).join(','),
      );
      assert.equal(new Set(answers.map((a) => a.body.paymentId)).size, 1);
      assert.deepEqual(await kinds(orderId), ['AUTHORIZE:1000']);
    });

    it('the ledger summary adds up every movement per currency', async () => {
      const orderId = newOrderId();
      await authorize(orderId, { currency: 'USD', amountMinor: 5_000 });
      await act(orderId, 'capture');
      await refund(orderId, 1_250);
      const { status, body } = await svc.get('/ledger/summary');
      assert.equal(status, 200);
      const usd = body.currencies.find((c: { currency: string }) => c.currency === 'USD');
      assert.deepEqual(usd, {
        currency: 'USD',
        authorizedMinor: 5_000,
        capturedMinor: 5_000,
        voidedMinor: 0,
        refundedMinor: 1_250,
        netMinor: 3_750,
      });
      const eur = body.currencies.find((c: { currency: string }) => c.currency === 'EUR');
      assert.ok(eur.refundedMinor <= eur.capturedMinor);
    });
  });
}
