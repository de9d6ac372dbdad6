import { ApplicationFailure } from '@temporalio/workflow';
import type { WorkflowInboundCallsInterceptor, WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { isPlaintextRefused, PLAINTEXT_REFUSED_MESSAGE } from './plaintext-refused';

const refused = (args: readonly unknown[]) => args.some(isPlaintextRefused);

/**
 * Refuses what reached the workflow unencrypted while the worker requires encryption (the codec handed over the
 * refused marker instead): a start fails at once (PAYLOAD_NOT_ENCRYPTED) before any step, an Update is rejected by
 * its validation, a signal is dropped and a query fails. Nothing else changes: with encryption off, or `accept`,
 * the marker never appears.
 */
class RefusePlaintext implements WorkflowInboundCallsInterceptor {
  // Async, so the refusal fails the workflow (a rejected run) rather than its workflow task (retried forever).
  execute: WorkflowInboundCallsInterceptor['execute'] = async (input, next) => {
    if (refused(input.args)) throw ApplicationFailure.nonRetryable(PLAINTEXT_REFUSED_MESSAGE, 'PAYLOAD_NOT_ENCRYPTED');
    return next(input);
  };

  validateUpdate: WorkflowInboundCallsInterceptor['validateUpdate'] = (input, next) => {
    if (refused(input.args)) throw new Error(PLAINTEXT_REFUSED_MESSAGE);
    next(input);
  };

  handleUpdate: WorkflowInboundCallsInterceptor['handleUpdate'] = async (input, next) => {
    if (refused(input.args)) throw ApplicationFailure.nonRetryable(PLAINTEXT_REFUSED_MESSAGE, 'PAYLOAD_NOT_ENCRYPTED');
    return next(input);
  };

  handleSignal: WorkflowInboundCallsInterceptor['handleSignal'] = (input, next) =>
    refused(input.args) ? Promise.resolve() : next(input);

  handleQuery: WorkflowInboundCallsInterceptor['handleQuery'] = (input, next) => {
    if (refused(input.args)) throw new Error(PLAINTEXT_REFUSED_MESSAGE);
    return next(input);
  };
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new RefusePlaintext()] });
