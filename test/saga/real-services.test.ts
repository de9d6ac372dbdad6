import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultyTransport } from '../helpers/faulty-transport';
import { orderInput, runOrderSaga, waitForStatus } from '../helpers/order-saga';
import { realServicesSuite } from '../helpers/real-services';

// The order saga with its real activities against the three real services (SQLite), on the time-skipping
// test server: every service effect is checked in the service that owns it.
const suite = realServicesSuite();

const compensated = (result: { state: { compensations: { activity: string; outcome: string }[] } }) =>
  result.state.compensations.filter((c) => c.outcome === 'COMPENSATED').map((c) => c.activity);

describe('order saga against the real services', () => {
  it('happy path: order CONFIRMED, stock committed, payment captured for the server-computed total', async () => {
    const input = orderInput({ items: [{ sku: 'SKU-2', quantity: 3 }] });
    const availableBefore = await suite.services.available('SKU-2');
    const result = await runOrderSaga(suite.env, suite.services.activities(), input);
    assert.equal(result.state.status, 'COMPLETED');
    assert.equal(result.order?.totalMinor, 3 * 1_200);
    assert.deepEqual(await suite.services.snapshot(input.orderId), {
      order: 'CONFIRMED',
      reservation: 'COMMITTED',
      payment: { status: 'CAPTURED', capturedMinor: 3_600, refundedMinor: 0, ledger: ['AUTHORIZE', 'CAPTURE'] },
    });
    assert.equal(await suite.services.available('SKU-2'), availableBefore - 3);
  });

  it('out of stock: INSUFFICIENT_STOCK fails the saga at once; the order is compensated, nothing reserved or charged', async () => {
    const availableBefore = await suite.services.available('SKU-1');
    const input = orderInput({
      items: [
        { sku: 'SKU-1', quantity: 1 },
        { sku: 'SKU-SOLDOUT', quantity: 1 },
      ],
    });
    const result = await runOrderSaga(suite.env, suite.services.activities(), input);
    assert.equal(result.state.status, 'COMPENSATED');
    assert.equal(result.state.failure?.type, 'INSUFFICIENT_STOCK');
    assert.deepEqual(compensated(result), ['releaseInventory', 'closeOrder']);
    // The release leaves a RELEASED tombstone, so a late duplicate reserve for this order is refused.
    assert.deepEqual(await suite.services.snapshot(input.orderId), { order: 'COMPENSATED', reservation: 'RELEASED' });
    assert.equal(
      await suite.services.available('SKU-1'),
      availableBefore,
      'all-or-nothing: SKU-1 was not reserved either',
    );
  });

  for (const [paymentMethod, code] of [
    ['tok_declined', 'PAYMENT_DECLINED'],
    ['tok_insufficient_funds', 'INSUFFICIENT_FUNDS'],
  ] as const) {
    it(`${paymentMethod}: ${code} releases the stock and compensates the order`, async () => {
      const input = orderInput({ paymentMethod });
      const availableBefore = await suite.services.available('SKU-1');
      const result = await runOrderSaga(suite.env, suite.services.activities(), input);
      assert.equal(result.state.status, 'COMPENSATED');
      assert.equal(result.state.failure?.type, code);
      assert.deepEqual(compensated(result), ['cancelPayment', 'releaseInventory', 'closeOrder']);
      assert.deepEqual(await suite.services.snapshot(input.orderId), { order: 'COMPENSATED', reservation: 'RELEASED' });
      assert.equal(await suite.services.available('SKU-1'), availableBefore);
    });
  }

  it('tok_flaky: the payment provider fails twice with 503, the retries get through', async () => {
    const input = orderInput({ paymentMethod: 'tok_flaky' });
    const result = await runOrderSaga(suite.env, suite.services.activities(), input);
    assert.equal(result.state.status, 'COMPLETED');
    assert.equal((await suite.services.snapshot(input.orderId)).payment?.status, 'CAPTURED');
  });

  it('payment service unreachable: 5 attempts, then the saga gives up, parks on the void, and the operator resolves it', async () => {
    const transport = new FaultyTransport()
      .inject('authorizePayment', 'before')
      .inject('authorizePayment:compensate', 'before');
    const input = orderInput();
    const result = await runOrderSaga(suite.env, suite.services.activities(transport.fetch), input, async (handle) => {
      const parked = await waitForStatus(handle, 'COMPENSATION_FAILED', () => suite.env.sleep('1 minute'));
      assert.deepEqual(
        parked.parked.map((p) => p.activity),
        ['cancelPayment'],
      );
      // The payment service is back: the operator retries the void (a new idempotency key reaches it).
      await handle.executeUpdate('retryCompensation', { args: [{ by: 'ops' }] });
    });
    assert.equal(transport.requests.filter((step) => step === 'authorizePayment').length, 5);
    assert.equal(result.state.status, 'COMPENSATED');
    assert.equal(result.state.failure?.type, 'NETWORK_ERROR');
    assert.deepEqual(await suite.services.snapshot(input.orderId), { order: 'COMPENSATED', reservation: 'RELEASED' });
  });

  it('a large order waits for approval; approved by an operator it completes', async () => {
    const input = orderInput({ items: [{ sku: 'SKU-4', quantity: 8 }] });
    const result = await runOrderSaga(suite.env, suite.services.activities(), input, async (handle) => {
      await waitForStatus(handle, 'AWAITING_APPROVAL');
      assert.equal((await suite.services.snapshot(input.orderId)).reservation, 'RESERVED');
      await handle.executeUpdate('approve', { args: [{ approved: true, by: 'ops' }] });
    });
    assert.equal(result.state.status, 'COMPLETED');
    assert.equal(result.approval?.by, 'ops');
  });

  it('a large order nobody approves within 24 hours is compensated (hours pass in milliseconds)', async () => {
    const input = orderInput({ items: [{ sku: 'SKU-4', quantity: 8 }] });
    const result = await runOrderSaga(suite.env, suite.services.activities(), input);
    assert.equal(result.state.status, 'COMPENSATED');
    assert.equal(result.state.failure?.type, 'APPROVAL_TIMEOUT');
    assert.deepEqual(await suite.services.snapshot(input.orderId), { order: 'COMPENSATED', reservation: 'RELEASED' });
  });
});
