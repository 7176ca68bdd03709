import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_STARTER_QUERY } from '../../src/http/graphiql.js';
import { schema } from '../../src/schema/index.js';
import { gql, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';

describe('GraphiQL served offline', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ GRAPHIQL: 'true', SYMBOLS: 'BTCUSDT' });
  });
  afterAll(() => app?.teardown());

  it('serves the whole GraphiQL bundle from this server: no script, style or font from another host', async () => {
    const res = await fetch(app.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html, 'the page title').toContain('<title>perpgraph</title>');
    // yoga's default page loads unpkg/jsdelivr scripts: offline that is a blank "Loading __TITLE__..." page.
    expect(html).not.toMatch(/<script[^>]+src=["']?https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']?https?:/i);
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr\.net/);
    expect(html).not.toContain('__TITLE__');
    expect(html, 'the renderer is inlined').toContain('renderYogaGraphiQL');
    expect(html.length, 'the inlined bundle, not a loader stub').toBeGreaterThan(1_000_000);
    expect(html, 'the perpgraph starter query is the default tab').toContain('query Dashboard');
  });

  it('opens with a starter query that is valid against the schema and answers on the simulated market', async () => {
    expect(validate(schema, parse(GRAPHIQL_STARTER_QUERY))).toEqual([]);
    const r = await gql<{ market: { symbol: string; price: number | null } | null }>(app.url, GRAPHIQL_STARTER_QUERY, { symbol: 'BTCUSDT' });
    expect(r.data?.market?.symbol).toBe('BTCUSDT');
  });

  it('renders the page once and serves the same bytes again', async () => {
    const [a, b] = await Promise.all([1, 2].map(() => fetch(app.url, { headers: { accept: 'text/html' } }).then((r) => r.text())));
    expect(a).toBe(b);
  });
});
