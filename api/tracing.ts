import { startTracing } from '../lib/telemetry/tracing';

// Imported first by main.ts: the instrumented modules (http, express) must load after tracing starts.
export const tracing = startTracing('sagaflow-api');
