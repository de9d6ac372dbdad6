import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createOperationActivities } from '../../activities/operations';
import { createApp } from '../../api/app';
import { loadConfig } from '../../api/config';
import type { ApiConfig } from '../../api/config';
import { TEST_CUSTOMER_REF_KEY } from '../helpers/payload-keys';
import { ErrorSchema } from '../../api/schemas';
import { createLogger } from '../../lib/logger';
import { listen } from '../../lib/http/listen';
import { FakeOrderServices } from '../helpers/fake-order-services';
import { runWithSagaWorkers } from '../helpers/order-saga';
import { createLocalEnv } from '../helpers/temporal';

/**
 * Secrets of the test keys: tenant shop's client key and its rotated successor, a global operator, tenant kiosk's
 * client key (another tenant: another idempotency scope) and kiosk's own operator.
 */
export const KEYS = {
  client: 'sk_test_client_0001',
  rotatedClient: 'sk_test_client_0001_rotated',
  operator: 'sk_test_operator_0001',
  otherClient: 'sk_test_client_0002',
  otherOperator: 'sk_test_operator_0002',
} as const;
export const API_KEYS = [
  `shop:${KEYS.client}:client`, // shorthand: tenant shop, key shop
  `shop:shop-rotated:${KEYS.rotatedClient}:client`,
  `*:ops:${KEYS.operator}:operator`,
  `kiosk:kiosk:${KEYS.otherClient}:client`,
  `kiosk:kiosk-ops:${KEYS.otherOperator}:operator`,
].join(',');

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  key?: string;
  /** JSON-encoded and sent as application/json. */
  body?: unknown;
  /** Sent as is (with Content-Type application/json unless headers say otherwise). */
  raw?: string;
  headers?: Record<string, string>;
}

export interface TestApi {
  url: string;
  config: ApiConfig;
  request<T = Record<string, unknown>>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

/** The API on a real socket (127.0.0.1, port 0) over the given Temporal client. */
export async function startApi(client: Client, env: Record<string, string> = {}): Promise<TestApi> {
  // The tests' many deliberate 401s come from one address: the failed-authentication limit is tested on its own.
  const config = loadConfig({
    API_KEYS,
    AUTH_FAILURES_PER_MINUTE: '1000000',
    CUSTOMER_REF_KEY: TEST_CUSTOMER_REF_KEY,
    ...env,
  });
  const logger = createLogger({ test: 'api' }).child({}, { level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = createApp({ client, config, logger });
  const server = await listen(app, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    config,
    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
      const headers: Record<string, string> = { ...options.headers };
      if (options.key) headers.authorization = `Bearer ${options.key}`;
      let body: string | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = undefined;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed as T, text };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Asserts the one error shape and code; returns the body for further checks. */
export function assertError(res: ApiResponse, status: number, code: string): { message: string; details?: unknown } {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  const body = ErrorSchema.parse(res.body);
  assert.equal(body.error.code, code, res.text);
  assert.equal(body.requestId, res.headers.get('x-request-id'), 'the error carries the request id of the header');
  return body.error;
}

export function validOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customerId: 'cust-1',
    currency: 'EUR',
    items: [{ sku: 'SKU-1', quantity: 2 }],
    paymentMethod: 'tok_ok',
    ...overrides,
  };
}

let keySequence = 0;
/** A fresh Idempotency-Key per call. */
export function newKey(label = 'k'): string {
  keySequence += 1;
  return `${label}-${process.pid}-${Date.now()}-${keySequence}`;
}

export { pollUntil } from '../helpers/poll-until';

/**
 * A test file's setup on the real dev server: registers before/after hooks that start the dev server and an API
 * on a task queue of the file's own, and gives `run`, which serves that queue with saga workers over fake services
 * while `fn` runs. `env` and `api` exist once the before hook has run.
 */
export function apiOnDevServer(label: string, apiEnv: Record<string, string> = {}) {
  const taskQueue = `api-${label}-${process.pid}`;
  const fakes = new FakeOrderServices();
  let env: TestWorkflowEnvironment | undefined;
  let api: TestApi | undefined;
  before(async () => {
    env = await createLocalEnv();
    api = await startApi(env.client, { TASK_QUEUE: taskQueue, ...apiEnv });
  });
  after(async () => {
    await api?.close();
    await env?.teardown();
  });
  return {
    get env(): TestWorkflowEnvironment {
      assert.ok(env, 'the dev server starts in the before hook');
      return env;
    },
    get api(): TestApi {
      assert.ok(api, 'the API starts in the before hook');
      return api;
    },
    fakes,
    /** The task queue the API starts its sagas on. */
    taskQueue,
    /**
     * The saga workers, with the bulk operations' activities (a client on the dev server, payloads encrypted);
     * `maxTargets` narrows what an operation may act on, as a filter that grew past the limit would.
     */
    run: (fn: () => Promise<void>, operations: { maxTargets?: number } = {}) =>
      runWithSagaWorkers(
        env!,
        taskQueue,
        { ...fakes.activities(), ...createOperationActivities({ client: env!.client, ...operations }) },
        fn,
      ),
  };
}

export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
}

/** Reads a text/event-stream response to its end, handing each message with data to `onMessage` as it arrives. */
export async function readSse(
  res: Response,
  onMessage: (message: SseMessage) => Promise<void> | void = () => undefined,
): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: SseMessage = {};
      for (const line of block.split('\n')) {
        const [field, ...rest] = line.split(':');
        const value = rest.join(':').replace(/^ /, '');
        if (field === 'id' || field === 'event' || field === 'data') message[field] = value;
      }
      if (message.data === undefined) continue;
      messages.push(message);
      await onMessage(message);
    }
  }
  return messages;
}
