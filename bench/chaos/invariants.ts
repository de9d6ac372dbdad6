import type { Client } from '@temporalio/client';
import { sagaStateQuery } from '../../workflows/order/messages';
import type { OrderResult } from '../../workflows/order/types';
import type { SagaState } from '../../packages/saga';
import type { ServiceName } from './stack';
import { SERVICE_TOKEN } from './stack';
import type { AcceptedOrder } from './workload';

// After a chaos run: reads the final state from Temporal (visibility, each workflow's result or live state) and
// from the three services' own APIs, and checks the invariants across them. Nothing is resolved by hand.

interface OrderRecord {
  orderId: string;
  status: string;
  customerId: string;
  totalMinor: number;
  items: { sku: string; quantity: number }[];
  createdAt?: string;
  history?: { from: string | null; to: string; at?: string }[];
}
interface PaymentRecord {
  status: string;
  authorizedMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  ledger: { kind: string; amountMinor: number; currency: string }[];
}
interface ReservationRecord {
  status: string;
  items: { sku: string; quantity: number }[];
}
interface ProductRecord {
  sku: string;
  totalStock: number;
  available: number;
  reserved: number;
  committed: number;
}

export interface Observed {
  orderId: string;
  kind: string;
  /** Temporal execution status of its workflow (undefined: no workflow). */
  workflowStatus?: string;
  runs: number;
  saga?: SagaState;
  order?: OrderRecord;
  payment?: PaymentRecord;
  reservation?: ReservationRecord;
}

export interface InvariantResult {
  name: string;
  ok: boolean;
  checked: number;
  violations: string[];
}

export interface Snapshot {
  products: ProductRecord[];
}

