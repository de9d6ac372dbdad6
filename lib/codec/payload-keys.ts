import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseEnv } from '../env';

/** One AES-256 key and the id written next to every payload it encrypts, so keys can rotate. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** The key new payloads are encrypted with, and every key that may still decrypt older ones. */
export interface PayloadKeyring {
  current: PayloadKey;
  byId: ReadonlyMap<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const KEY_BYTES = 32;

/**
 * `id:base64key[,id:base64key...]` (commas or newlines; `#` starts a comment line). The first key encrypts; all of
 * them decrypt. Rotating: put the new key first and keep the old ones until no open history needs them.
 */
export function parsePayloadKeys(text: string): PayloadKeyring | string {
  const entries = text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (entries.length === 0) return 'no keys given';
  const keys: PayloadKey[] = [];
  for (const [index, entry] of entries.entries()) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator);
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    // Never echo the entry: it holds key material.
    if (separator < 1 || !KEY_ID.test(id)) return `key ${index + 1}: expected id:base64key, id of [A-Za-z0-9_.-]`;
    if (key.length !== KEY_BYTES) return `key ${id}: must be ${KEY_BYTES} bytes, base64 (openssl rand -base64 32)`;
    if (keys.some((k) => k.id === id)) return `key ${id}: duplicate id`;
    keys.push({ id, key });
  }
  return { current: keys[0]!, byId: new Map(keys.map((k) => [k.id, k.key])) };
}

/** A fresh key line for a key file: `id:base64key`. */
export function generatePayloadKeyLine(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

const schema = z
  .object({
    NODE_ENV: z.string().optional(),
    /** The keys themselves (prefer PAYLOAD_KEYS_FILE: env is visible to more of the system than a file). */
    PAYLOAD_KEYS: z.string().optional(),
    /** A file holding the keys, one `id:base64key` per line. */
    PAYLOAD_KEYS_FILE: z.string().optional(),
  })
  .transform((env, ctx): PayloadKeyring | undefined => {
    if (env.PAYLOAD_KEYS && env.PAYLOAD_KEYS_FILE) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYLOAD_KEYS'],
        message: 'set PAYLOAD_KEYS or PAYLOAD_KEYS_FILE, not both',
      });
      return z.NEVER;
    }
    let text = env.PAYLOAD_KEYS;
    if (env.PAYLOAD_KEYS_FILE) {
      try {
        text = readFileSync(env.PAYLOAD_KEYS_FILE, 'utf8');
      } catch (err) {
        const message = `cannot read ${env.PAYLOAD_KEYS_FILE}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
        ctx.addIssue({ code: 'custom', path: ['PAYLOAD_KEYS_FILE'], message });
        return z.NEVER;
      }
    }
    if (text === undefined) {
      if (env.NODE_ENV === 'production') {
        const message = 'payload encryption is required with NODE_ENV=production: set PAYLOAD_KEYS_FILE';
        ctx.addIssue({ code: 'custom', path: ['PAYLOAD_KEYS_FILE'], message });
        return z.NEVER;
      }
      return undefined;
    }
    const parsed = parsePayloadKeys(text);
    if (typeof parsed === 'string') {
      ctx.addIssue({
        code: 'custom',
        path: [env.PAYLOAD_KEYS_FILE ? 'PAYLOAD_KEYS_FILE' : 'PAYLOAD_KEYS'],
        message: parsed,
      });
      return z.NEVER;
    }
    return parsed;
  });

/** The payload keys from the environment; undefined (encryption off) only outside production. */
export function loadPayloadKeys(env: NodeJS.ProcessEnv = process.env): PayloadKeyring | undefined {
  return parseEnv(schema, env);
}
