import { trace } from '@opentelemetry/api';
import pino from 'pino';

export type Logger = pino.Logger;

/** The active span's trace and span ids (none when tracing is off or nothing is being traced). */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  return span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/**
 * The process-wide structured logger. Components derive children with their own bindings
 * (`logger.child({ component: 'worker' })`, `{ workflowId }` as the correlation id); every line written while a
 * span is active also carries its `trace_id` (as the SDK's activity and workflow logs do), which finds the request's trace in Jaeger.
 */
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level: process.env.LOG_LEVEL ?? 'info',
    base: { pid: process.pid, ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceFields,
  });
}
