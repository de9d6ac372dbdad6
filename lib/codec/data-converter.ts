import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import type { PayloadKeyring } from './payload-keys';

const failureConverterPath = require.resolve('./failure-converter');

/**
 * The data converter of every Temporal client and worker (API, worker, tests, scripts): payloads encrypted with
 * the keyring, or the SDK's default when no keys are configured (development only, see loadPayloadKeys). The
 * failure converter goes by path because the workflow bundle loads it too.
 */
export function dataConverterFor(keys: PayloadKeyring | undefined): DataConverter | undefined {
  return keys ? { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath } : undefined;
}

/** What bundleWorkflowCode needs to build a bundle for a worker that uses dataConverterFor(keys). */
export function bundleConverterPaths(keys: PayloadKeyring | undefined): { failureConverterPath?: string } {
  return keys ? { failureConverterPath } : {};
}
