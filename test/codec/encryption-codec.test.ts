import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, KEY_ID_METADATA } from '../../lib/codec/encryption-codec';
import { generatePayloadKeyLine, loadPayloadKeys, parsePayloadKeys } from '../../lib/codec/payload-keys';
import type { PayloadKeyring } from '../../lib/codec/payload-keys';
import { ConfigError } from '../../lib/env';

function keyring(...lines: string[]): PayloadKeyring {
  const parsed = parsePayloadKeys(lines.join('\n'));
  assert.notEqual(typeof parsed, 'string', String(parsed));
  return parsed as PayloadKeyring;
}

const value = { customerId: 'cust-secret', paymentMethod: 'tok_ok' };
const payload = () => defaultPayloadConverter.toPayload(value);
const plainOf = (p: { data?: Uint8Array | null }) => Buffer.from(p.data ?? []).toString();

describe('EncryptionCodec', () => {
  const oldKey = generatePayloadKeyLine('2026-01');
  const newKey = generatePayloadKeyLine('2026-12');

  it('encrypts the whole payload (no plaintext, only the encoding and key id in clear) and decodes it back', async () => {
    const codec = new EncryptionCodec(keyring(oldKey));
    const [encrypted] = await codec.encode([payload()]);
    assert.ok(!plainOf(encrypted!).includes('cust-secret'));
    assert.deepEqual(Object.keys(encrypted!.metadata!).sort(), ['encoding', KEY_ID_METADATA].sort());
    assert.equal(Buffer.from(encrypted!.metadata![KEY_ID_METADATA]!).toString(), '2026-01');
    const [decoded] = await codec.decode([encrypted!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), value);
  });

  it('uses a fresh IV each time: the same value never encrypts to the same bytes', async () => {
    const codec = new EncryptionCodec(keyring(oldKey));
    const [a, b] = await codec.encode([payload(), payload()]);
    assert.notDeepEqual(Buffer.from(a!.data!), Buffer.from(b!.data!));
  });

  it('refuses a tampered payload (GCM authentication)', async () => {
    const codec = new EncryptionCodec(keyring(oldKey));
    const [encrypted] = await codec.encode([payload()]);
    const data = Buffer.from(encrypted!.data!);
    data[20] = data[20]! ^ 0xff;
    await assert.rejects(codec.decode([{ ...encrypted!, data }]));
  });

  it('after a rotation encrypts with the new key and still decodes what the old key encrypted', async () => {
    const before = new EncryptionCodec(keyring(oldKey));
    const after = new EncryptionCodec(keyring(newKey, oldKey));
    const [old] = await before.encode([payload()]);
    const [fresh] = await after.encode([payload()]);
    assert.equal(Buffer.from(fresh!.metadata![KEY_ID_METADATA]!).toString(), '2026-12');
    const decoded = await after.decode([old!, fresh!]);
    assert.deepEqual(
      decoded.map((p) => defaultPayloadConverter.fromPayload(p)),
      [value, value],
    );
    // Dropping the old key too early is an error that names the missing key, not garbage.
    await assert.rejects(new EncryptionCodec(keyring(newKey)).decode([old!]), /unknown key id "2026-01"/);
  });

  it('passes through payloads written before encryption was turned on', async () => {
    const codec = new EncryptionCodec(keyring(oldKey));
    const [decoded] = await codec.decode([payload()]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), value);
  });
});

describe('payload keys from the environment', () => {
  it('rejects malformed keys without echoing them', () => {
    assert.match(String(parsePayloadKeys('k1:c2hvcnQ=')), /must be 32 bytes/);
    assert.match(
      String(parsePayloadKeys(`${generatePayloadKeyLine('a')},${generatePayloadKeyLine('a')}`)),
      /duplicate/,
    );
    assert.match(String(parsePayloadKeys('nocolon')), /expected id:base64key/);
    const secret = generatePayloadKeyLine('bad id');
    assert.ok(!String(parsePayloadKeys(secret)).includes(secret.split(':')[1]!));
  });

  it('reads a key file; encryption is off only outside production', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'keys-'));
    const file = path.join(dir, 'payload-keys');
    writeFileSync(file, `# current first\n${generatePayloadKeyLine('k2')}\n${generatePayloadKeyLine('k1')}\n`);
    const keys = loadPayloadKeys({ PAYLOAD_KEYS_FILE: file });
    assert.equal(keys?.current.id, 'k2');
    assert.deepEqual([...keys!.byId.keys()], ['k2', 'k1']);
    assert.equal(loadPayloadKeys({}), undefined);
    assert.throws(() => loadPayloadKeys({ NODE_ENV: 'production' }), ConfigError);
    assert.throws(() => loadPayloadKeys({ PAYLOAD_KEYS_FILE: path.join(dir, 'missing') }), /cannot read/);
  });
});
