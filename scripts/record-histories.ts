// Records workflow histories for the replay tests (test/saga/replay.test.ts): each scenario runs the order
// saga on the time-skipping test server with in-memory services and saves its event history as JSON.
// Re-record only when a change is meant to be incompatible with running sagas (see docs/ARCHITECTURE.md);
// `npx tsx scripts/record-histories.ts NAME...` records only the named scenarios (e.g. a new one).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { saveHistories } from '../test/helpers/histories';
import { createTimeSkippingEnv } from '../test/helpers/temporal';
import { disableTestPayloadEncryption } from '../test/helpers/payload-keys';
import { FakeOrderServices } from '../test/helpers/fake-order-services';
import { orderInput, runOrderSaga, waitForStatus } from '../test/helpers/order-saga';
import type { orderFulfillment } from '../workflows/order/workflow';
import type { OrderInput } from '../workflows/order/types';

interface Scenario {
  name: string;
  input?: Partial<OrderInput>;
  faults?: (fakes: FakeOrderServices) => void;
  during?: (handle: WorkflowHandle<typeof orderFulfillment>, skip: () => Promise<void>) => Promise<void>;
  /** Start with the search attributes the API sets (default); the first recordings were started without. */
  startSearchAttributes?: boolean;
}

const large: Partial<OrderInput> = { items: [{ sku: 'SKU-1', quantity: 200 }] };

/** Payment declined, then the stock release fails past its retries: parked until an operator retries. */
const parkedThenRetried: Pick<Scenario, 'faults' | 'during'> = {
  faults: (f) => {
    f.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
    f.faults.set('releaseInventory', { kind: 'before', times: 10 });
  },
  during: async (handle, skip) => {
    await waitForStatus(handle, 'COMPENSATION_FAILED', skip);
    await handle.executeUpdate('retryCompensation', { args: [{ by: 'ops' }] });
  },
};

/** An operator approves once the saga waits for approval. */
const approveWhenWaiting: Scenario['during'] = async (handle) => {
  await waitForStatus(handle, 'AWAITING_APPROVAL');
  await handle.executeUpdate('approve', { args: [{ approved: true, by: 'ops' }] });
};

