import pino from 'pino';

export type Logger = pino.Logger;

/**
 * The process-wide structured logger. Components derive children with their own bindings
 * (`logger.child({ component: 'worker' })`, `{ workflowId }` as the correlation id).
 */
export function createLogger(bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level: process.env.LOG_LEVEL ?? 'info',
    base: { pid: process.pid, ...bindings },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
