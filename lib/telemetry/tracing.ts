import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import { z } from 'zod';
import { parseEnv } from '../env';
import { PrivateAttributesProcessor } from './private-attributes';

export interface Tracing {
  /** The process's resource (service.name) and span processor: the worker gives both to the SDK's plugin. */
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Flushes the spans still buffered; call it before the process exits. */
  shutdown(): Promise<void>;
}

const tracingEnv = z.object({
  /** The OTLP/HTTP collector (Jaeger, an OpenTelemetry Collector), e.g. http://jaeger:4318. Tracing is off without it. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  /** Overrides the process's own service name. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

let started: Tracing | undefined;

/**
 * Starts OpenTelemetry for this process (NodeSDK, OTLP over HTTP) when an endpoint is configured: incoming and
 * outgoing HTTP (node:http, fetch), Express routes and Prisma's queries become spans, and W3C trace context crosses
 * every hop. Import the module that calls it before anything else in an entry point, so the instrumented modules
 * load after their hooks. Returns undefined (and costs nothing) when tracing is off.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  const config = parseEnv(tracingEnv, env);
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT && !config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  if (started) return started;
  const resource = new Resource({ 'service.name': config.OTEL_SERVICE_NAME ?? serviceName });
  // The exporter reads the endpoint (and OTEL_EXPORTER_OTLP_HEADERS) from the environment itself.
  // No personal data leaves in a span (private-attributes.ts): the worker hands this processor to the SDK's plugin
  // too, so the workflow spans from the sandbox pass through it.
  const spanProcessor = new PrivateAttributesProcessor(
    new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 1_000 }),
  );
  const sdk = new NodeSDK({
    resource,
    spanProcessors: [spanProcessor],
    instrumentations: [
      // Health, readiness and metrics scrapes would drown the traces that matter.
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(health|ready|metrics)\b/.test(req.url ?? ''),
      }),
      new UndiciInstrumentation(),
      // One span per route handler (it names the server span's route); none per middleware.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] }),
      // Operations, transactions and their SQL; not the client's own serialize/compile/connect steps (a third of
      // the spans, little to learn from: docs/BENCHMARKS.md "Tracing").
      new PrismaInstrumentation({ ignoreSpanTypes: [/^prisma:client:(serialize|compile|connect)$/] }),
    ],
  });
  sdk.start();
  started = { resource, spanProcessor, shutdown: () => sdk.shutdown() };
  return started;
}

/** The tracing this process started, if any. */
export const activeTracing = (): Tracing | undefined => started;
