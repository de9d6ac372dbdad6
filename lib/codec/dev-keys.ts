import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { generatePayloadKeyLine } from './payload-keys';

const REF_FILE = 'customer-ref-key';

/**
 * The CustomerId hash key where a script on the stack's machine finds it: CUSTOMER_REF_KEY, else the local
 * stack's key file. Undefined when neither exists (then CustomerId holds plain ids).
 */
export function localCustomerRefKey(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  const dataDir = env.SAGAFLOW_DATA_DIR ?? path.resolve(__dirname, '..', '..', '.data');
  const file = path.join(dataDir, REF_FILE);
  const text = env.CUSTOMER_REF_KEY ?? (existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined);
  return text ? Buffer.from(text, 'base64') : undefined;
}

/**
 * The local stack's keys, made once in its data directory (ignored by git, mode 0600) and kept across restarts,
 * so the histories it wrote stay readable. Real deployments bring their own (docs/DEPLOYMENT.md).
 */
export function ensureDevKeys(dataDir: string): { payloadKeysFile: string; customerRefKey: string } {
  const payloadKeysFile = path.join(dataDir, 'payload-keys');
  if (!existsSync(payloadKeysFile))
    writeFileSync(payloadKeysFile, `${generatePayloadKeyLine('dev-1')}\n`, { mode: 0o600 });
  const refFile = path.join(dataDir, REF_FILE);
  if (!existsSync(refFile)) writeFileSync(refFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  return { payloadKeysFile, customerRefKey: readFileSync(refFile, 'utf8').trim() };
}
