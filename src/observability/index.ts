import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';
import { createMetricsHandler, type MetricsHandler } from './metrics-handler.js';
import type { Metrics } from './metrics.js';
import type { Tracing } from './tracing.js';

/** What the HTTP server needs from observability: extra yoga plugins, the `/metrics` handler and request hooks. */
export interface Observability {
  plugins: Plugin[];
  /** Undefined when METRICS_ENABLED=false (`/metrics` then answers 404 like any unknown path). */
  metricsHandler: MetricsHandler | undefined;
  observeHttp(req: IncomingMessage, res: ServerResponse, path: string): void;
  countError(code: string): void;
}

export interface ObservabilitySettings {
  METRICS_ENABLED: boolean;
  METRICS_TOKEN?: string | undefined;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_HEADERS: Record<string, string>;
  OTEL_SERVICE_NAME: string;
}

/**
 * Tracing when an OTLP endpoint is configured. The OpenTelemetry modules are imported only then: unset,
 * nothing is loaded, no plugin runs, nothing costs.
 */
export async function startTracing(settings: ObservabilitySettings, version: string): Promise<Tracing | undefined> {
  if (!settings.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const { createTracing } = await import('./tracing.js');
  return createTracing({
    endpoint: settings.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: settings.OTEL_SERVICE_NAME,
    serviceVersion: version,
    headers: settings.OTEL_EXPORTER_OTLP_HEADERS,
  });
}

/** The server's view of metrics (always collected; `/metrics` served when METRICS_ENABLED) and tracing. */
export function observabilityFor(metrics: Metrics, settings: ObservabilitySettings, logger: Logger, tracing: Tracing | undefined): Observability {
  return {
    plugins: [metrics.graphqlPlugin(), ...(tracing ? [tracing.plugin] : [])],
    metricsHandler: settings.METRICS_ENABLED ? createMetricsHandler({ metrics, token: settings.METRICS_TOKEN, logger }) : undefined,
    observeHttp: (req, res, path) => metrics.observeHttp(req, res, path),
    countError: (code) => metrics.countError(code),
  };
}