const scenarios: Scenario[] = [
  { name: 'completed' },
  // Started without CustomerId: the saga publishes none (never the plaintext id of its input).
  { name: 'customer-id-from-starter-none', startSearchAttributes: false },
  {
    name: 'out-of-stock',
    faults: (f) => f.faults.set('reserveInventory', { kind: 'business', code: 'INSUFFICIENT_STOCK' }),
  },
  {
    name: 'payment-declined',
    faults: (f) => f.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' }),
  },
  { name: 'transient-retries', faults: (f) => f.faults.set('reserveInventory', { kind: 'before', times: 2 }) },
  { name: 'payment-deadline', faults: (f) => f.faults.set('capturePayment', { kind: 'before' }) },
  { name: 'approval-timeout', input: large },
  { name: 'status-only-completed', input: { publishSteps: false }, startSearchAttributes: false },
  {
    name: 'status-only-approved',
    input: { ...large, publishSteps: false },
    startSearchAttributes: false,
    during: approveWhenWaiting,
  },
  { name: 'on-status-change-completed', input: { publishMode: 'on-status-change' } },
  {
    name: 'on-status-change-approved',
    input: { ...large, publishMode: 'on-status-change' },
    during: approveWhenWaiting,
  },
  { name: 'on-status-change-parked-then-retried', input: { publishMode: 'on-status-change' }, ...parkedThenRetried },
  {
    name: 'approved',
    input: large,
    during: approveWhenWaiting,
  },
  {
    name: 'cancelled-during-approval',
    input: large,
    during: async (handle) => {
      await waitForStatus(handle, 'AWAITING_APPROVAL');
      await handle.executeUpdate('cancel', { args: [{ reason: 'customer changed their mind' }] });
    },
  },
  {
    // The approve Update answers once the saga moved on (PATCHES.approveAnswersAfterDecision): RUNNING.
    name: 'approved-answers-after-decision',
    input: large,
    during: approveWhenWaiting,
  },
  {
    // A rejection answers once the saga settled (COMPENSATED). legacy-approval-rejected.json is the same
    // scenario recorded before the patch, when the Update answered at once.
    name: 'approval-rejected',
    input: large,
    during: async (handle) => {
      await waitForStatus(handle, 'AWAITING_APPROVAL');
      await handle.executeUpdate('approve', { args: [{ approved: false, by: 'ops', reason: 'suspected fraud' }] });
    },
  },
  { name: 'parked-then-retried', ...parkedThenRetried },
  // The saga mirrors its state into the memo with each upsert (order-state-memo), as the API starts it.
  { name: 'state-memo-completed', input: { publishMode: 'on-status-change' } },
  {
    name: 'state-memo-approved',
    input: { ...large, publishMode: 'on-status-change' },
    during: approveWhenWaiting,
  },
  {
    name: 'capture-succeeds-at-deadline',
    input: { paymentDeadline: '1 second' },
    faults: (f) => f.faults.set('capturePayment', { kind: 'slow', ms: 1_500 }),
  },
  {
    name: 'forward-recovery-retried',
    faults: (f) => f.faults.set('commitInventory', { kind: 'business', code: 'RESERVATION_RELEASED', times: 1 }),
    during: async (handle, skip) => {
      await waitForStatus(handle, 'FORWARD_FAILED', skip);
      await handle.executeUpdate('retryStep', { args: [{ by: 'ops' }] });
    },
  },
  {
    // The key was refused as reused (the effect may stand): the retry keeps it (PATCHES.keepKeyWhenEffectMayStand).
    name: 'forward-recovery-kept-key',
    faults: (f) => f.faults.set('commitInventory', { kind: 'business', code: 'IDEMPOTENCY_KEY_REUSED', times: 1 }),
    during: async (handle, skip) => {
      await waitForStatus(handle, 'FORWARD_FAILED', skip);
      await handle.executeUpdate('retryStep', { args: [{ by: 'ops' }] });
    },
  },
  {
    name: 'forward-recovery-resolved',
    faults: (f) => f.faults.set('commitInventory', { kind: 'business', code: 'RESERVATION_RELEASED' }),
    during: async (handle, skip) => {
      await waitForStatus(handle, 'FORWARD_FAILED', skip);
      await handle.executeUpdate('resolveStep', { args: [{ by: 'ops', reason: 'committed by hand' }] });
    },
  },
  {
    // Two histories: the parked run that took the restart (continued as new), and the run that restarted.
    name: 'restarted',
    faults: (f) => f.faults.set('commitInventory', { kind: 'business', code: 'RESERVATION_RELEASED', times: 1 }),
    during: async (handle, skip) => {
      await waitForStatus(handle, 'FORWARD_FAILED', skip);
      await handle.executeUpdate('restart', { args: [{ from: 'markPaid', by: 'ops', reason: 'fixed' }] });
    },
  },
  // Service calls as local activities (stepExecution 'local', as the API starts sagas since issue 23).
  { name: 'local-completed', input: { publishMode: 'on-status-change', stepExecution: 'local' } },
  {
    // Lost answers, retried in the worker (1 s) and then on timers (2 s, 4 s).
    name: 'local-transient-retries',
    input: { publishMode: 'on-status-change', stepExecution: 'local' },
    faults: (f) => f.faults.set('authorizePayment', { kind: 'after', times: 3 }),
  },
  {
    name: 'local-payment-declined',
    input: { publishMode: 'on-status-change', stepExecution: 'local' },
    faults: (f) => f.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' }),
  },
  {
    name: 'local-payment-deadline',
    input: { publishMode: 'on-status-change', stepExecution: 'local' },
    faults: (f) => f.faults.set('capturePayment', { kind: 'before' }),
  },
  {
    name: 'local-approved',
    input: { ...large, publishMode: 'on-status-change', stepExecution: 'local' },
    during: approveWhenWaiting,
  },
  {
    name: 'local-parked-then-retried',
    input: { publishMode: 'on-status-change', stepExecution: 'local' },
    ...parkedThenRetried,
  },
  {
    name: 'local-restarted',
    input: { publishMode: 'on-status-change', stepExecution: 'local' },
    faults: (f) => f.faults.set('commitInventory', { kind: 'business', code: 'RESERVATION_RELEASED', times: 1 }),
    during: async (handle, skip) => {
      await waitForStatus(handle, 'FORWARD_FAILED', skip);
      await handle.executeUpdate('restart', { args: [{ from: 'markPaid', by: 'ops', reason: 'fixed' }] });
    },
  },
  // markPaid and commitInventory at once (SagaStep.group, PATCHES.parallelGroups); the other recordings replay them
  // one after the other, as they ran.
  { name: 'grouped-local-completed', input: { publishMode: 'on-status-change', stepExecution: 'local' } },
  {
    name: 'grouped-local-parked-then-retried',
    input: { publishMode: 'on-status-change', stepExecution: 'local' },
    faults: (f) => f.faults.set('commitInventory', { kind: 'business', code: 'RESERVATION_RELEASED', times: 1 }),
    during: async (handle, skip) => {
      await waitForStatus(handle, 'FORWARD_FAILED', skip);
      await handle.executeUpdate('retryStep', { args: [{ by: 'ops' }] });
    },
  },
  // ParkedStep and ParkedReason published with the status (PARKED_ATTRIBUTES_PATCH), then removed.
  {
    name: 'parked-attributes-retried',
    input: { publishMode: 'on-status-change', stepExecution: 'local' },
    faults: (f) => {
      f.faults.set('authorizePayment', { kind: 'business', code: 'PAYMENT_DECLINED' });
      f.faults.set('releaseInventory', { kind: 'business', code: 'RESERVATION_COMMITTED', times: 1 });
    },
    during: async (handle, skip) => {
      await waitForStatus(handle, 'COMPENSATION_FAILED', skip);
      await handle.executeUpdate('retryCompensation', { args: [{ by: 'ops' }] });
    },
  },
  {
    name: 'parked-then-skipped',
    faults: (f) => {
      f.faults.set('reserveInventory', { kind: 'business', code: 'INSUFFICIENT_STOCK' });
      f.faults.set('releaseInventory', { kind: 'before' });
    },
    during: async (handle, skip) => {
      await waitForStatus(handle, 'COMPENSATION_FAILED', skip);
      await handle.executeUpdate('skipCompensation', { args: [{ by: 'ops', reason: 'released by hand' }] });
    },
  },
  // createOrder refused ORDER_CLOSED, recorded before PATCHES.orderClosedNoEffect: the saga compensated it with
  // closeOrder, which the order service refused (the key's reuse with another reason), parked, and was skipped.
  {
    name: 'order-closed-before-patch',
    faults: (f) => {
      f.faults.set('createOrder', { kind: 'business', code: 'ORDER_CLOSED' });
      f.faults.set('closeOrder', { kind: 'business', code: 'IDEMPOTENCY_KEY_REUSED' });
    },
    during: async (handle, skip) => {
      await waitForStatus(handle, 'COMPENSATION_FAILED', skip);
      await handle.executeUpdate('skipCompensation', { args: [{ by: 'ops', reason: 'nothing to close' }] });
    },
  },
  // After the patch: nothing to undo.
  {
    name: 'order-closed-no-effect',
    faults: (f) => f.faults.set('createOrder', { kind: 'business', code: 'ORDER_CLOSED' }),
  },
  // The order id reused with other content (PATCHES.orderExistsNoEffect): the order is another saga's.
  {
    name: 'order-exists-no-effect',
    faults: (f) => f.faults.set('createOrder', { kind: 'business', code: 'ORDER_EXISTS' }),
  },
];

async function main(): Promise<void> {
  const outDir = path.resolve(__dirname, '..', 'test', 'histories');
  mkdirSync(outDir, { recursive: true });
  disableTestPayloadEncryption();
  const env = await createTimeSkippingEnv();
  try {
    const only = process.argv.slice(2);
    const unknown = only.filter((name) => !scenarios.some((scenario) => scenario.name === name));
    if (unknown.length > 0) throw new Error(`unknown scenarios: ${unknown.join(', ')}`);
    for (const scenario of scenarios.filter((s) => only.length === 0 || only.includes(s.name))) {
      const fakes = new FakeOrderServices();
      scenario.faults?.(fakes);
      const input = orderInput({ orderId: `history-${scenario.name}`, ...scenario.input });
      const skip = () => env.sleep('1 minute');
      const result = await runOrderSaga(
        env,
        fakes.activities(),
        input,
        (handle) => scenario.during?.(handle, skip) ?? Promise.resolve(),
        { startSearchAttributes: scenario.startSearchAttributes ?? true },
      );
      for (const line of await saveHistories(env, input.orderId, scenario.name, outDir)) {
        console.log(`${line} (${result.state.status})`);
      }
    }
  } finally {
    await env.teardown();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
