import { startTracing } from '../../lib/telemetry/tracing';

// Imported first by main.ts: the instrumented modules (http, express, Prisma) must load after tracing starts.
export const tracing = startTracing('payment');
