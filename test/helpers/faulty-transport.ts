/** Where an injected network fault strikes relative to the service's effect. */
export type TransportFault =
  | 'before' // the request never reaches the service (connection refused)
  | 'after' // the service applies the request, the response is lost
  | 'hang'; // no answer until the caller gives up (the activity times out or is cancelled)

interface Rule {
  fault: TransportFault;
  /** Strike only this many times (default: every time). */
  times?: number;
  hits: number;
}

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:/;

/**
 * A fetch for the service clients that injects faults per saga step. Requests are matched by their
 * Idempotency-Key, `<workflowId>:<runId>:<step>` for actions and `<workflowId>:<runId>:<step>:compensate...` for
 * compensations (the rule names what follows the run id), so a rule for a step never touches its compensation.
 */
export class FaultyTransport {
  private readonly rules = new Map<string, Rule>();
  readonly requests: string[] = [];

  inject(step: string, fault: TransportFault, times?: number): this {
    this.rules.set(step, { fault, times, hits: 0 });
    return this;
  }

  readonly fetch = async (url: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    const workflowId = headers.get('x-workflow-id') ?? '';
    const key = headers.get('idempotency-key') ?? '';
    const step = key.startsWith(`${workflowId}:`) ? key.slice(workflowId.length + 1).replace(RUN_ID, '') : key;
    this.requests.push(step);
    const rule = this.rules.get(step);
    const strikes = rule !== undefined && (rule.times === undefined || rule.hits < rule.times);
    if (!rule || !strikes) return fetch(url, init);
    rule.hits += 1;
    switch (rule.fault) {
      case 'before':
        throw new TypeError(`fetch failed (injected: ${step} unreachable)`);
      case 'after': {
        const response = await fetch(url, init);
        await response.arrayBuffer();
        throw new TypeError(`fetch failed (injected: ${step} response lost)`);
      }
      case 'hang':
        return new Promise<Response>((_, reject) => {
          const signal = init.signal;
          if (!signal) return;
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        });
    }
  };
}
