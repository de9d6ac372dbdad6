import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces move into an encoded payload, so the payload codec encrypts them like any
 * other payload (a decline message may name the customer or the card). Loaded by path by the worker and the
 * workflow bundle (failureConverterPath); the API's client uses it directly.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
