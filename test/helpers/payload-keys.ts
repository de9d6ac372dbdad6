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

/** Tests run as production does: every client and worker encrypts payloads. */
export const TEST_PAYLOAD_KEYS = keyring(TEST_PAYLOAD_KEY_LINE);

/** The CustomerId search attribute's hash key for the API under test (base64, as CUSTOMER_REF_KEY takes it). */
export const TEST_CUSTOMER_REF_KEY = randomBytes(32).toString('base64');
