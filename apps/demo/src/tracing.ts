import { otelPlugin } from '@cascadeflow/otel';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Tracing for the gateway, on when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is
 * set: spans of every run and attempt exported over OTLP/HTTP, batched. Returns the plugin and a shutdown
 * that flushes what is queued; null when tracing is off.
 */
export function tracingFromEnv(): {
  plugin: ReturnType<typeof otelPlugin>;
  shutdown(): Promise<void>;
} | null {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT && !process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
    return null;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 500 })],
  });
  return {
    plugin: otelPlugin({ tracer: provider.getTracer('cascadeflow-gateway') }),
    shutdown: () => provider.shutdown(),
  };
}
