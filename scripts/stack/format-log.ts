const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
// The trace id stays: it finds the line's trace in Jaeger. Span ids and flags are noise on a console.
const HIDDEN = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'msg',
  'service',
  'component',
  'sdkComponent',
  'span_id',
  'trace_flags',
]);

/** Renders a pino JSON line as `12:00:01 INFO  message key=value ...`; any other line passes through. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry.level !== 'number' || typeof entry.msg !== 'string') return line;
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const message = entry.msg.split('\n')[0] ?? '';
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [time, LEVELS[entry.level] ?? String(entry.level), message, ...fields].join(' ');
}
