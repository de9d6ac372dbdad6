import { startTracing } from '../lib/telemetry/tracing';

// Imported first by main.ts, so fetch and http are instrumented before the activities load.
export const tracing = startTracing('sagaflow-worker');
