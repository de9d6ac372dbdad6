import { z } from 'zod';
import { duration, flag, parseEnv, port } from '../lib/env';
import { TASK_QUEUES } from '../lib/task-queues';
import { customerRefKeySchema } from '../lib/codec/customer-ref';

export const ROLES = ['client', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * One API key. `tenant` is the application the key belongs to: it owns the orders the key creates and scopes the
 * order ids derived from Idempotency-Keys, so several secrets of one tenant (old and new, while rotating) act
 * as one. A key without a tenant is a global operator. `name` identifies the key itself in logs and operator
 * decisions (`by`).
 */
export interface ApiKey {
  name: string;
  tenant?: string;
  secret: string;
  role: Role;
}

/** The tenant field of a global operator key: it sees and acts on every tenant's orders. */
export const GLOBAL_TENANT = '*';

/** Secrets must be at least this long when NODE_ENV=production (the demo keys are shorter). */
export const PRODUCTION_SECRET_MIN = 32;

const identifier = /^[A-Za-z0-9_-]{1,64}$/;
const keySecret = /^[\x21-\x7E]{8,200}$/;

function parseEntry(parts: string[]): ApiKey | string {
  // name:secret:role is shorthand: a client key is its own tenant, an operator key is global.
  const [tenantField = '', name = '', secret = '', role = ''] =
    parts.length === 3 ? [parts[2] === 'operator' ? GLOBAL_TENANT : (parts[0] ?? ''), ...parts] : parts;
  if (parts.length !== 3 && parts.length !== 4) return 'expected tenant:name:secret:role (or name:secret:role)';
  if (!identifier.test(name)) return 'name must be 1-64 of [A-Za-z0-9_-]';
  if (tenantField !== GLOBAL_TENANT && !identifier.test(tenantField))
    return 'tenant must be 1-64 of [A-Za-z0-9_-], or * for a global operator';
  if (!keySecret.test(secret)) return 'secret must be 8-200 printable characters without spaces or colons';
  if (!(ROLES as readonly string[]).includes(role)) return `role must be one of ${ROLES.join(', ')}`;
  if (tenantField === GLOBAL_TENANT && role !== 'operator') return 'only an operator key may be global (tenant *)';
  return { name, secret, role: role as Role, ...(tenantField === GLOBAL_TENANT ? {} : { tenant: tenantField }) };
}

/**
 * `API_KEYS="shop:shop-2026:<secret>:client,*:ops:<secret>:operator"` → one ApiKey per comma-separated entry
 * (tenant:name:secret:role; `name:secret:role` is shorthand, see parseEntry).
 */
const apiKeys = z
  .string()
  .min(1, 'set API_KEYS to tenant:name:secret:role[,...] (roles: client, operator; tenant * = global operator)')
  .transform((value, ctx): ApiKey[] => {
    const keys: ApiKey[] = [];
    for (const [index, raw] of value.split(',').entries()) {
      const parsed = parseEntry(raw.trim().split(':'));
      const problem =
        typeof parsed === 'string'
          ? parsed
          : keys.some((k) => k.name === parsed.name)
            ? `duplicate key name ${parsed.name}`
            : keys.some((k) => k.secret === parsed.secret)
              ? 'duplicate secret'
              : undefined;
      if (problem || typeof parsed === 'string') {
        // Never echo the entry itself: it contains a secret.
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: ${problem}` });
        continue;
      }
      keys.push(parsed);
    }
    return keys;
  });

const positiveInt = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const configFields = z.object({
  /** production: secrets must be at least PRODUCTION_SECRET_MIN characters (the Dockerfile sets it). */
  NODE_ENV: z.string().optional(),
  /**
   * Accept the payment service's fault-injecting test cards (`tok_flaky`, `tok_slow`): on by default outside
   * production, off with NODE_ENV=production, where a tenant could otherwise make the shared payment lane slow or
   * failing on purpose.
   */
  FAULT_TEST_CARDS: z.enum(['true', 'false']).optional(),
  /**
   * Long waits (Prefer: wait, the events stream and long-poll) open at once in this process, in all and per tenant
   * (api/wait-slots.ts). Past the cap a POST answers 202 at once and an events request 429 with Retry-After.
   */
  API_MAX_WAITS: positiveInt(500),
  API_MAX_WAITS_PER_TENANT: positiveInt(50),
  API_PORT: port(7100),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  /** Where Prometheus scrapes the API's /metrics: a listener of its own, off when unset (the API port is public). */
  API_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  API_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default(TASK_QUEUES.orders),
  API_KEYS: apiKeys,
  /** Token bucket per tenant (global operators: per key), per API process: requests a minute, bursts as many. */
  RATE_LIMIT_PER_MINUTE: positiveInt(600),
  /**
   * Failed authentications (missing or unknown key) a source address may make a minute, per API process; past
   * it, every request from that address is 429 until its bucket refills, but for the keys that authenticated there.
   */
  AUTH_FAILURES_PER_MINUTE: positiveInt(20),
  /**
   * Express's `trust proxy`: false (the default) takes the socket's address; behind a proxy, the number of proxies
   * (e.g. 1) or their addresses (loopback, 10.0.0.0/8). Not `true`: Express would then take the leftmost
   * X-Forwarded-For, which any client writes, and each could pick its own address for the lockout and limits.
   */
  TRUST_PROXY: z
    .string()
    .min(1)
    .default('false')
    .refine((value) => value !== 'true', {
      message: 'true trusts any X-Forwarded-For a client sends: give the number of proxies (e.g. 1) or their addresses',
    }),
  /**
   * Orders whose total reaches this (minor units) wait for manual approval. This and the two durations below go
   * into each saga's input when it starts, so changing them never changes a saga already running.
   */
  APPROVAL_THRESHOLD_MINOR: z.coerce.number().int().min(0).default(100_000),
  /** How long a manual approval may take before the order is compensated. */
  APPROVAL_TIMEOUT: duration('24 hours'),
  /** How long the payment may take from authorization to capture before the order is compensated. */
  PAYMENT_DEADLINE: duration('30 minutes'),
  /** Returns refunding at least this (minor units) wait for an operator's approval (APPROVAL_TIMEOUT applies). */
  RETURN_APPROVAL_THRESHOLD_MINOR: z.coerce.number().int().min(0).default(50_000),
  /** How long a customer has to send the parcel once the return label is issued; then the return EXPIRES. */
  RETURN_PARCEL_TIMEOUT: duration('14 days'),
  /**
   * Sagas it starts upsert their search attributes at every step (true: `publishMode: 'every-step'`, SagaStep
   * always current) or only when OrderStatus changes (false, the default: one upsert on a happy path instead of
   * about 10, each a history event and a visibility write; the current step stays in the Query and the current
   * details).
   */
  PUBLISH_SAGA_STEPS: flag(false),
  /**
   * How the sagas it starts run their service calls (workflows/shared/step-execution.ts): `local` (the default), as
   * local activities in the worker running the saga (its workflow worker then needs every service's URL and token:
   * WORKER_LOCAL_STEPS), or `remote`, as activities on each service's lane task queue. Part of each saga's input.
   */
  SAGA_STEP_EXECUTION: z.enum(['local', 'remote']).default('local'),
  /**
   * `on`: the API process also runs the saga worker (the worker's `workflows` role, configured by the worker's own
   * variables: the services' URLs and tokens, WORKFLOW_TASK_*, WORKER_METRICS_PORT, ...) and starts sagas eagerly on
   * it: Temporal answers the start with the saga's first workflow task, which runs here at once, instead of handing
   * it to a worker through the task queue (api/saga-worker.ts, docs/DEPLOYMENT.md). `off` (the default): the API
   * only starts sagas, and workers run them.
   */
  API_SAGA_WORKER: z.enum(['on', 'off']).default('off'),
  /** Deadline of each ordinary Temporal call (start, describe, list, result of a closed workflow). */
  TEMPORAL_RPC_TIMEOUT_MS: positiveInt(5_000),
  /** How long a status Query may take before the API answers from the last published search attributes. */
  QUERY_TIMEOUT_MS: positiveInt(3_000),
  /** An event stream (GET /orders/{id}/events) is closed after this long; EventSource clients reconnect and resume. */
  EVENTS_STREAM_MAX_SECONDS: positiveInt(300),
  /** How long the API waits for an accepted Update's outcome before answering 202 (still in progress). */
  UPDATE_TIMEOUT_MS: positiveInt(30_000),
  /**
   * The key of the CustomerId search attribute's keyed hash (lib/codec/customer-ref.ts). Required with payload
   * encryption (PAYLOAD_KEYS / PAYLOAD_KEYS_FILE): search attributes are stored in plain text.
   */
  CUSTOMER_REF_KEY: customerRefKeySchema,
  PAYLOAD_KEYS: z.string().optional(),
  PAYLOAD_KEYS_FILE: z.string().optional(),
});

export const configSchema = configFields.superRefine((config, ctx) => {
  if ((config.PAYLOAD_KEYS || config.PAYLOAD_KEYS_FILE) && !config.CUSTOMER_REF_KEY) {
    const message = 'required when payloads are encrypted: CustomerId is a search attribute, stored in plain text';
    ctx.addIssue({ code: 'custom', path: ['CUSTOMER_REF_KEY'], message });
  }
  if (config.NODE_ENV !== 'production') return;
  for (const [index, key] of config.API_KEYS.entries()) {
    if (key.secret.length < PRODUCTION_SECRET_MIN) {
      ctx.addIssue({
        code: 'custom',
        path: ['API_KEYS'],
        message: `entry ${index + 1}: with NODE_ENV=production a secret needs at least ${PRODUCTION_SECRET_MIN} characters (e.g. openssl rand -hex 32)`,
      });
    }
  }
});

export type ApiConfig = z.infer<typeof configSchema>;

/** The payment service's test cards that fail or stall on purpose. */
export const FAULT_TEST_CARDS = ['tok_flaky', 'tok_slow'] as const;

/** Whether orders may use FAULT_TEST_CARDS (FAULT_TEST_CARDS, else not in production). */
export function acceptsFaultTestCards(config: Pick<ApiConfig, 'FAULT_TEST_CARDS' | 'NODE_ENV'>): boolean {
  return config.FAULT_TEST_CARDS === undefined ? config.NODE_ENV !== 'production' : config.FAULT_TEST_CARDS === 'true';
}

/** Reads and validates the API's environment once; throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseEnv(configSchema, env);
}
