// The demo orders (a success, an out-of-stock, a declined card, a large order cancelled during approval),
// placed through the running stack's API and followed to their end, and a return of the success. Used by scripts/demo and scripts/screenshots.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parseEnv } from '../lib/env';
import { customerSearchValue } from '../lib/codec/customer-ref';
import { localCustomerRefKey } from '../lib/codec/dev-keys';

export const config = parseEnv(
  z.object({
    API_URL: z.url().default('http://127.0.0.1:7100'),
    API_KEY: z.string().default('sk_demo_client'),
    /** The warehouse's (an operator's) key, which takes a return's parcel in. */
    API_OPERATOR_KEY: z.string().default('sk_demo_operator'),
    TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
    TEMPORAL_NAMESPACE: z.string().default('default'),
  }),
);

export interface Scenario {
  name: string;
  body: { customerId: string; currency: string; items: { sku: string; quantity: number }[]; paymentMethod: string };
  cancelWhile?: string;
}

export const scenarios: Scenario[] = [
  { name: 'success', body: order('SKU-1', 2, 'tok_ok') },
  { name: 'out of stock', body: order('SKU-SOLDOUT', 1, 'tok_ok') },
  { name: 'declined card', body: order('SKU-2', 1, 'tok_declined') },
  { name: 'cancelled while awaiting approval', body: order('SKU-4', 10, 'tok_ok'), cancelWhile: 'AWAITING_APPROVAL' },
];

function order(sku: string, quantity: number, paymentMethod: string): Scenario['body'] {
  return { customerId: 'demo-customer', currency: 'EUR', items: [{ sku, quantity }], paymentMethod };
}

async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  key = config.API_KEY,
): Promise<{ status: number; json: T }> {
  const creates = method === 'POST' && /^\/orders(\/[^/]+\/returns)?$/.test(path);
  const response = await fetch(`${config.API_URL}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      ...(creates ? { 'idempotency-key': randomUUID() } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T };
}

const FINAL = ['COMPLETED', 'COMPENSATED', 'CANCELLED', 'COMPENSATION_FAILED', 'FORWARD_FAILED'];

export interface DemoOutcome {
  name: string;
  orderId: string;
  status: string;
  link: string;
}

/** Places the scenario's order and follows it (cancelling it where the scenario says) until it ends. */
export async function follow(scenario: Scenario): Promise<DemoOutcome> {
  const started = await api<{ orderId: string }>('POST', '/orders', scenario.body);
  if (started.status !== 202) throw new Error(`${scenario.name}: POST /orders answered ${started.status}`);
  const { orderId } = started.json;
  for (let i = 0; i < 600; i++) {
    const { json } = await api<{ status: string }>('GET', `/orders/${orderId}`);
    if (scenario.cancelWhile && json.status === scenario.cancelWhile) {
      const cancelled = await api<unknown>('POST', `/orders/${orderId}/cancel`, { reason: 'demo: customer cancelled' });
      if (cancelled.status !== 200) throw new Error(`${scenario.name}: cancel answered ${cancelled.status}`);
    } else if (FINAL.includes(json.status)) {
      const link = `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${orderId}`;
      return { name: scenario.name, orderId, status: json.status, link };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${scenario.name}: order ${orderId} did not finish in time`);
}

/**
 * Returns one unit of a completed order: the client requests the return, the warehouse (an operator key) takes the
 * parcel in once the label is issued, and the return is followed until it ends (restocked and refunded).
 */
export async function followReturn(orderId: string): Promise<DemoOutcome> {
  const name = 'return of one unit of the success';
  const requested = await api<{ returnId: string; statusUrl: string }>('POST', `/orders/${orderId}/returns`, {
    items: [{ sku: 'SKU-1', quantity: 1 }],
    reason: 'demo: does not fit',
  });
  if (requested.status !== 202) throw new Error(`${name}: POST returns answered ${requested.status}`);
  const { returnId, statusUrl } = requested.json;
  for (let i = 0; i < 600; i++) {
    const { json } = await api<{ status: string; workflowStatus: string; currentStep?: string }>('GET', statusUrl);
    if (json.currentStep === 'awaitParcel' && json.status === 'RUNNING') {
      const received = await api<unknown>(
        'POST',
        `${statusUrl}/parcel-received`,
        { note: 'demo' },
        config.API_OPERATOR_KEY,
      );
      if (received.status !== 200) throw new Error(`${name}: parcel-received answered ${received.status}`);
    } else if (json.workflowStatus !== 'RUNNING') {
      const link = `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${returnId}`;
      return { name, orderId, status: json.status, link };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name}: return ${returnId} did not finish in time`);
}

/** The visibility query for the demo customer's orders (CustomerId holds a keyed hash, lib/codec/customer-ref.ts). */
export const demoCustomerQuery = () => `CustomerId = "${customerSearchValue('demo-customer', localCustomerRefKey())}"`;

export const demoListLink = () =>
  `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows?query=${encodeURIComponent(demoCustomerQuery())}`;
