import type { AcceptedOrder } from './workload';
import type { InvariantResult, Observed, Snapshot } from './observe';
import type { observe } from './observe';

// After a chaos run: checks the invariants across what Temporal and the three services say (bench/chaos/observe.ts).

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
