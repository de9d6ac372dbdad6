import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError } from '@temporalio/common';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { PayloadKeyring } from './payload-keys';
import { PLAINTEXT_REFUSED_FIELD } from './plaintext-refused';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * What decoding does with a payload that was never encrypted: `accept` passes it through (histories from before
 * encryption was turned on; readers such as the API and the codec server); `refuse` replaces it with the refused
 * marker (lib/codec/plaintext-refused.ts), so a worker never acts on a start, Update or signal that someone without
 * the keys sent to Temporal's frontend.
 */
export type PlaintextPayloads = 'accept' | 'refuse';

const REFUSED: Payload = {
  metadata: { [METADATA_ENCODING_KEY]: encoder.encode('json/plain') },
  data: encoder.encode(JSON.stringify({ [PLAINTEXT_REFUSED_FIELD]: true })),
};

/**
 * Encrypts each whole payload (metadata and data, serialized as the Payload protobuf) with AES-256-GCM under the
 * keyring's current key. The output payload names only its encoding and key id; data is iv ‖ ciphertext ‖ tag.
 * Decoding picks the key by id, so payloads written before a rotation still decode; payloads that were never
 * encrypted pass through or are refused (`plaintext`).
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keys: PayloadKeyring,
    private readonly plaintext: PlaintextPayloads = 'accept',
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys.current;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: encoder.encode(id),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) {
        return this.plaintext === 'refuse' ? REFUSED : payload;
      }
      const idBytes = payload.metadata?.[KEY_ID_METADATA];
      const id = idBytes ? decoder.decode(idBytes) : '';
      const key = this.keys.byId.get(id);
      if (!key) throw new ValueError(`payload encrypted with unknown key id "${id}": add it to PAYLOAD_KEYS`);
      const data = Buffer.from(payload.data ?? []);
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
