import { z } from 'zod';
import { parseEnv, port } from '../env';
import type { FaultConfig } from './fault-injection';

export interface ServiceEnv {
  port: number;
  host: string;
  databaseUrl: string;
  token: string;
  logLevel: string;
  /** <NAME>_FAULT_RATE: share of mutating requests answered 503 (chaos tests). */
  faultRate: number;
  /** Every injected fault (chaos tests): <NAME>_FAULT_RATE, <NAME>_FAULT_LATENCY_MS, <NAME>_FAULT_LOST_RESPONSE_RATE. */
  faults: Required<FaultConfig>;
}

const share = z.coerce.number().min(0).max(1).default(0);
const latencyMs = z.coerce.number().int().min(0).max(60_000).default(0);

/**
 * The environment every service reads: PORT, HOST, DATABASE_URL (default file:.data/<name>.db), SERVICE_TOKEN
 * (required), LOG_LEVEL and the chaos faults <NAME>_FAULT_RATE, <NAME>_FAULT_LATENCY_MS and
 * <NAME>_FAULT_LOST_RESPONSE_RATE (INVENTORY_FAULT_RATE, ...). Fails with one message naming each bad one.
 */
/** A service's token must be at least this long with NODE_ENV=production. */
export const PRODUCTION_TOKEN_MIN = 32;

export function loadServiceEnv(name: string, defaultPort: number, env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const prefix = name.toUpperCase();
  const vars = {
    rate: `${prefix}_FAULT_RATE`,
    latencyMs: `${prefix}_FAULT_LATENCY_MS`,
    lostResponseRate: `${prefix}_FAULT_LOST_RESPONSE_RATE`,
  } as const;
  const schema = z
    .object({
      PORT: port(defaultPort),
      HOST: z.string().min(1).default('127.0.0.1'),
      DATABASE_URL: z.string().min(1).default(`file:.data/${name}.db`),
      SERVICE_TOKEN: z
        .string({ error: "SERVICE_TOKEN (this service's own bearer token) is required" })
        .min(8, 'at least 8 characters'),
      LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      NODE_ENV: z.string().optional(),
    })
    .refine((env) => env.NODE_ENV !== 'production' || env.SERVICE_TOKEN.length >= PRODUCTION_TOKEN_MIN, {
      path: ['SERVICE_TOKEN'],
      message: `with NODE_ENV=production at least ${PRODUCTION_TOKEN_MIN} characters (openssl rand -hex 32)`,
    });
  const parsed = parseEnv(schema, env);
  const fault = parseEnv(
    z.object({ [vars.rate]: share, [vars.latencyMs]: latencyMs, [vars.lostResponseRate]: share }),
    Object.fromEntries(Object.values(vars).map((key) => [key, env[key]])),
  );
  const faults = {
    rate: fault[vars.rate] ?? 0,
    latencyMs: fault[vars.latencyMs] ?? 0,
    lostResponseRate: fault[vars.lostResponseRate] ?? 0,
  };
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    databaseUrl: parsed.DATABASE_URL,
    token: parsed.SERVICE_TOKEN,
    logLevel: parsed.LOG_LEVEL,
    faultRate: faults.rate,
    faults,
  };
}
