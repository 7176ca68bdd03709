import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { parsePrometheusText, sampleValue, type Family } from '../support/prom-text.js';
import { wsClient } from '../support/ws.js';

const metricsUrl = (app: IsolatedTestApp) => app.url.replace(/\/graphql$/, '/metrics');

async function scrape(app: IsolatedTestApp, headers: Record<string, string> = {}): Promise<Map<string, Family>> {
  const res = await fetch(metricsUrl(app), { headers });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type'), 'Prometheus text format 0.0.4').toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

const PROBE = 'query MetricsProbe { market(symbol: "BTCUSDT") { symbol funding { meta { asOf } } } }';

describe('/metrics', () => {
  let app: IsolatedTestApp;
  const clients: Client[] = [];

  beforeAll(async () => {
    app = await startIsolatedTestApp({ RESPONSE_CACHE_TTL_MS: '0' });
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await app?.teardown();
  });

  it('counts an operation by name and type, and its HTTP request by route and status', async () => {
    const labels = { operation: 'MetricsProbe', type: 'query' };
    const before = await scrape(app);
    const opsBefore = sampleValue(before, 'perpgraph_graphql_operations_total', labels) ?? 0;
    const httpBefore = sampleValue(before, 'perpgraph_http_requests_total', { route: '/graphql', method: 'POST', status: '200' }) ?? 0;

    for (let i = 0; i < 3; i++) {
      const res = await gql<{ market: { symbol: string } }>(app.url, PROBE);
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      expect(res.data!.market.symbol).toBe('BTCUSDT');
    }
    const anonymous = await gql(app.url, '{ symbols { symbol } }');
    expect(anonymous.errors).toBeUndefined();

    const after = await scrape(app);
    expect(sampleValue(after, 'perpgraph_graphql_operations_total', labels), 'three executions of MetricsProbe').toBe(opsBefore + 3);
    expect(sampleValue(after, 'perpgraph_graphql_operations_total', { operation: 'anonymous', type: 'query' }), 'unnamed operation').toBeGreaterThanOrEqual(1);
    expect(sampleValue(after, 'perpgraph_http_requests_total', { route: '/graphql', method: 'POST', status: '200' }), 'four POSTs answered 200').toBe(httpBefore + 4);
    expect(sampleValue(after, 'perpgraph_http_requests_total', { route: '/metrics', method: 'GET', status: '200' }), 'the first scrape was counted').toBeGreaterThanOrEqual(1);
  });

  it('exposes latency histograms with cumulative le buckets, _sum and _count', async () => {
    await gql(app.url, PROBE);
    const families = await scrape(app);
    const family = families.get('perpgraph_graphql_operation_duration_seconds')!;
    expect(family.type).toBe('histogram');
    const ours = family.samples.filter((s) => s.labels.operation === 'MetricsProbe' && s.labels.type === 'query');
    const buckets = ours.filter((s) => s.name.endsWith('_bucket'));
    expect(buckets.map((b) => b.labels.le), 'buckets from 0.5 ms to 10 s, then +Inf').toEqual(['0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf']);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value, 'buckets are cumulative').toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    const count = ours.find((s) => s.name.endsWith('_count'))!.value;
    const sum = ours.find((s) => s.name.endsWith('_sum'))!.value;
    expect(count, 'four executions so far').toBe(4);
    expect(buckets.at(-1)!.value, '+Inf bucket equals _count').toBe(count);
    expect(sum, 'some time was spent, less than 10 s per execution').toBeGreaterThan(0);
    expect(sum).toBeLessThan(40);
    expect(sampleValue(families, 'perpgraph_graphql_operations_total', { operation: 'MetricsProbe', type: 'query' }), 'counter agrees with the histogram').toBe(count);

    const http = families.get('perpgraph_http_request_duration_seconds')!;
    expect(http.type).toBe('histogram');
    expect(sampleValue(families, 'perpgraph_http_request_duration_seconds_count', { route: '/graphql', status: '200' })).toBe(
      sampleValue(families, 'perpgraph_http_requests_total', { route: '/graphql', method: 'POST', status: '200' }),
    );
  });

  it('counts errors by code', async () => {
    const before = await scrape(app);
    const bad = await gql(app.url, '{ market(symbol: "NOPE!") { symbol } }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const invalid = await gql(app.url, '{ noSuchField }');
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const after = await scrape(app);
    for (const code of ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']) {
      expect(sampleValue(after, 'perpgraph_graphql_errors_total', { code }), code).toBe((sampleValue(before, 'perpgraph_graphql_errors_total', { code }) ?? 0) + 1);
    }
  });

  it('counts graphql-ws refusals before execution by code (they never reach yoga result hooks)', async () => {
    const before = await scrape(app);
    const client = wsClient(app);
    clients.push(client);
    const failure = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: 'subscription { noSuchField }' }, { next: () => {}, error: resolve, complete: () => resolve(undefined) });
    });
    expect(JSON.stringify(failure)).toContain('GRAPHQL_VALIDATION_FAILED');
    const after = await scrape(app);
    const code = 'GRAPHQL_VALIDATION_FAILED';
    expect(sampleValue(after, 'perpgraph_graphql_errors_total', { code })).toBe((sampleValue(before, 'perpgraph_graphql_errors_total', { code }) ?? 0) + 1);
  });

  it('reports analysis age per kind, engine work per kind and the venue state', async () => {
    const kinds = ['FUNDING', 'VOLUME', 'MARKET_STRUCTURE'];
    const families = await waitFor(async () => {
      const f = await scrape(app);
      return kinds.every((kind) => sampleValue(f, 'perpgraph_analysis_age_seconds', { kind }) !== undefined) ? f : undefined;
    }, 30_000, 200);
    // FUNDING's asOf is the newest funding input, which moves rarely: the gauge must equal the age of the
    // oldest of the three symbols' results as the API reports them (market clock = wall clock here).
    const res = await gql<{ markets: Array<{ funding: { meta: { asOf: string } } }> }>(app.url, '{ markets(symbols: ["BTCUSDT", "ETHUSDT", "SOLUSDT"]) { funding { meta { asOf } } } }');
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const oldestAsOf = Math.min(...res.data!.markets.map((m) => Date.parse(m.funding.meta.asOf)));
    const at = Date.now();
    const fresh = await scrape(app);
    const fundingAge = sampleValue(fresh, 'perpgraph_analysis_age_seconds', { kind: 'FUNDING' })!;
    expect(Math.abs(fundingAge - (at - oldestAsOf) / 1000), `FUNDING age ${fundingAge} s vs the API's oldest asOf`).toBeLessThan(1.5);
    for (const kind of kinds) {
      const age = sampleValue(families, 'perpgraph_analysis_age_seconds', { kind })!;
      expect(age, `${kind} age in seconds`).toBeGreaterThanOrEqual(0);
      expect(sampleValue(families, 'perpgraph_engine_computations_total', { kind, outcome: 'ok' }), `${kind} computed`).toBeGreaterThan(0);
      expect(sampleValue(families, 'perpgraph_engine_compute_seconds_total', { kind }), `${kind} compute time`).toBeGreaterThan(0);
    }
    expect(sampleValue(families, 'perpgraph_venue_state', { venue: 'simulated', state: 'OK' })).toBe(1);
    expect(sampleValue(families, 'perpgraph_venue_state', { venue: 'simulated', state: 'DOWN' })).toBe(0);
    expect(sampleValue(families, 'perpgraph_pubsub_published_total', { topic: 'analysis:updated' }), 'results were published').toBeGreaterThan(0);
    expect(sampleValue(families, 'perpgraph_snapshot_written_total'), 'snapshots were written').toBeGreaterThan(0);
    expect(sampleValue(families, 'perpgraph_build_info', { version: '0.1.0' })).toBe(1);
    expect(families.get('perpgraph_alert_deliveries_total')?.type, 'declared for the alerts outbox').toBe('counter');
  });

  it('counts graphql-ws connections and subscriptions by field', async () => {
    const client = wsClient(app);
    clients.push(client);
    const received: unknown[] = [];
    const dispose = client.subscribe({ query: 'subscription { basisUpdated(symbol: "BTCUSDT") { meta { asOf } } }' }, { next: (r) => received.push(r), error: () => {}, complete: () => {} });
    const families = await waitFor(async () => {
      const f = await scrape(app);
      return sampleValue(f, 'perpgraph_subscriptions', { transport: 'ws', field: 'basisUpdated' }) === 1 ? f : undefined;
    }, 10_000, 100);
    expect(sampleValue(families, 'perpgraph_ws_connections')).toBe(1);
    expect(sampleValue(families, 'perpgraph_subscription_groups', { transport: 'ws', field: 'basisUpdated' })).toBe(1);
    dispose();
    const later = await waitFor(async () => {
      const f = await scrape(app);
      return sampleValue(f, 'perpgraph_subscriptions', { transport: 'ws', field: 'basisUpdated' }) === undefined ? f : undefined;
    }, 10_000, 100);
    expect(sampleValue(later, 'perpgraph_subscription_groups', { transport: 'ws', field: 'basisUpdated' }), 'the group closed with its last member').toBeUndefined();
  });
});

