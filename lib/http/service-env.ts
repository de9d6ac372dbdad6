import { z } from 'zod';
import { parseEnv, port } from '../env';

export interface ServiceEnv {
  port: number;
  host: string;
  databaseUrl: string;
  token: string;
  logLevel: string;
  /** <NAME>_FAULT_RATE: share of mutating requests answered 503 (chaos tests). */
  faultRate: number;
}

const faultRate = z.coerce.number().min(0).max(1).default(0);

/**
 * The environment every service reads: PORT, HOST, DATABASE_URL (default file:.data/<name>.db), SERVICE_TOKEN
 * (required), LOG_LEVEL and <NAME>_FAULT_RATE (INVENTORY_FAULT_RATE, ...). Fails with one message naming each bad one.
 */
export function loadServiceEnv(name: string, defaultPort: number, env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  const faultVar = `${name.toUpperCase()}_FAULT_RATE`;
  const schema = z.object({
    PORT: port(defaultPort),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z.string().min(1).default(`file:.data/${name}.db`),
    SERVICE_TOKEN: z
      .string({ error: 'SERVICE_TOKEN (the shared bearer token) is required' })
      .min(8, 'at least 8 characters'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  });
  const parsed = parseEnv(schema, env);
  const fault = parseEnv(z.record(z.literal(faultVar), faultRate), { [faultVar]: env[faultVar] });
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    databaseUrl: parsed.DATABASE_URL,
    token: parsed.SERVICE_TOKEN,
    logLevel: parsed.LOG_LEVEL,
    faultRate: fault[faultVar] ?? 0,
  };
}
