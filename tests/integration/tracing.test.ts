import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startIsolatedTestApp, waitFor } from '../support/harness.js';

interface OtlpSpan {
  name: string;
  traceId: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}
interface OtlpExport {
  resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
}

/**
 * A fake OpenTelemetry collector: the OTLP/HTTP receiver's `POST /v1/traces` with the JSON encoding of
 * ExportTraceServiceRequest (what @opentelemetry/exporter-trace-otlp-http sends), answering 200 `{}`.
 */
function fakeCollector(): Promise<{ server: Server; url: string; exports: OtlpExport[]; requests: Array<{ path: string; contentType: string | undefined; apiKey: string | undefined }> }> {
  const exports: OtlpExport[] = [];
  const requests: Array<{ path: string; contentType: string | undefined; apiKey: string | undefined }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'], apiKey: req.headers['x-api-key'] as string | undefined });
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, exports, requests });
    }),
  );
}

describe('OpenTelemetry tracing', () => {
  let collector: Awaited<ReturnType<typeof fakeCollector>>;

  beforeAll(async () => {
    collector = await fakeCollector();
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => collector.server.close(() => resolve()));
  });

  it('exports a span per operation to the configured OTLP endpoint', async () => {
    const app = await startIsolatedTestApp({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'perpgraph-test', OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k%2C1' });
    try {
      const res = await gql<{ symbols: Array<{ symbol: string }> }>(app.url, 'query TraceProbe { symbols { symbol } }');
      expect(res.errors).toBeUndefined();
      expect(res.data!.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    } finally {
      // Stopping flushes the batch processor.
      await app.teardown();
    }
    await waitFor(async () => collector.exports.length > 0, 5_000);
    expect(collector.requests[0], 'OTLP/HTTP JSON at /v1/traces, with the configured header').toEqual({ path: '/v1/traces', contentType: 'application/json', apiKey: 'k,1' });
    const resource = collector.exports[0]!.resourceSpans[0]!.resource.attributes;
    expect(resource.find((a) => a.key === 'service.name')?.value.stringValue).toBe('perpgraph-test');
    expect(resource.find((a) => a.key === 'service.version')?.value.stringValue).toBe('0.1.0');
    const spans = collector.exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    const span = spans.find((s) => s.name === 'query.TraceProbe');
    expect(span, `spans received: ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
    expect(span!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span!.kind, 'SpanKind.SERVER in OTLP numbering').toBe(2);
    const attrs = Object.fromEntries(span!.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
    expect(attrs['graphql.execute.operationName']).toBe('TraceProbe');
    expect(attrs['graphql.execute.operationType']).toBe('query');
    expect(attrs, 'variables are not recorded').not.toHaveProperty('graphql.execute.variables');
  }, 60_000);
});
