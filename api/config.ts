import { z } from 'zod';
import { duration, flag, parseEnv, port } from '../lib/env';
import { TASK_QUEUES } from '../lib/task-queues';

export const ROLES = ['client', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** One API key: `name` identifies the caller in logs, idempotency scope and operator decisions (`by`). */
export interface ApiKey {
  name: string;
  secret: string;
  role: Role;
}

const keyName = /^[A-Za-z0-9_-]{1,64}$/;
const keySecret = /^[\x21-\x7E]{8,200}$/;

/** `API_KEYS="demo:sk_demo_client:client,ops:sk_demo_operator:operator"` → one ApiKey per comma-separated entry. */
const apiKeys = z
  .string()
  .min(1, 'set API_KEYS to name:secret:role[,name:secret:role...] (roles: client, operator)')
  .transform((value, ctx): ApiKey[] => {
    const keys: ApiKey[] = [];
    for (const [index, raw] of value.split(',').entries()) {
      const entry = raw.trim();
      const parts = entry.split(':');
      const [name = '', secret = '', role = ''] = parts;
      const problem =
        parts.length !== 3
          ? 'expected name:secret:role'
          : !keyName.test(name)
            ? 'name must be 1-64 of [A-Za-z0-9_-]'
            : !keySecret.test(secret)
              ? 'secret must be 8-200 printable characters without spaces or colons'
              : !(ROLES as readonly string[]).includes(role)
                ? `role must be one of ${ROLES.join(', ')}`
                : keys.some((k) => k.name === name)
                  ? `duplicate key name ${name}`
                  : keys.some((k) => k.secret === secret)
                    ? 'duplicate secret'
                    : undefined;
      if (problem) {
        // Never echo the entry itself: it contains a secret.
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: ${problem}` });
        continue;
      }
      keys.push({ name, secret, role: role as Role });
    }
    return keys;
  });

const positiveInt = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const configSchema = z.object({
  API_PORT: port(7100),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default(TASK_QUEUES.orders),
  API_KEYS: apiKeys,
  /** Token bucket per API key, per API process: this many requests a minute, bursts up to the same number. */
  RATE_LIMIT_PER_MINUTE: positiveInt(600),
  /**
   * Orders whose total reaches this (minor units) wait for manual approval. This and the two durations below go
   * into each saga's input when it starts, so changing them never changes a saga already running.
   */
  APPROVAL_THRESHOLD_MINOR: z.coerce.number().int().min(0).default(100_000),
  /** How long a manual approval may take before the order is compensated. */
  APPROVAL_TIMEOUT: duration('24 hours'),
  /** How long the payment may take from authorization to capture before the order is compensated. */
  PAYMENT_DEADLINE: duration('30 minutes'),
  /**
   * Sagas it starts upsert their search attributes at every step (true: `publishMode: 'every-step'`, SagaStep
   * always current) or only when OrderStatus changes (false, the default: one upsert on a happy path instead of
   * about 10, each a history event and a visibility write; the current step stays in the Query and the current
   * details).
   */
  PUBLISH_SAGA_STEPS: flag(false),
  /** Deadline of each ordinary Temporal call (start, describe, list, result of a closed workflow). */
  TEMPORAL_RPC_TIMEOUT_MS: positiveInt(5_000),
  /** How long a status Query may take before the API answers from the last published search attributes. */
  QUERY_TIMEOUT_MS: positiveInt(3_000),
  /** How long the API waits for an accepted Update's outcome before answering 202 (still in progress). */
  UPDATE_TIMEOUT_MS: positiveInt(30_000),
});

export type ApiConfig = z.infer<typeof configSchema>;

/** Reads and validates the API's environment once; throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseEnv(configSchema, env);
}
