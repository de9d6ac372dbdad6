import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { generatePayloadKeyLine } from './payload-keys';

/**
 * The local stack's keys, made once in its data directory (ignored by git, mode 0600) and kept across restarts,
 * so the histories it wrote stay readable. Real deployments bring their own (docs/DEPLOYMENT.md).
 */
export function ensureDevKeys(dataDir: string): { payloadKeysFile: string; customerRefKey: string } {
  const payloadKeysFile = path.join(dataDir, 'payload-keys');
  if (!existsSync(payloadKeysFile))
    writeFileSync(payloadKeysFile, `${generatePayloadKeyLine('dev-1')}\n`, { mode: 0o600 });
  const refFile = path.join(dataDir, 'customer-ref-key');
  if (!existsSync(refFile)) writeFileSync(refFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  return { payloadKeysFile, customerRefKey: readFileSync(refFile, 'utf8').trim() };
}
