import { z } from 'zod';
import { ConfigError, parseEnv, port } from '../lib/env';
import { loadPayloadKeys } from '../lib/codec/payload-keys';
import type { PayloadKeyring } from '../lib/codec/payload-keys';

export const PRODUCTION_TOKEN_MIN = 32;

export interface CodecToken {
  name: string;
  secret: string;
}

const list = (value: string) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

const schema = z
  .object({
    NODE_ENV: z.string().optional(),
    CODEC_PORT: port(8234),
    CODEC_HOST: z.string().min(1).default('127.0.0.1'),
    /**
     * Who may decode: `name:secret` entries, comma-separated. A caller sends `Authorization: Bearer <secret>`, or
     * signs in once at /login with it (a session cookie the Web UI sends when it includes credentials).
     */
    CODEC_TOKENS: z
      .string({ error: 'CODEC_TOKENS (name:secret[,...], who may decode payloads) is required' })
      .transform((value, ctx): CodecToken[] => {
        const tokens: CodecToken[] = [];
        for (const [index, entry] of list(value).entries()) {
          const [name = '', secret = '', extra] = entry.split(':');
          if (!/^[A-Za-z0-9_-]{1,64}$/.test(name) || !/^[\x21-\x7E]{8,200}$/.test(secret) || extra !== undefined) {
            ctx.addIssue({ code: 'custom', message: `entry ${index + 1}: expected name:secret (secret 8-200 chars)` });
            continue;
          }
          tokens.push({ name, secret });
        }
        if (tokens.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one name:secret' });
        return tokens;
      }),
    /** Origins allowed to call from a browser: the Temporal Web UI's (e.g. http://127.0.0.1:8233). */
    CODEC_CORS_ORIGINS: z.string().default('http://127.0.0.1:8233').transform(list),
    /** Namespaces it decodes for (the X-Namespace header the UI sends); others get 403. */
    CODEC_NAMESPACES: z.string().default('default').transform(list),
    /** Wrong secrets (at /login or as a bearer token) a source address may send a minute before it gets 429s. */
    CODEC_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(10),
    /** How long a /login session lasts. */
    CODEC_SESSION_HOURS: z.coerce.number().min(0.01).max(168).default(8),
    /**
     * Behind the operators' proxy: the number of proxies (e.g. 1) or their addresses, so the lockout counts the
     * operator's address and the session cookie is Secure when the proxy terminates TLS (X-Forwarded-Proto). Not
     * `true` (any client's X-Forwarded-For would be believed). Default: no proxy.
     */
    CODEC_TRUST_PROXY: z
      .string()
      .min(1)
      .default('false')
      .refine((value) => value !== 'true', { message: 'give the number of proxies (e.g. 1) or their addresses' })
      .transform((value): boolean | number | string =>
        value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value,
      ),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV !== 'production') return;
    for (const token of config.CODEC_TOKENS) {
      if (token.secret.length < PRODUCTION_TOKEN_MIN) {
        const message = `${token.name}: with NODE_ENV=production a secret needs at least ${PRODUCTION_TOKEN_MIN} characters`;
        ctx.addIssue({ code: 'custom', path: ['CODEC_TOKENS'], message });
      }
    }
  });

export type CodecServerConfig = z.infer<typeof schema> & { keys: PayloadKeyring };

/** Parses the codec server's environment once; it has no purpose without keys, so they are required. */
export function loadCodecServerConfig(env: NodeJS.ProcessEnv = process.env): CodecServerConfig {
  const config = parseEnv(schema, env);
  const keys = loadPayloadKeys(env);
  if (!keys)
    throw new ConfigError('Invalid configuration:\n  PAYLOAD_KEYS_FILE: the codec server needs the payload keys');
  return { ...config, keys };
}
