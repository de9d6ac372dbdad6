import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FROZEN_INPUT_DEFAULTS, resolveOrderInput } from '../../workflows/order/types';
import { orderInput } from '../helpers/order-saga';

// Race 7 of issue 12: a saga reads its defaults once, from its input. Sagas started without them (before the API
// put them in every input) fall back to values that must never change while such sagas may still run or replay.
describe('order input defaults', () => {
  it('the frozen fallbacks keep the values sagas started without them were recorded with', () => {
    assert.deepEqual(
      { ...FROZEN_INPUT_DEFAULTS },
      { approvalThresholdMinor: 100_000, approvalTimeout: '24 hours', paymentDeadline: '30 minutes' },
    );
    assert.ok(Object.isFrozen(FROZEN_INPUT_DEFAULTS));
  });

  it('values in the input win; missing ones are resolved from the frozen fallbacks', () => {
    const explicit = resolveOrderInput(
      orderInput({ approvalThresholdMinor: 0, approvalTimeout: '1 hour', paymentDeadline: '5 minutes' }),
    );
    assert.deepEqual(
      [explicit.approvalThresholdMinor, explicit.approvalTimeout, explicit.paymentDeadline],
      [0, '1 hour', '5 minutes'],
    );
    const bare = resolveOrderInput(orderInput());
    assert.deepEqual(
      [bare.approvalThresholdMinor, bare.approvalTimeout, bare.paymentDeadline],
      [100_000, '24 hours', '30 minutes'],
    );
  });
});
