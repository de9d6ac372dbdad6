import type { Client } from '@temporalio/client';
import { sagaStateQuery } from '../../workflows/order/messages';
import type { OrderResult } from '../../workflows/order/types';
import type { SagaState } from '@sagaflow/saga';
import type { ServiceName } from './stack';
import type { AcceptedOrder } from './workload';

// After a chaos run: reads the final state from Temporal (visibility, each workflow's result or live state) and
// from the three services' own APIs, for bench/chaos/invariants.ts to check. Nothing is resolved by hand.

export interface OrderRecord {
  orderId: string;
  status: string;
  customerId: string;
  totalMinor: number;
  items: { sku: string; quantity: number }[];
  createdAt?: string;
  history?: { from: string | null; to: string; at?: string }[];
}
export interface PaymentRecord {
  status: string;
  authorizedMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  ledger: { kind: string; amountMinor: number; currency: string }[];
}
export interface ReservationRecord {
  status: string;
  items: { sku: string; quantity: number }[];
}
export interface ProductRecord {
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

/** Where the harness reads a service (any replica: they share the database) and with which token. */
export interface ServiceEndpoint {
  url: string;
  token: string;
}

export interface Snapshot {
  products: ProductRecord[];
}

async function getJson<T>(service: ServiceEndpoint, path: string): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${service.url}${path}`, {
        headers: { authorization: `Bearer ${service.token}` },
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

export async function snapshotStock(inventory: ServiceEndpoint): Promise<Snapshot> {
  const answer = await getJson<{ products: ProductRecord[] }>(inventory, '/products');
  if (!answer) throw new Error('inventory: no products');
  return { products: answer.products };
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
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
  services: Record<ServiceName, ServiceEndpoint>;
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
  const { client, services } = options;
  const executions = await listExecutions(client);
  const observed = await mapLimit(options.accepted, 16, async (accepted): Promise<Observed> => {
    const runs = executions.get(accepted.orderId) ?? [];
    const workflowStatus = runs[0]?.status;
    let saga: SagaState | undefined;
    const handle = client.workflow.getHandle(accepted.orderId);
    if (workflowStatus === 'COMPLETED') saga = ((await handle.result()) as OrderResult).state;
    else if (workflowStatus === 'RUNNING') saga = await handle.query(sagaStateQuery).catch(() => undefined);
    const [order, payment, reservation] = await Promise.all([
      getJson<OrderRecord>(services.order, `/orders/${accepted.orderId}`),
      getJson<PaymentRecord>(services.payment, `/payments/${accepted.orderId}`),
      getJson<ReservationRecord>(services.inventory, `/reservations/${accepted.orderId}`),
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
      services.order,
      `/orders?customerId=${encodeURIComponent(customerId)}&limit=200`,
    );
    serviceOrders.push(...(page?.orders ?? []));
  }
  const { products } = await snapshotStock(services.inventory);
  const stats = (await getJson<Awaited<ReturnType<typeof observe>>['stats']>(services.inventory, '/stats'))!;
  const ledger = (await getJson<Awaited<ReturnType<typeof observe>>['ledger']>(services.payment, '/ledger/summary'))!;
  return { observed, executions, products, stats, ledger, serviceOrders };
}
