import { ApplicationFailure, Context } from '@temporalio/activity';
import { ServiceError } from '../lib/http/client';
import { CIRCUIT_OPEN } from '@sagaflow/saga';
import type { CallOptions } from '../lib/http/client';

/**
 * Runs one service call from inside an activity: passes the idempotency key and workflow id, heartbeats
 * while the call is in flight (a regular activity) (so a cancellation reaches it and a hung call is detected), aborts the call
 * when the activity is cancelled, and turns service errors into Temporal failures: answers that will not
 * change on retry (4xx, business conflicts) become non-retryable ApplicationFailures typed with the
 * service's code; faults (5xx, timeouts, network errors) stay retryable under the step's policy.
 */
export async function serviceCall<T>(
  idempotencyKey: string,
  call: (options: CallOptions & { idempotencyKey: string }) => Promise<T>,
): Promise<T> {
  const context = Context.current();
  const heartbeatEvery = Math.max(200, Math.floor((context.info.heartbeatTimeoutMs ?? 3_000) / 3));
  // A local activity does not heartbeat (its workflow task does); cancellation reaches it all the same.
  const heartbeat = context.info.isLocal ? undefined : setInterval(() => context.heartbeat(), heartbeatEvery);
  const started = Date.now();
  try {
    const result = await call({
      idempotencyKey,
      workflowId: context.info.workflowExecution?.workflowId,
      signal: context.cancellationSignal,
    });
    // The activity's logger adds the workflow id and, with tracing on, the trace id of this call.
    context.log.debug('service call succeeded', { ms: Date.now() - started });
    return result;
  } catch (err) {
    if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
    const failure = toFailure(err);
    // A business answer (declined, out of stock) is the saga's to handle; a fault is worth a warning.
    const business = failure instanceof ApplicationFailure && failure.nonRetryable;
    context.log[business ? 'info' : 'warn']('service call failed', { ms: Date.now() - started, error: String(err) });
    throw failure;
  } finally {
    clearInterval(heartbeat);
  }
}

export function toFailure(err: unknown): unknown {
  if (!(err instanceof ServiceError)) return err;
  if (err.code === CIRCUIT_OPEN) {
    // Not an attempt at the service: fail this activity at once and let the saga wait for the circuit
    // (packages/saga/src/circuit.ts), so a down service costs no retry attempts and is not called meanwhile.
    return ApplicationFailure.create({
      message: err.message,
      type: CIRCUIT_OPEN,
      nonRetryable: true,
      details: [err.details],
    });
  }
  if (err.status === 401) {
    // A wrong service token is a deployment fault, not the order's: retry (and alert) rather than compensate.
    return ApplicationFailure.retryable(err.message, 'SERVICE_AUTH_FAILED');
  }
  return ApplicationFailure.create({
    message: err.message,
    type: err.code,
    nonRetryable: !err.retryable,
    details: err.details === null || err.details === undefined ? [] : [err.details],
  });
}
