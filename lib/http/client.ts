import type { ServiceBreaker } from './circuit-breaker';
import { requestFetch } from './request-fetch';

/**
 * Thrown by service clients. `code` is the service's error code (e.g. INSUFFICIENT_STOCK), or TIMEOUT /
 * NETWORK_ERROR / HTTP_<status> when there was no JSON error body. Only faults are retryable: 5xx, timeouts,
 * network errors, a proxy's 408 or 429, and a 2xx whose body is not JSON (BAD_RESPONSE: the call was applied, the
 * answer lost; the same key gets it again); any other 4xx answer will not change on retry.
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  readonly retryable: boolean;
  constructor(
    /** HTTP status; 0 when no answer arrived (timeout, network error). */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.retryable = status === 0 || status >= 500 || status === 408 || status === 429 || code === 'BAD_RESPONSE';
  }
}

export interface ServiceClientOptions {
  /** e.g. http://127.0.0.1:7101 */
  baseUrl: string;
  /** The shared service token (SERVICE_TOKEN). */
  token: string;
  /** Per-request timeout (default 5000 ms). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** The service's circuit breaker: every call of the client goes through it. */
  breaker?: ServiceBreaker;
}

/** Per-call options of every client method. */
export interface CallOptions {
  /** Required by mutating calls: replays of the same key return the first answer. */
  idempotencyKey?: string;
  /** The calling workflow's id, sent as X-Workflow-Id for correlation in the services' logs. */
  workflowId?: string;
  timeoutMs?: number;
  /** Cancels the call (e.g. the activity's cancellation signal). */
  signal?: AbortSignal;
}

function errorFromBody(status: number, body: unknown, fallback: string): ServiceError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (error && typeof error.code === 'string') {
    return new ServiceError(status, error.code, String(error.message ?? fallback), error.details ?? null);
  }
  return new ServiceError(status, `HTTP_${status}`, fallback);
}

/** The HTTP plumbing of the typed service clients: bearer token, timeout, headers, JSON, errors. */
export class HttpServiceClient {
  private readonly baseUrl: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: ServiceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? requestFetch();
  }

  async request<T>(method: 'GET' | 'POST', path: string, body: unknown, call: CallOptions = {}): Promise<T> {
    return (await this.exchange<T>(method, path, body, call)).body;
  }

  /** Like `request`, with the HTTP status of the answer (e.g. 201 created against 200 already there). */
  async exchange<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    call: CallOptions = {},
  ): Promise<{ status: number; body: T }> {
    const { breaker } = this.options;
    return breaker ? breaker.run(() => this.send<T>(method, path, body, call)) : this.send<T>(method, path, body, call);
  }

  private async send<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    call: CallOptions,
  ): Promise<{ status: number; body: T }> {
    const timeoutMs = call.timeoutMs ?? this.options.timeoutMs ?? 5_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = call.signal ? AbortSignal.any([timeout, call.signal]) : timeout;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.token}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
    if (call.workflowId) headers['x-workflow-id'] = call.workflowId;
    const what = `${method} ${path}`;
    let response: Response;
    let text: string;
    try {
      response = await this.doFetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (timeout.aborted) throw new ServiceError(0, 'TIMEOUT', `${what} timed out after ${timeoutMs} ms`);
      if (call.signal?.aborted) throw new ServiceError(0, 'ABORTED', `${what} was cancelled`);
      const cause =
        error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new ServiceError(0, 'NETWORK_ERROR', `${what} failed: ${cause}`);
    }
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      if (response.ok) throw new ServiceError(response.status, 'BAD_RESPONSE', `${what}: answer is not JSON`);
    }
    if (!response.ok) throw errorFromBody(response.status, parsed, `${what} answered ${response.status}`);
    return { status: response.status, body: parsed as T };
  }
}
