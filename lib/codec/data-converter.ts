import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import type { PlaintextPayloads } from './encryption-codec';
import type { PayloadKeyring } from './payload-keys';

const failureConverterPath = require.resolve('./failure-converter');

/**
 * The data converter of every Temporal client and worker (API, worker, tests, scripts): payloads encrypted with
 * the keyring, or the SDK's default when no keys are configured (development only, see loadPayloadKeys). The
 * failure converter goes by path because the workflow bundle loads it too. Workers pass `plaintext: 'refuse'`.
 */
export function dataConverterFor(
  keys: PayloadKeyring | undefined,
  plaintext: PlaintextPayloads = 'accept',
): DataConverter | undefined {
  return keys ? { payloadCodecs: [new EncryptionCodec(keys, plaintext)], failureConverterPath } : undefined;
}

/** The workflow interceptors every bundle of the project's workflows carries (refuse-plaintext-interceptor.ts). */
export const workflowInterceptorModules = [require.resolve('./refuse-plaintext-interceptor')];

/** What bundleWorkflowCode needs to build a bundle for a worker that uses dataConverterFor(keys). */
export function bundleConverterPaths(keys: PayloadKeyring | undefined): {
  failureConverterPath?: string;
  workflowInterceptorModules: string[];
} {
  return { ...(keys ? { failureConverterPath } : {}), workflowInterceptorModules };
}
