import { CLIENT_KEY, OPERATOR_KEY } from './stack';
import { seededRandom } from '../lib/random';

// The chaos workload: a seeded, reproducible mix of orders sent through the public API with bounded concurrency,
// every request retried on faults with the same Idempotency-Key (so a retry can never start a second saga).

export const CONTENTION_SKU = 'SKU-4';
export const SOLD_OUT_SKU = 'SKU-SOLDOUT';
const PLENTIFUL_SKUS = ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-5', 'SKU-6'];

export type OrderKind =
  'ok' | 'flaky' | 'declined' | 'insufficientFunds' | 'soldOut' | 'contention' | 'cancelled' | 'cancelledEarly';

/** Share of each kind in the mix (normalised). */
export const DEFAULT_MIX: Record<OrderKind, number> = {
  ok: 45,
  flaky: 10,
  declined: 10,
  insufficientFunds: 5,
  soldOut: 8,
  contention: 15,
  cancelled: 4,
  cancelledEarly: 4,
};

export interface PlannedOrder {
  index: number;
  kind: OrderKind;
  idempotencyKey: string;
  /** The customer cancels this long after the order was accepted (only some kinds). */
  cancelAfterMs?: number;
  body: {
    customerId: string;
    currency: string;
    items: { sku: string; quantity: number }[];
    paymentMethod: string;
  };
}

/** Customers per run: at most ~100 orders each, so the order service's listing (200 at most) covers them all. */
export function customerCount(sagas: number): number {
  return Math.max(5, Math.ceil(sagas / 100));
}

