import type { Client } from '@temporalio/client';

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html) that mean "not reachable now". */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;
const UNAVAILABLE_CODES = new Set([GRPC_DEADLINE_EXCEEDED, GRPC_RESOURCE_EXHAUSTED, GRPC_UNAVAILABLE]);

function* causes(err: unknown): Generator<unknown> {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    yield current;
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
}

/** The gRPC status code somewhere in an error's cause chain (the SDK wraps gRPC errors in ServiceError). */
export function grpcCode(err: unknown): number | undefined {
  for (const e of causes(err)) {
    if (typeof e === 'object' && e !== null && 'code' in e && 'details' in e) {
      const code = (e as { code: unknown }).code;
      if (typeof code === 'number') return code;
    }
  }
  return undefined;
}

/** Temporal could not be reached or did not answer in time: the caller should retry later (503). */
export function isTemporalUnavailable(err: unknown): boolean {
  const code = grpcCode(err);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return true;
  for (const e of causes(err)) {
    if (e instanceof Error && /Failed to connect to Temporal server/.test(e.message)) return true;
  }
  return false;
}

const GRPC_FAILED_PRECONDITION = 9;

/**
 * Temporal refused an Update because the workflow's last workflow task failed (a worker lost it, or its code
 * failed): the task is retried, and the same Update will be taken once it runs again.
 */
export function isWorkflowTaskFailing(err: unknown): boolean {
  if (grpcCode(err) !== GRPC_FAILED_PRECONDITION) return false;
  for (const e of causes(err)) {
    if (e instanceof Error && /Workflow Task in failed state/i.test(e.message)) return true;
    if (
      typeof e === 'object' &&
      e !== null &&
      /Workflow Task in failed state/i.test(String((e as { details?: unknown }).details))
    ) {
      return true;
    }
  }
  return false;
}

export function isDeadlineExceeded(err: unknown): boolean {
  return grpcCode(err) === GRPC_DEADLINE_EXCEEDED;
}

/** Runs Temporal calls with an absolute deadline, so a request never hangs on an unreachable or silent server. */
export function withDeadline<T>(client: Client, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + timeoutMs, fn);
}
