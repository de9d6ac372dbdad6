// Records the returns saga's histories for the replay tests (test/saga/replay.test.ts): each scenario fulfils an
// order, then runs a return of it on the time-skipping test server against the real services (SQLite, throwaway
// databases), and saves the return's event history as test/histories/return-<name>.json.
// Re-record only when a change is meant to be incompatible with running sagas (see docs/ARCHITECTURE.md);
// `npx tsx scripts/record-return-histories.ts NAME...` records only the named scenarios.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ReturnInput } from '../workflows/returns/types';
import { saveHistories } from '../test/helpers/histories';
import { createTimeSkippingEnv } from '../test/helpers/temporal';
import { disableTestPayloadEncryption } from '../test/helpers/payload-keys';
import { waitForStatus, waitForStep } from '../test/helpers/order-saga';
import { approveUpdate, restartUpdate } from '../workflows/order/messages';
import { startRealServices } from '../test/helpers/real-services';
import type { RealServices } from '../test/helpers/real-services';
import { fulfilledOrder, receiveParcel, returnInput, runReturnSaga } from '../test/helpers/return-saga';
import type { ReturnHandle } from '../test/helpers/return-saga';

interface Scenario {
  name: string;
  input?: Partial<ReturnInput>;
  before?: (services: RealServices, orderId: string) => Promise<void>;
  during?: (handle: ReturnHandle) => Promise<void>;
  /** A transport in front of the services (the restart scenario's refusing payment provider). */
  fetch?: typeof globalThis.fetch;
}

/** The payment provider refuses refunds until it is fixed (`refusing.now = false`). */
const refusing = { now: true };
const refusingRefunds: typeof globalThis.fetch = async (url, init) => {
  const key = new Headers(init?.headers).get('idempotency-key') ?? '';
  if (refusing.now && key.endsWith(':refund')) {
    return Response.json({ error: { code: 'PROVIDER_REFUSED', message: 'refund refused' } }, { status: 409 });
  }
  return globalThis.fetch(url, init);
};

const parcelArrives = async (handle: ReturnHandle) => {
  await waitForStep(handle, 'awaitParcel');
  await receiveParcel(handle);
};

/** The refund is refused until the provider is fixed; then an operator restarts the parked return from its restock. */
const restartedAfterRefusedRefund: Pick<Scenario, 'before' | 'fetch' | 'during'> = {
  before: async () => {
    refusing.now = true;
  },
  fetch: refusingRefunds,
  during: async (handle) => {
    await parcelArrives(handle);
    await waitForStatus(handle, 'FORWARD_FAILED');
    refusing.now = false;
    await handle.executeUpdate(restartUpdate, { args: [{ from: 'restock', by: 'ops', reason: 'provider fixed' }] });
  },
};
const high: Partial<ReturnInput> = { items: [{ sku: 'SKU-1', quantity: 2 }], approvalThresholdMinor: 4_900 };

const scenarios: Scenario[] = [
  { name: 'completed', during: parcelArrives },
  { name: 'expired' },
  {
    name: 'approved',
    input: high,
    during: async (handle) => {
      await waitForStatus(handle, 'AWAITING_APPROVAL');
      await handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'ops' }] });
      await parcelArrives(handle);
    },
  },
  {
    name: 'rejected',
    input: high,
    during: async (handle) => {
      await waitForStatus(handle, 'AWAITING_APPROVAL');
      await handle.executeUpdate(approveUpdate, { args: [{ approved: false, by: 'ops', reason: 'worn' }] });
    },
  },
  {
    name: 'refund-parked-resolved',
    before: async (services, orderId) => {
      await services.clients.payment.refund(orderId, 4_900, { idempotencyKey: `manual-${orderId}` });
    },
    during: async (handle) => {
      await parcelArrives(handle);
      await waitForStatus(handle, 'FORWARD_FAILED');
      await handle.executeUpdate('resolveStep', { args: [{ by: 'ops', reason: 'refunded by hand' }] });
    },
  },
  // Two histories: the parked run that took the restart (continued as new), and the run that restarted.
  { name: 'restarted', ...restartedAfterRefusedRefund },
  // Service calls as local activities (stepExecution 'local', as the API starts returns since issue 23).
  { name: 'local-completed', input: { stepExecution: 'local' }, during: parcelArrives },
  { name: 'local-restarted', input: { stepExecution: 'local' }, ...restartedAfterRefusedRefund },
  // Restock and refund at once (SagaStep.group, PATCHES.parallelGroups).
  { name: 'grouped-local-completed', input: { stepExecution: 'local' }, during: parcelArrives },
];

async function main(): Promise<void> {
  const outDir = path.resolve(__dirname, '..', 'test', 'histories');
  mkdirSync(outDir, { recursive: true });
  disableTestPayloadEncryption();
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !scenarios.some((scenario) => scenario.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenarios: ${unknown.join(', ')}`);
  const [env, services] = await Promise.all([createTimeSkippingEnv(), startRealServices('sqlite')]);
  try {
    for (const scenario of scenarios.filter((s) => only.length === 0 || only.includes(s.name))) {
      const orderId = await fulfilledOrder(env, services);
      await scenario.before?.(services, orderId);
      const input = returnInput(orderId, { returnId: `history-return-${scenario.name}`, ...scenario.input });
      const result = await runReturnSaga(env, services.returnActivities(scenario.fetch), input, scenario.during);
      for (const line of await saveHistories(env, input.returnId, `return-${scenario.name}`, outDir)) {
        console.log(`${line} (${result.state.status})`);
      }
    }
  } finally {
    await Promise.all([env.teardown(), services.stop()]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
