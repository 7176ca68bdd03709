import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { generateApiKey } from '../../src/auth/keys.js';
import { WS_RATE_LIMITED } from '../../src/server.js';
import { SHARED_REDIS_URL, startIsolatedTestApp, uniqueName, type IsolatedTestApp } from '../support/harness.js';

interface Reply {
  status: number;
  headers: Headers;
  body: { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

/** POST from a client address of our choosing (the app trusts the loopback proxy: TRUST_PROXY=loopback). */
async function post(url: string, query: string, from: string, key?: string): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': from };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query }) });
  return { status: res.status, headers: res.headers, body: JSON.parse(await res.text()) };
}

const QUERY = '{ health { status } }';
const MUTATION = `mutation { revokeApiKey(id: "00000000-0000-0000-0000-000000000000") { id } }`;

/** Checks one RATE_LIMITED refusal over HTTP: 429, Retry-After in whole seconds, retryAfterMs within the window. */
function expectRefused(reply: Reply, kind: string, subject: string, windowS: number): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(429);
  const ext = reply.body.errors?.[0]?.extensions ?? {};
  expect(ext).toMatchObject({ code: 'RATE_LIMITED', limit: 'requests', kind, subject });
  expect(ext.retryAfterMs, 'the rest of the window').toBeGreaterThan(0);
  expect(ext.retryAfterMs).toBeLessThanOrEqual(windowS * 1000);
  expect(reply.headers.get('retry-after'), 'HTTP retry hint, whole seconds rounded up').toBe(String(Math.ceil(ext.retryAfterMs / 1000)));
  expect(reply.body.data, 'nothing executed').toBeUndefined();
}

/** A graphql-ws client whose upgrade request carries X-Forwarded-For: `from`; resolves with the close event or 'acked'. */
function wsConnect(wsUrl: string, from: string, key?: string): Promise<{ acked: boolean; code?: number; reason?: string; dispose(): void }> {
  class ForwardedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { 'x-forwarded-for': from } });
    }
  }
  return new Promise((resolve) => {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: ForwardedWebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: key ? { authorization: `Bearer ${key}` } : {},
      on: {
        connected: () => resolve({ acked: true, dispose: () => void client.dispose() }),
        closed: (event) => {
          const e = event as { code: number; reason: string };
          resolve({ acked: false, code: e.code, reason: e.reason, dispose: () => void client.dispose() });
        },
      },
      onNonLazyError: () => {},
    });
  });
}

