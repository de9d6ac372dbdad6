import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  RetryState,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import { deadlineExceeded, effectMayStand } from '../../packages/saga/src/failures';

// Which failures leave a step's effect unknown (a retry or restart keeps its key) and which are definite refusals
// (a fresh key); the runs are in saga-package.test.ts.
const business = ['INSUFFICIENT_STOCK', 'IDEMPOTENCY_KEY_REUSED'];
const keepKeyOn = ['IDEMPOTENCY_KEY_REUSED'];
const fromActivity = (cause: Error, retryState: RetryState = RetryState.MAXIMUM_ATTEMPTS_REACHED) =>
  new ActivityFailure('activity failed', 'capture', 'id-1', retryState, 'identity', cause);

describe('effectMayStand', () => {
  it('a definite refusal: a non-retryable business answer, flagged or listed by the retry policy', () => {
    const listed = ApplicationFailure.create({ message: 'no stock', type: 'INSUFFICIENT_STOCK' });
    assert.equal(effectMayStand(fromActivity(listed, RetryState.NON_RETRYABLE_FAILURE), business, keepKeyOn), false);
    assert.equal(effectMayStand(ApplicationFailure.nonRetryable('bounced', 'MAIL_BOUNCED'), [], keepKeyOn), false);
  });

  it('unknown: exhausted retries of a fault, a timeout, the deadline, a cancel, a thrown onResult, a type in keepKeyOn', () => {
    const fault = ApplicationFailure.retryable('answer lost', 'HTTP_502');
    assert.equal(effectMayStand(fromActivity(fault), business, keepKeyOn), true);
    assert.equal(
      effectMayStand(
        fromActivity(new TimeoutFailure('start to close', undefined, TimeoutType.START_TO_CLOSE)),
        business,
      ),
      true,
    );
    assert.equal(effectMayStand(deadlineExceeded('capturePayment'), business), true);
    assert.equal(effectMayStand(new CancelledFailure('cancelled'), business), true);
    assert.equal(effectMayStand(new TypeError("cannot read 'orderId'"), business), true);
    const reused = ApplicationFailure.nonRetryable('key reused', 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(effectMayStand(fromActivity(reused, RetryState.NON_RETRYABLE_FAILURE), business, keepKeyOn), true);
    assert.equal(effectMayStand(fromActivity(reused, RetryState.NON_RETRYABLE_FAILURE), business, []), false);
  });
});