export function planOrders(sagas: number, seed: number, runId: string, mix = DEFAULT_MIX): PlannedOrder[] {
  const random = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  const kinds = Object.entries(mix) as [OrderKind, number][];
  const total = kinds.reduce((sum, [, weight]) => sum + weight, 0);
  const kindOf = () => {
    let roll = random() * total;
    for (const [kind, weight] of kinds) {
      roll -= weight;
      if (roll < 0) return kind;
    }
    return kinds[kinds.length - 1]![0];
  };
  const customers = customerCount(sagas);
  const lines = (count: number) => {
    const skus = [...PLENTIFUL_SKUS].sort(() => random() - 0.5).slice(0, count);
    return skus.map((sku) => ({ sku, quantity: int(1, 3) }));
  };
  // Every kind in the mix at least once (when there are enough sagas), so a small run still reaches every path;
  // the rest drawn by weight, then all shuffled.
  const present = kinds.filter(([, weight]) => weight > 0).map(([kind]) => kind);
  const planKinds = Array.from({ length: sagas }, (_, i) =>
    sagas >= present.length && i < present.length ? present[i]! : kindOf(),
  );
  for (let i = planKinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [planKinds[i], planKinds[j]] = [planKinds[j]!, planKinds[i]!];
  }
  return planKinds.map((kind, index) => {
    let items = lines(int(1, 2));
    let paymentMethod = 'tok_ok';
    let cancelAfterMs: number | undefined;
    switch (kind) {
      case 'flaky':
        paymentMethod = 'tok_flaky';
        break;
      case 'declined':
        paymentMethod = 'tok_declined';
        break;
      case 'insufficientFunds':
        paymentMethod = 'tok_insufficient_funds';
        break;
      case 'soldOut':
        items = [...lines(1), { sku: SOLD_OUT_SKU, quantity: 1 }];
        break;
      case 'contention':
        items = [{ sku: CONTENTION_SKU, quantity: int(1, 2) }];
        break;
      case 'cancelled':
        // Authorisation takes PAYMENT_SLOW_MS: the cancel request arrives while the saga waits for it.
        paymentMethod = 'tok_slow';
        cancelAfterMs = 500;
        break;
      case 'cancelledEarly':
        // Cancelled at once: the first steps are still in flight (their requests may still be queued in a slow
        // service when the compensations run).
        cancelAfterMs = 0;
        break;
      case 'ok':
        break;
    }
    return {
      index,
      kind,
      idempotencyKey: `chaos-${runId}-${index}`,
      ...(cancelAfterMs === undefined ? {} : { cancelAfterMs }),
      body: { customerId: `chaos-${runId}-c${pick(range(customers))}`, currency: 'EUR', items, paymentMethod },
    };
  });
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export interface AcceptedOrder extends PlannedOrder {
  orderId: string;
  /** POSTs it took (1 when no fault got in the way). */
  attempts: number;
  acceptedAt: number;
  /** For 'cancelled' orders: what the cancel request answered in the end. */
  cancel?: { status: number; code?: string; attempts: number };
}

export interface SubmitStats {
  accepted: AcceptedOrder[];
  /** Orders the API refused for good (4xx other than 429) or that exhausted their retries; should be none. */
  refused: { index: number; status: number; body: string }[];
  /** Answers that were retried, by status (0 = network error). */
  retriedAnswers: Record<string, number>;
  replays: number;
}

async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; text: string; headers: Headers }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}`, ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    return { status: response.status, text: await response.text(), headers: response.headers };
  } catch (err) {
    return { status: 0, text: err instanceof Error ? err.message : String(err), headers: new Headers() };
  }
}

function errorCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

const retryable = (status: number) => status === 0 || status === 429 || status >= 500;
const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5_000)));

/**
 * An order action (cancel, retry-compensation) with its Idempotency-Key, retried with the same key on faults
 * (5xx, 429, network) up to 30 attempts or the deadline; `answer` is undefined when it never got a real answer.
 */
async function postAction(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  deadline: number,
  onRetry: (answer: { status: number; text: string }) => void = () => undefined,
): Promise<{ answer?: { status: number; text: string }; attempts: number }> {
  let attempt = 0;
  while (attempt < 30 && Date.now() < deadline) {
    attempt++;
    const answer = await postJson(url, headers, body);
    if (!retryable(answer.status)) return { answer, attempts: attempt };
    onRetry(answer);
    await pause(attempt);
  }
  return { attempts: attempt };
}

/**
 * Sends every planned order with `concurrency` requests in flight; `onAccepted` sees the count after each
 * acceptance. Cancels the orders planned with a `cancelAfterMs` (`cancelsDone` resolves once every cancel has its
 * answer). Stops submitting when `deadline` passes.
 */
export async function submitOrders(options: {
  apiUrl: string;
  plan: PlannedOrder[];
  concurrency: number;
  deadline: number;
  onAccepted?: (count: number) => void;
}): Promise<SubmitStats & { cancelsDone: Promise<void> }> {
  const stats: SubmitStats = { accepted: [], refused: [], retriedAnswers: {}, replays: 0 };
  const cancels: Promise<void>[] = [];
  const maxAttempts = 30;
  const retried = (answer: { status: number; text: string }) => {
    const key = `${answer.status} ${errorCode(answer.text) ?? ''}`.trim();
    stats.retriedAnswers[key] = (stats.retriedAnswers[key] ?? 0) + 1;
  };

  const cancel = async (order: AcceptedOrder) => {
    await new Promise((resolve) => setTimeout(resolve, order.cancelAfterMs ?? 0));
    const { answer, attempts } = await postAction(
      `${options.apiUrl}/orders/${order.orderId}/cancel`,
      { 'idempotency-key': `${order.idempotencyKey}-cancel` },
      { reason: 'chaos: customer changed their mind' },
      options.deadline,
      retried,
    );
    order.cancel = answer
      ? { status: answer.status, code: errorCode(answer.text), attempts }
      : { status: -1, code: 'GAVE_UP', attempts };
  };

  let next = 0;
  const worker = async () => {
    while (next < options.plan.length && Date.now() < options.deadline) {
      const order = options.plan[next++]!;
      for (let attempt = 1; ; attempt++) {
        const answer = await postJson(
          `${options.apiUrl}/orders`,
          { 'idempotency-key': order.idempotencyKey },
          order.body,
        );
        if (answer.status === 202) {
          const { orderId } = JSON.parse(answer.text) as { orderId: string };
          if (answer.headers.get('idempotent-replay') === 'true') stats.replays += 1;
          const accepted: AcceptedOrder = { ...order, orderId, attempts: attempt, acceptedAt: Date.now() };
          stats.accepted.push(accepted);
          options.onAccepted?.(stats.accepted.length);
          if (order.cancelAfterMs !== undefined) cancels.push(cancel(accepted));
          break;
        }
        if (!retryable(answer.status) || attempt >= maxAttempts || Date.now() >= options.deadline) {
          stats.refused.push({ index: order.index, status: answer.status, body: answer.text.slice(0, 500) });
          break;
        }
        retried(answer);
        await pause(attempt);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return { ...stats, cancelsDone: Promise.all(cancels).then(() => undefined) };
}

/**
 * The operator's part: asks every parked saga to retry its compensations (`POST /orders/{id}/retry-compensation`
 * with the operator key and an Idempotency-Key, retried with it on faults). Returns the final answers by status.
 */
export async function retryParkedCompensations(options: {
  apiUrl: string;
  orderIds: string[];
  deadline: number;
}): Promise<Record<string, number>> {
  const answers: Record<string, number> = {};
  await Promise.all(
    options.orderIds.map(async (orderId) => {
      const { answer } = await postAction(
        `${options.apiUrl}/orders/${orderId}/retry-compensation`,
        { authorization: `Bearer ${OPERATOR_KEY}`, 'idempotency-key': `${orderId}-operator-retry` },
        {},
        options.deadline,
      );
      const key = answer ? `${answer.status} ${errorCode(answer.text) ?? ''}`.trim() : 'GAVE_UP';
      answers[key] = (answers[key] ?? 0) + 1;
    }),
  );
  return answers;
}