describe('request rate limits per client address and per API key (in memory)', () => {
  const admin = generateApiKey().plaintext;
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({
      ADMIN_API_KEY: admin,
      // This instance's memory, whatever CI provides (the shared-Redis case is below).
      REDIS_URL: '',
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_WINDOW_S: '60',
      RATE_LIMIT_IP_QUERIES: '3',
      RATE_LIMIT_IP_MUTATIONS: '2',
      RATE_LIMIT_IP_SUBSCRIPTIONS: '2',
      RATE_LIMIT_KEY_QUERIES: '5',
      RATE_LIMIT_KEY_MUTATIONS: '5',
      RATE_LIMIT_KEY_SUBSCRIPTIONS: '5',
    });
  }, 60_000);
  afterAll(async () => app?.teardown());

  it('answers the queries within the address budget, cache hits included, then RATE_LIMITED with the retry hint', async () => {
    const from = '203.0.113.10';
    for (let i = 0; i < 3; i++) {
      const reply = await post(app.url, QUERY, from);
      expect(reply.status, `query ${i + 1} of 3`).toBe(200);
      expect(reply.body.data?.health?.status).toBeTypeOf('string');
    }
    expectRefused(await post(app.url, QUERY, from), 'query', 'ip', 60);
    expect((await post(app.url, QUERY, '203.0.113.11')).status, 'another address (X-Forwarded-For from the trusted proxy) has its own budget').toBe(200);
  });

  it('counts a valid API key against its own, larger budget, not its address', async () => {
    const from = '203.0.113.20';
    for (let i = 0; i < 3; i++) await post(app.url, QUERY, from);
    expectRefused(await post(app.url, QUERY, from), 'query', 'ip', 60);
    for (let i = 0; i < 5; i++) expect((await post(app.url, QUERY, from, admin)).status, `keyed query ${i + 1} of 5 from the spent address`).toBe(200);
    expectRefused(await post(app.url, QUERY, '198.51.100.20', admin), 'query', 'key', 60);
  });

  it('counts mutation attempts without a key per address: UNAUTHENTICATED within the budget, RATE_LIMITED beyond', async () => {
    const from = '203.0.113.30';
    for (let i = 0; i < 2; i++) {
      const reply = await post(app.url, MUTATION, from);
      expect(reply.body.errors?.[0]?.extensions?.code, `attempt ${i + 1}`).toBe('UNAUTHENTICATED');
    }
    expectRefused(await post(app.url, MUTATION, from), 'mutation', 'ip', 60);
    expect((await post(app.url, QUERY, from)).status, 'queries are a separate budget').toBe(200);
  });

  it('refuses the graphql-ws connection over the subscription budget with close code 4429 and the coded reason; SSE streams share it', async () => {
    const from = '203.0.113.40';
    const first = await wsConnect(app.wsUrl, from);
    const second = await wsConnect(app.wsUrl, from);
    expect([first.acked, second.acked], 'two connections of 2').toEqual([true, true]);
    const third = await wsConnect(app.wsUrl, from);
    expect(third.acked).toBe(false);
    expect(third.code).toBe(WS_RATE_LIMITED);
    const reason = JSON.parse(third.reason ?? '{}') as Record<string, any>;
    expect(reason).toMatchObject({ code: 'RATE_LIMITED', limit: 'requests', kind: 'subscription', subject: 'ip' });
    expect(reason.retryAfterMs).toBeGreaterThan(0);
    expect(reason.retryAfterMs).toBeLessThanOrEqual(60_000);
    const keyed = await wsConnect(app.wsUrl, from, admin);
    expect(keyed.acked, 'a key (connectionParams) has its own connection budget').toBe(true);
    for (const c of [first, second, third, keyed]) c.dispose();

    const sse = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-forwarded-for': from },
      body: JSON.stringify({ query: 'subscription { fundingUpdated(symbol: "BTCUSDT") { rate } }' }),
    });
    const body = JSON.parse(await sse.text()) as Reply['body'];
    expectRefused({ status: sse.status, headers: sse.headers, body }, 'subscription', 'ip', 60);
  });

  it('counts queries sent over an accepted graphql-ws socket; the one over budget gets a coded error and the socket stays open', async () => {
    class ForwardedWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { 'x-forwarded-for': '203.0.113.60' } });
      }
    }
    const client = createClient({ url: app.wsUrl, webSocketImpl: ForwardedWebSocket, retryAttempts: 0 });
    try {
      const run = (query: string) =>
        new Promise<{ data?: unknown; error?: Record<string, any> }>((resolve) => {
          client.subscribe({ query }, { next: (r) => resolve({ data: r.data }), error: (e) => resolve({ error: (e as Array<Record<string, any>>)[0] }), complete: () => {} });
        });
      for (let i = 0; i < 3; i++) expect((await run(QUERY)).data, `query ${i + 1} of 3 over the socket`).toBeDefined();
      const over = await run(QUERY);
      expect(over.error?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'requests', kind: 'query', subject: 'ip' });
      const still = await run('subscription { fundingUpdated(symbol: "BTCUSDT") { rate } }');
      expect(still.data, 'subscriptions on the open socket keep working').toBeDefined();
    } finally {
      await client.dispose();
    }
  });

  it('counts the refusals in /metrics by kind and subject', async () => {
    const text = await (await fetch(app.url.replace('/graphql', '/metrics'))).text();
    const value = (labels: string) => Number(new RegExp(`^perpgraph_rate_limited_total\\{${labels}\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    expect(value('kind="query",subject="ip"'), 'three address refusals of queries above (two over HTTP, one over graphql-ws)').toBe(3);
    expect(value('kind="query",subject="key"')).toBe(1);
    expect(value('kind="mutation",subject="ip"')).toBe(1);
    expect(value('kind="subscription",subject="ip"'), 'the refused socket and the refused SSE stream').toBe(2);
  });
});

describe.skipIf(!SHARED_REDIS_URL)('request rate limits shared by two instances through real Redis', () => {
  const prefix = `${uniqueName('rl')}:`;
  let a: IsolatedTestApp;
  let b: IsolatedTestApp;
  beforeAll(async () => {
    const env = { REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: prefix, TRUST_PROXY: 'loopback', RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_IP_QUERIES: '4', RATE_LIMIT_WINDOW_S: '60' };
    a = await startIsolatedTestApp(env);
    b = await startIsolatedTestApp(env);
  }, 90_000);
  afterAll(async () => {
    await a?.teardown();
    await b?.teardown();
  });

  it('spends one budget across both instances', async () => {
    const from = '203.0.113.50';
    const statuses = [];
    for (const url of [a.url, b.url, a.url, b.url]) statuses.push((await post(url, QUERY, from)).status);
    expect(statuses, '4 of 4, alternating instances').toEqual([200, 200, 200, 200]);
    expectRefused(await post(a.url, QUERY, from), 'query', 'ip', 60);
    expectRefused(await post(b.url, QUERY, from), 'query', 'ip', 60);
  });
});
