// The payload codec's own cost (lib/codec): encrypt and decrypt an order saga's input-sized payload, N times.
// Prints JSON. `npm run bench:codec` (BENCH_CODEC_COUNT, default 20000).
import { performance } from 'node:perf_hooks';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../lib/codec/encryption-codec';
import { generatePayloadKeyLine, parsePayloadKeys } from '../lib/codec/payload-keys';
import type { PayloadKeyring } from '../lib/codec/payload-keys';

const count = Number(process.env.BENCH_CODEC_COUNT ?? 20_000);
const codec = new EncryptionCodec(parsePayloadKeys(generatePayloadKeyLine('bench')) as PayloadKeyring);
const input = {
  orderId: 'ord_0a6c47b234752df7caac8dbb',
  customerId: 'demo-customer',
  currency: 'EUR',
  items: [{ sku: 'SKU-1', quantity: 2 }],
  paymentMethod: 'tok_ok',
  approvalThresholdMinor: 100_000,
  approvalTimeout: '24 hours',
  paymentDeadline: '30 minutes',
  publishMode: 'on-status-change',
};
const payload = defaultPayloadConverter.toPayload(input);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await fn();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const [encrypted] = await codec.encode([payload]);
  await timed(() => codec.decode([encrypted!])); // warm-up
  const encodeMs = await timed(() => codec.encode([payload]));
  const decodeMs = await timed(() => codec.decode([encrypted!]));
  const result = {
    benchmark: 'payload-codec',
    count,
    payloadBytes: payload.data?.length ?? 0,
    encryptedBytes: encrypted!.data?.length ?? 0,
    encodeMicrosPerPayload: Math.round((encodeMs * 1000) / count),
    decodeMicrosPerPayload: Math.round((decodeMs * 1000) / count),
    node: process.version,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

void main();