async function getJson<T>(url: string, path: string): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${url}${path}`, {
        headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
        signal: AbortSignal.timeout(20_000),
      });
      if (response.status === 404) return undefined;
      if (response.ok) return (await response.json()) as T;
      if (attempt >= 5) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    } catch (err) {
      if (attempt >= 5) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
}

export async function snapshotStock(inventoryUrl: string): Promise<Snapshot> {
  const answer = await getJson<{ products: ProductRecord[] }>(inventoryUrl, '/products');
  if (!answer) throw new Error('inventory: no products');
  return { products: answer.products };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, limit) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]!);
      }
    }),
  );
  return results;
}

/** Every orderFulfillment execution in visibility, by workflow id. */
export async function listExecutions(client: Client): Promise<Map<string, { runId: string; status: string }[]>> {
  const executions = new Map<string, { runId: string; status: string }[]>();
  for await (const execution of client.workflow.list({ query: 'WorkflowType = "orderFulfillment"' })) {
    const runs = executions.get(execution.workflowId) ?? [];
    runs.push({ runId: execution.runId, status: execution.status.name });
    executions.set(execution.workflowId, runs);
  }
  return executions;
}

/** Reads everything the invariants need. */
export async function observe(options: {
  client: Client;
  serviceUrls: Record<ServiceName, string>;
  accepted: AcceptedOrder[];
  customers: string[];
}): Promise<{
  observed: Observed[];
  executions: Map<string, { runId: string; status: string }[]>;
  products: ProductRecord[];
  stats: { consistent: boolean; products: (ProductRecord & { consistent: boolean })[] };
  ledger: { currencies: { currency: string; capturedMinor: number; refundedMinor: number; netMinor: number }[] };
  serviceOrders: OrderRecord[];
}> {
  const { client, serviceUrls } = options;
  const executions = await listExecutions(client);
  const observed = await mapLimit(options.accepted, 16, async (accepted): Promise<Observed> => {
    const runs = executions.get(accepted.orderId) ?? [];
    const workflowStatus = runs[0]?.status;
    let saga: SagaState | undefined;
    const handle = client.workflow.getHandle(accepted.orderId);
    if (workflowStatus === 'COMPLETED') saga = ((await handle.result()) as OrderResult).state;
    else if (workflowStatus === 'RUNNING') saga = await handle.query(sagaStateQuery).catch(() => undefined);
    const [order, payment, reservation] = await Promise.all([
      getJson<OrderRecord>(serviceUrls.order, `/orders/${accepted.orderId}`),
      getJson<PaymentRecord>(serviceUrls.payment, `/payments/${accepted.orderId}`),
      getJson<ReservationRecord>(serviceUrls.inventory, `/reservations/${accepted.orderId}`),
    ]);
    return {
      orderId: accepted.orderId,
      kind: accepted.kind,
      workflowStatus,
      runs: runs.length,
      saga,
      order,
      payment,
      reservation,
    };
  });
  const serviceOrders: OrderRecord[] = [];
  for (const customerId of options.customers) {
    const page = await getJson<{ orders: OrderRecord[] }>(
      serviceUrls.order,
      `/orders?customerId=${encodeURIComponent(customerId)}&limit=200`,
    );
    serviceOrders.push(...(page?.orders ?? []));
  }
  const { products } = await snapshotStock(serviceUrls.inventory);
  const stats = (await getJson<Awaited<ReturnType<typeof observe>>['stats']>(serviceUrls.inventory, '/stats'))!;
  const ledger = (await getJson<Awaited<ReturnType<typeof observe>>['ledger']>(
    serviceUrls.payment,
    '/ledger/summary',
  ))!;
  return { observed, executions, products, stats, ledger, serviceOrders };
}

/** What a violation report needs to tell what happened: the saga's steps and compensations, the order's dates. */
function forensics(o: Observed): string {
  const saga = o.saga;
  const time = (at: number) => new Date(at).toISOString();
  return [
    ` [${o.kind}]`,
    saga ? ` steps ${saga.completedSteps.join('>') || '-'}` : '',
    saga?.cancellation ? `; cancelled ${time(saga.cancellation.at)}` : '',
    saga?.failure ? `; failed ${saga.failure.step} ${saga.failure.type}` : '',
    ...(saga?.compensations ?? []).map((c) => `; ${c.activity} ${c.outcome} ${time(c.at)}`),
    o.order?.createdAt ? `; order created ${o.order.createdAt}` : '',
  ].join('');
}

/** A saga waiting for an operator: its compensations ran out of retries. */
export const isParked = (o: Observed) => o.workflowStatus === 'RUNNING' && o.saga?.status === 'COMPENSATION_FAILED';

const FINAL_ORDER_STATUS: Record<string, string> = {
  COMPLETED: 'CONFIRMED',
  COMPENSATED: 'COMPENSATED',
  CANCELLED: 'CANCELLED',
};

/** The invariants over what `observe` read; `initial` is the stock before the run. */
export function checkInvariants(
  data: Awaited<ReturnType<typeof observe>>,
  initial: Snapshot,
  accepted: AcceptedOrder[],
): InvariantResult[] {
  const results: InvariantResult[] = [];
  const check = (name: string, checked: number, fn: (fail: (message: string) => void) => void) => {
    const violations: string[] = [];
    fn((message) => violations.push(message));
    results.push({ name, ok: violations.length === 0, checked, violations: violations.slice(0, 20) });
  };
  const { observed } = data;
  const acceptedIds = new Set(accepted.map((order) => order.orderId));
  const settled = (o: Observed) => o.workflowStatus === 'COMPLETED' && o.saga && FINAL_ORDER_STATUS[o.saga.status];
  const confirmed = data.serviceOrders.filter((order) => order.status === 'CONFIRMED');

  check(
    'every accepted order has exactly one workflow, and every workflow an accepted order',
    observed.length,
    (fail) => {
      for (const o of observed) if (o.runs !== 1) fail(`${o.orderId}: ${o.runs} workflow runs`);
      for (const [workflowId] of data.executions) {
        if (!acceptedIds.has(workflowId)) fail(`${workflowId}: a workflow no accepted order asked for`);
      }
      if (acceptedIds.size !== accepted.length) fail(`${accepted.length - acceptedIds.size} duplicate order ids`);
    },
  );

  check('every saga ended COMPLETED, COMPENSATED or CANCELLED, or is parked with a reason', observed.length, (fail) => {
    for (const o of observed) {
      if (settled(o)) continue;
      if (isParked(o)) {
        const reasons = o.saga!.parked.filter((p) => p.error.trim() !== '');
        if (reasons.length === 0 || reasons.length !== o.saga!.parked.length)
          fail(`${o.orderId}: parked without a reason`);
        continue;
      }
      fail(`${o.orderId}: workflow ${o.workflowStatus ?? 'missing'}, saga ${o.saga?.status ?? 'unknown'}`);
    }
  });

  check("no order lost: the order service's order matches its saga's end", observed.length, (fail) => {
    for (const o of observed) {
      if (!settled(o)) continue;
      const expected = FINAL_ORDER_STATUS[o.saga!.status]!;
      if (!o.order) {
        // Only a saga that never got past createOrder may have no order in the order service.
        if (o.saga!.status === 'COMPLETED' || o.saga!.completedSteps.includes('createOrder'))
          fail(`${o.orderId}: saga ${o.saga!.status} but the order service has no order`);
        continue;
      }
      if (o.order.status !== expected)
        fail(`${o.orderId}: saga ${o.saga!.status}, order ${o.order.status}${forensics(o)}`);
    }
    for (const order of data.serviceOrders) {
      if (!acceptedIds.has(order.orderId)) fail(`${order.orderId}: an order in the order service no saga started`);
    }
  });

  check('no payment charged twice: at most one authorization and one capture per order', observed.length, (fail) => {
    for (const o of observed) {
      const kinds = (o.payment?.ledger ?? []).map((row) => row.kind);
      const count = (kind: string) => kinds.filter((k) => k === kind).length;
      if (count('CAPTURE') > 1) fail(`${o.orderId}: ${count('CAPTURE')} captures`);
      if (count('AUTHORIZE') > 1) fail(`${o.orderId}: ${count('AUTHORIZE')} authorizations`);
      if (count('REFUND') > 1) fail(`${o.orderId}: ${count('REFUND')} refunds`);
    }
  });

  check(
    'payments match the saga: confirmed orders captured in full, undone orders keep no money',
    observed.length,
    (fail) => {
      for (const o of observed) {
        if (!settled(o)) continue;
        const p = o.payment;
        if (o.saga!.status === 'COMPLETED') {
          if (!p || p.status !== 'CAPTURED') fail(`${o.orderId}: COMPLETED but payment ${p?.status ?? 'missing'}`);
          else if (p.capturedMinor !== o.order?.totalMinor || p.refundedMinor !== 0)
            fail(
              `${o.orderId}: captured ${p.capturedMinor}, refunded ${p.refundedMinor}, order total ${o.order?.totalMinor}`,
            );
        } else if (p) {
          if (!['VOIDED', 'REFUNDED'].includes(p.status))
            fail(`${o.orderId}: ${o.saga!.status} but payment ${p.status}`);
          if (p.capturedMinor !== p.refundedMinor)
            fail(`${o.orderId}: ${o.saga!.status} keeps ${p.capturedMinor - p.refundedMinor} (captured − refunded)`);
        }
      }
    },
  );

  const confirmedTotal = confirmed.reduce((sum, order) => sum + order.totalMinor, 0);
  check('money: Σ captured − Σ refunded = Σ totals of CONFIRMED orders', data.ledger.currencies.length, (fail) => {
    const net = data.ledger.currencies.reduce((sum, c) => sum + c.capturedMinor - c.refundedMinor, 0);
    if (net !== confirmedTotal) fail(`ledger net ${net} ≠ confirmed orders' total ${confirmedTotal}`);
    for (const c of data.ledger.currencies) {
      if (c.currency !== 'EUR') fail(`unexpected currency ${c.currency}`);
      if (c.refundedMinor > c.capturedMinor)
        fail(`${c.currency}: refunded ${c.refundedMinor} > captured ${c.capturedMinor}`);
    }
  });

  check(
    'stock: available + reserved + committed = initial stock, committed = Σ CONFIRMED quantities',
    data.products.length,
    (fail) => {
      if (!data.stats.consistent) fail("inventory's own /stats is not consistent");
      const confirmedQty = new Map<string, number>();
      for (const order of confirmed) {
        for (const item of order.items) confirmedQty.set(item.sku, (confirmedQty.get(item.sku) ?? 0) + item.quantity);
      }
      const heldQty = new Map<string, number>();
      for (const o of observed.filter(isParked)) {
        if (o.reservation?.status !== 'RESERVED') continue;
        for (const item of o.reservation.items) heldQty.set(item.sku, (heldQty.get(item.sku) ?? 0) + item.quantity);
      }
      for (const product of data.products) {
        const before = initial.products.find((p) => p.sku === product.sku);
        if (!before) {
          fail(`${product.sku}: not in the initial snapshot`);
          continue;
        }
        const sum = product.available + product.reserved + product.committed;
        if (sum !== before.totalStock || product.totalStock !== before.totalStock)
          fail(
            `${product.sku}: ${product.available} + ${product.reserved} + ${product.committed} = ${sum}, initial ${before.totalStock}`,
          );
        if (product.available < 0) fail(`${product.sku}: available ${product.available} < 0`);
        const committed = product.committed - before.committed;
        if (committed !== (confirmedQty.get(product.sku) ?? 0))
          fail(
            `${product.sku}: committed ${committed} during the run, CONFIRMED orders hold ${confirmedQty.get(product.sku) ?? 0}`,
          );
        const reserved = product.reserved - before.reserved;
        if (reserved !== (heldQty.get(product.sku) ?? 0))
          fail(`${product.sku}: still reserved ${reserved}, parked sagas hold ${heldQty.get(product.sku) ?? 0}`);
      }
    },
  );

  check('reservations match the saga: committed when confirmed, released otherwise', observed.length, (fail) => {
    for (const o of observed) {
      if (!settled(o)) continue;
      const status = o.reservation?.status;
      if (o.saga!.status === 'COMPLETED') {
        if (status !== 'COMMITTED') fail(`${o.orderId}: COMPLETED, reservation ${status ?? 'missing'}`);
      } else if (status !== undefined && status !== 'RELEASED') {
        fail(`${o.orderId}: ${o.saga!.status}, reservation ${status}`);
      }
    }
  });

  check(
    'business outcomes: declined cards, missing funds and sold-out products never confirm',
    observed.length,
    (fail) => {
      for (const o of observed) {
        if (['declined', 'insufficientFunds', 'soldOut'].includes(o.kind) && o.saga?.status === 'COMPLETED')
          fail(`${o.orderId} (${o.kind}) COMPLETED`);
      }
    },
  );

  const byId = new Map(accepted.map((order) => [order.orderId, order]));
  const cancelled = observed.filter((o) => byId.get(o.orderId)?.cancel);
  check("cancels tell the truth: the customer's answer matches the saga's end", cancelled.length, (fail) => {
    for (const o of cancelled) {
      const answer = byId.get(o.orderId)!.cancel!;
      const end = o.saga?.status;
      const said = `${answer.status}${answer.code ? ` ${answer.code}` : ''}`;
      if (answer.status === 200 || answer.status === 202) {
        // Accepted: the saga records the cancellation and ends CANCELLED (or is parked compensating it).
        if (!o.saga?.cancellation || (end !== 'CANCELLED' && end !== 'COMPENSATION_FAILED'))
          fail(`${o.orderId}: cancel answered ${said}, saga ${end}`);
      } else if (answer.status === 409 && (answer.code === 'CANCEL_REFUSED' || answer.code === 'ORDER_CLOSED')) {
        if (end === 'CANCELLED') fail(`${o.orderId}: cancel answered ${said}, but the saga was cancelled`);
      } else {
        fail(`${o.orderId}: cancel answered ${said}`);
      }
    }
  });

  return results;
}
