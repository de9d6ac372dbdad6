import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

const { Payloads } = temporal.api.common.v1;

/**
 * The codec server protocol: a Payloads message in protobuf's JSON form (bytes as base64) in, the same out.
 * Returns undefined for a body that is not one.
 */
export async function convertPayloadsJson(
  body: unknown,
  codec: PayloadCodec,
  direction: 'encode' | 'decode',
): Promise<unknown> {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { payloads?: unknown }).payloads)) {
    return undefined;
  }
  let payloads: Payload[];
  try {
    payloads = Payloads.fromObject(body).payloads ?? [];
  } catch {
    return undefined;
  }
  const converted = direction === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
  return Payloads.toObject(Payloads.create({ payloads: converted }), { bytes: String });
}
