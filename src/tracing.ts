// OpenTelemetry tracing of a process, on when OTEL_EXPORTER_OTLP_ENDPOINT is set: the Node
// tracer provider (W3C trace context, AsyncLocalStorage), spans batched and exported over OTLP
// (HTTP, JSON) to <endpoint>/v1/traces. Off, nothing is installed: @opentelemetry/api stays a
// no-op, no Temporal interceptor is added, and workflows run without tracing interceptors.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { VERSION } from './version';

export interface Tracing {
  /** Where the worker's workflow spans go (through the interceptors' sink) with the process's spans. */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Exports what is buffered; for tests and shutdown. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT; no tracing when absent. */
  otlpEndpoint: string | undefined;
  /** OTEL_SERVICE_NAME, else the process's role (hookrelay-api, hookrelay-worker, hookrelay). */
  serviceName: string;
  /** Replaces the OTLP exporter (tests). */
  exporter?: SpanExporter;
}

/** The trace path of OTLP over HTTP, appended to the base endpoint as the OTLP specification says. */
export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

export function startTracing(options: TracingOptions): Tracing | undefined {
  if (!options.otlpEndpoint) return undefined;
  const resource = new Resource({ 'service.name': options.serviceName, 'service.version': VERSION });
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: otlpTracesUrl(options.otlpEndpoint) });
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    spanProcessor,
    resource,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
