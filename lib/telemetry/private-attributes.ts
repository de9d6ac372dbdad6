import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

// Spans leave the process for a collector that more people read than the data's owners: no personal data in them.
// - The SDK's workflow span exporter copies the whole workflow info onto every workflow span, the memo (which holds
//   the order's customer id and state, decrypted) and the search attributes included: dropped.
// - URLs keep their query parameters' names, not their values (`GET /orders?customerId=…`).

/** Workflow info that the Temporal SDK's workflow span exporter merges into span attributes. */
const DROPPED = ['memo', 'searchAttributes', 'typedSearchAttributes', 'lastResult', 'lastFailure'];
const URLS = ['http.url', 'http.target', 'url.full', 'url.query'];

/** `customerId=abc&limit=5` → `customerId=REDACTED&limit=REDACTED`, inside a URL or alone. */
export function redactQuery(value: string, bare = false): string {
  const redact = (query: string) => query.replace(/(^|&)([^=&#]*)=[^&#]*/g, '$1$2=REDACTED');
  if (bare) return redact(value);
  const at = value.indexOf('?');
  if (at < 0) return value;
  const hash = value.indexOf('#', at);
  const end = hash < 0 ? value.length : hash;
  return `${value.slice(0, at + 1)}${redact(value.slice(at + 1, end))}${value.slice(end)}`;
}

/** Applies the rules above to a span's attributes, in place. */
export function redactAttributes(attributes: Record<string, unknown>): void {
  for (const key of DROPPED) delete attributes[key];
  for (const key of URLS) {
    const value = attributes[key];
    if (typeof value === 'string') attributes[key] = redactQuery(value, key === 'url.query');
  }
}

/** A span processor that redacts every span before the next processor (the exporting one) sees it. */
export class PrivateAttributesProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    redactAttributes(span.attributes as Record<string, unknown>);
    this.next.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