describe('/metrics protection', () => {
  let app: IsolatedTestApp;
  const token = 'metrics-token-0123456789abcdef';

  beforeAll(async () => {
    app = await startIsolatedTestApp({ METRICS_TOKEN: token });
  }, 60_000);

  afterAll(async () => {
    await app?.teardown();
  });

  it('answers 401 without the bearer token or with a wrong one, 200 with it', async () => {
    const none = await fetch(metricsUrl(app));
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(await none.text(), 'nothing of the metrics leaks').not.toMatch(/perpgraph_/);
    expect((await fetch(metricsUrl(app), { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    expect((await fetch(metricsUrl(app), { headers: { authorization: token } })).status, 'the Bearer scheme is required').toBe(401);
    const families = await scrape(app, { authorization: `Bearer ${token}` });
    expect(families.get('perpgraph_http_requests_total')?.type).toBe('counter');
    expect(sampleValue(families, 'perpgraph_http_requests_total', { route: '/metrics', method: 'GET', status: '401' }), 'refusals are counted too').toBe(3);
  });
});

describe('/metrics disabled', () => {
  it('answers 404 with METRICS_ENABLED=false', async () => {
    const app = await startIsolatedTestApp({ METRICS_ENABLED: 'false' });
    try {
      expect((await fetch(metricsUrl(app))).status).toBe(404);
    } finally {
      await app.teardown();
    }
  }, 60_000);
});

describe('/metrics with the whole-response cache on', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ RESPONSE_CACHE_TTL_MS: '60000' });
  }, 60_000);
  afterAll(async () => {
    await app?.teardown();
  });

  it('counts cache hits apart from executions', async () => {
    const query = 'query CachedProbe { symbols { symbol } }';
    await waitFor(async () => (await gql(app.url, query)).data, 10_000, 100);
    const before = await scrape(app);
    for (let i = 0; i < 3; i += 1) expect((await gql(app.url, query)).errors).toBeUndefined();
    const after = await scrape(app);
    const delta = (name: string, labels: Record<string, string>) => (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);
    expect(delta('perpgraph_graphql_response_cache_total', { outcome: 'hit' }), 'three identical requests served from the cache').toBe(3);
    expect(delta('perpgraph_graphql_operations_total', { operation: 'CachedProbe', type: 'query' }), 'no execution behind a hit').toBe(0);
  });
});
