import { randomBytes } from 'node:crypto';
import { generatePayloadKeyLine, parsePayloadKeys } from '../../lib/codec/payload-keys';
import type { PayloadKeyring } from '../../lib/codec/payload-keys';

function keyring(text: string): PayloadKeyring {
  const parsed = parsePayloadKeys(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

/** The key line every test environment of this process encrypts with (fresh per process, never on disk). */
export const TEST_PAYLOAD_KEY_LINE = generatePayloadKeyLine('test-1');

let keys: PayloadKeyring | undefined = keyring(TEST_PAYLOAD_KEY_LINE);

/** Tests run as production does: every client and worker encrypts payloads (read when an env or worker is made). */
export function testPayloadKeys(): PayloadKeyring | undefined {
  return keys;
}

/**
 * Turns encryption off for this process: scripts/record-histories.ts records plaintext histories, so they replay
 * without a key and read well in review. Call before any environment or worker is made.
 */
export function disableTestPayloadEncryption(): void {
  keys = undefined;
}

/** The CustomerId search attribute's hash key for the API under test (base64, as CUSTOMER_REF_KEY takes it). */
export const TEST_CUSTOMER_REF_KEY = randomBytes(32).toString('base64');
