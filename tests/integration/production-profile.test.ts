import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import * as dashboardDocuments from '../../web/src/gql/graphql.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';

const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPE = '{ __type(name: "Query") { name } }';
/** A misspelt field graphql-js would answer with `Did you mean "health"?`. */
const MISSPELT = '{ healt { status } }';

/** The dashboard's typed documents (codegen of web/src/documents, fragments included: `*Document` strings), one per operation. */
function dashboardOperations(): Array<{ name: string; query: string }> {
  return Object.entries(dashboardDocuments as Record<string, unknown>)
    .filter(([name]) => name.endsWith('Document'))
    .flatMap(([, doc]) => {
      const query = String(doc);
      const operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      return operation ? [{ name: operation.name!.value, query }] : [];
    });
}

/**
 * Runs each operation over graphql-ws as the dashboard does; resolves with the errors of those refused
 * (a refusal is immediate; an operation that has sent data, completed or stayed quiet for 3 s passed).
 */
async function refusedOverWs(wsUrl: string, operations: Array<{ name: string; query: string }>): Promise<string[]> {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => {} });
  // The quiet window counts from an acknowledged connection, not from a connection still being set up.
  await new Promise<void>((resolve) => client.on('connected', () => resolve()));
  try {
    const results = await Promise.all(
      operations.map(
        (op) =>
          new Promise<string | null>((resolve) => {
            const timer = setTimeout(() => (stop(), resolve(null)), 3_000);
            const stop = client.subscribe(
              { query: op.query, operationName: op.name, variables: { symbol: 'BTCUSDT' } },
              {
                next: (result) => {
                  const codes = (result.errors ?? []).map((e) => String(e.extensions?.code)).filter((c) => c === 'GRAPHQL_VALIDATION_FAILED' || c === 'INTROSPECTION_DISABLED');
                  clearTimeout(timer);
                  stop();
                  resolve(codes.length ? `${op.name}: ${codes.join(',')}` : null);
                },
                error: (error) => {
                  clearTimeout(timer);
                  resolve(`${op.name}: ${JSON.stringify(error)}`);
                },
                complete: () => {
                  clearTimeout(timer);
                  resolve(null);
                },
              },
            );
          }),
      ),
    );
    return results.filter((r): r is string => r !== null);
  } finally {
    await client.dispose();
  }
}

describe('production profile (NODE_ENV=production)', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ NODE_ENV: 'production', SYMBOLS: 'BTCUSDT' });
  }, 60_000);
  afterAll(async () => app?.teardown());

  it('turns GraphiQL, introspection and field suggestions off by default', () => {
    expect([app.config.GRAPHIQL, app.config.INTROSPECTION_ENABLED, app.config.FIELD_SUGGESTIONS_ENABLED]).toEqual([false, false, false]);
  });

  it('refuses introspection over HTTP with INTROSPECTION_DISABLED, before executing anything; __typename still answers', async () => {
    for (const query of [INTROSPECTION, TYPE]) {
      const res = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify({ query }) });
      expect(res.status, `${query}: a validation error, as GraphQL over HTTP answers one`).toBe(400);
      const r = (await res.json()) as Awaited<ReturnType<typeof gql>>;
      expect(r.data, query).toBeUndefined();
      expect(r.errors?.[0]?.extensions?.code, query).toBe('INTROSPECTION_DISABLED');
    }
    const typename = await gql<{ __typename: string }>(app.url, '{ __typename }');
    expect(typename.data?.__typename).toBe('Query');
  });

  it('refuses introspection over graphql-ws too', async () => {
    const refused = await refusedOverWs(app.wsUrl, [{ name: 'Probe', query: `query Probe ${INTROSPECTION}` }]);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain('INTROSPECTION_DISABLED');
  });

  it('serves no GraphiQL page to a browser', async () => {
    const res = await fetch(app.url, { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(html).not.toContain('renderYogaGraphiQL');
    expect(res.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
  });

  it('hides "Did you mean" suggestions in validation errors', async () => {
    const r = await gql(app.url, MISSPELT);
    expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors?.[0]?.message).toContain('healt');
    expect(r.errors?.[0]?.message).not.toMatch(/did you mean/i);
  });

  it('still runs every document of the dashboard (its own typed operations need no introspection)', async () => {
    const operations = dashboardOperations();
    expect(operations.length, 'the dashboard documents were found').toBeGreaterThan(10);
    expect(await refusedOverWs(app.wsUrl, operations)).toEqual([]);
  });
});

describe('development profile (the default) and explicit settings', () => {
  let dev: IsolatedTestApp;
  let prodOpen: IsolatedTestApp;
  beforeAll(async () => {
    dev = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT' });
    prodOpen = await startIsolatedTestApp({ NODE_ENV: 'production', SYMBOLS: 'BTCUSDT', INTROSPECTION_ENABLED: 'true', GRAPHIQL: 'true' });
  }, 90_000);
  afterAll(async () => {
    await dev?.teardown();
    await prodOpen?.teardown();
  });

  it('keeps introspection, GraphiQL and suggestions in development', async () => {
    const r = await gql<{ __schema: { queryType: { name: string } } }>(dev.url, INTROSPECTION);
    expect(r.data?.__schema.queryType.name).toBe('Query');
    const page = await fetch(dev.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('renderYogaGraphiQL');
    const misspelt = await gql(dev.url, MISSPELT);
    expect(misspelt.errors?.[0]?.message).toMatch(/Did you mean "health"\?/);
  });

  it('lets an explicit setting win over the production default', async () => {
    const r = await gql<{ __schema: { queryType: { name: string } } }>(prodOpen.url, INTROSPECTION);
    expect(r.data?.__schema.queryType.name).toBe('Query');
    expect(prodOpen.config.FIELD_SUGGESTIONS_ENABLED, 'not set: production default').toBe(false);
  });
});
