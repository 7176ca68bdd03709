import { useOpenTelemetry } from '@envelop/opentelemetry';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Plugin } from 'graphql-yoga';

export interface TracingOptions {
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); spans are POSTed to `<endpoint>/v1/traces`. */
  endpoint: string;
  serviceName: string;
  serviceVersion: string;
  /** Extra request headers for the collector (OTEL_EXPORTER_OTLP_HEADERS, e.g. an API key). */
  headers?: Record<string, string>;
  /** Longest wait before a batch of spans is sent (ms); the OpenTelemetry default is 5 s. */
  scheduledDelayMs?: number;
}

export interface Tracing {
  /** The yoga plugin: one span per operation (`query.Name`, `mutation.Name`, `subscription.Name`). */
  plugin: Plugin;
  /** Sends the spans still buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing of GraphQL operations (@envelop/opentelemetry) exported over OTLP/HTTP (JSON
 * encoding) in batches. Its own tracer provider, never registered as the global one: nothing else in the
 * process is instrumented or changed. Resolver spans, documents and variables are left out (a span per
 * field would cost more than the operation; variables may be private); the operation name, type and
 * errors are on the operation span.
 */
export function createTracing(options: TracingOptions): Tracing {
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces`, headers: options.headers ?? {} });
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': options.serviceName, 'service.version': options.serviceVersion }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.scheduledDelayMs ?? 5_000 })],
  });
  const plugin = useOpenTelemetry({ resolvers: false, variables: false, result: false, document: false }, provider, undefined, undefined, options.serviceName) as Plugin;
  return {
    plugin,
    shutdown: () => provider.shutdown(),
  };
}
