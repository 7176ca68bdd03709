import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { gql, startTestApp, tempDir, testEnv, type TestApp } from '../support/harness.js';
import { wsClient } from '../support/ws.js';

type Meta = { asOf: string; ageMs: number; stale: boolean; source: string; methodologyVersion: string };

const OI_FIELDS = 'symbol score quadrant changes { horizon oiChangePct } meta { asOf source stale methodologyVersion }';

/** Subscribes and records every `next` (data or errors) with its arrival time, until disposed. */
function record<T>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const events: { data?: T; errors?: unknown; at: number }[] = [];
  let failed: unknown;
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => events.push({ data: result.data as T | undefined, errors: result.errors, at: Date.now() }),
      error: (error) => {
        failed = error;
      },
      complete: () => {},
    },
  );
  return { events, dispose, failure: () => failed };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('graphql-ws subscriptions', () => {
  let app: TestApp;
  let dir: { path: string; remove(): Promise<void> };
  const clients: Client[] = [];
  const client = () => {
    const c = wsClient(app);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = await tempDir();
    // Recompute at most once a minute: any event within seconds of subscribing can only be the latest-on-subscribe one.
    app = await startTestApp(
      testEnv({
        DATA_DIR: dir.path,
        DATABASE_URL: undefined,
        REDIS_URL: undefined,
        ANALYSIS_MIN_INTERVAL_MS: '60000',
        WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '4',
        WS_MAX_CONNECTIONS_PER_IP: '6',
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.dispose()));
    await app?.stop();
    await dir?.remove();
  });

  it('sends the latest result on subscribe: the same payload the query answers with, at once (not at the next recomputation)', async () => {
    let query: { market: { openInterest: Record<string, unknown> & { meta: Meta } } } | undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const res = await gql<{ market: { openInterest: Record<string, unknown> & { meta: Meta } } }>(app.url, `{ market(symbol: "BTCUSDT") { openInterest { ${OI_FIELDS} } } }`);
      if (res.data?.market?.openInterest) {
        query = res.data;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(query, 'open interest became ready').toBeDefined();
    const c = client();
    const started = Date.now();
    const typed = record<{ openInterestUpdated: unknown }>(c, `subscription { openInterestUpdated(symbol: "BTCUSDT") { ${OI_FIELDS} } }`);
    const generic = record<{ analysisUpdated: { kind: string; symbol: string; asOf: string } }>(
      c,
      'subscription { analysisUpdated(kind: OPEN_INTEREST, symbol: "BTCUSDT") { kind symbol asOf } }',
    );
    await until(() => typed.events.length > 0 && generic.events.length > 0, 5_000, 'the first events');
    // At once means well before the next recomputation (60 s): 10 s leaves room for a loaded CI machine.
    expect(typed.events[0]!.at - started, 'first typed event arrives at once, not at the next recomputation (60 s)').toBeLessThan(10_000);
    expect(typed.events[0]!.data!.openInterestUpdated, 'same payload as the query').toEqual(query!.market.openInterest);
    expect(generic.events[0]!.data!.analysisUpdated).toEqual({ kind: 'OPEN_INTEREST', symbol: 'BTCUSDT', asOf: query!.market.openInterest.meta.asOf });
    typed.dispose();
    generic.dispose();
  });

  it('answers a bad subscribe with an error message and keeps the socket and its healthy subscriptions', async () => {
    const c = client();
    let closed = false;
    c.on('closed', () => {
      closed = true;
    });
    const healthy = record<{ fundingUpdated: { symbol: string } }>(c, 'subscription { fundingUpdated(symbol: "ETHUSDT") { symbol } }');
    await until(() => healthy.events.length > 0, 10_000, 'the healthy subscription');

    const syntax = record(c, 'subscription { fundingUpdated(symbol: "ETHUSDT") { symbol ');
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: symbol`).join(' ');
    const tooMany = record(c, `subscription { fundingUpdated(symbol: "ETHUSDT") { ${aliases} } }`);
    await until(() => syntax.failure() !== undefined && tooMany.failure() !== undefined, 5_000, 'both error messages');
    const codes = [syntax, tooMany].map((s) => (s.failure() as { extensions?: { code?: string } }[])[0]);
    expect(codes[0]!.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(codes[1]!.extensions?.code).toBeTruthy();
    expect(JSON.stringify(codes[1])).toMatch(/alias/i);
    expect(closed, 'the socket stays open').toBe(false);

    // The healthy subscription still works on the same socket, and so does a new one.
    const again = record<{ fundingUpdated: { symbol: string } }>(c, 'subscription { fundingUpdated(symbol: "ETHUSDT") { symbol } }');
    await until(() => again.events.length > 0, 5_000, 'a new subscription on the same socket');
    expect(again.events[0]!.data).toEqual({ fundingUpdated: { symbol: 'ETHUSDT' } });
    expect(healthy.failure()).toBeUndefined();
    expect(closed).toBe(false);
    healthy.dispose();
    again.dispose();
  });

  it('multiplexes: every subscriber of one document gets the same bytes, with meta computed at publish time', async () => {
    const query = 'subscription { fundingUpdated(symbol: "BTCUSDT") { symbol rate predictedRate meta { asOf ageMs stale source methodologyVersion } } }';
    const subs = [client(), client(), client()].flatMap((c) => [record<{ fundingUpdated: { symbol: string; meta: Meta } }>(c, query), record<{ fundingUpdated: { symbol: string; meta: Meta } }>(c, query)]);
    await until(() => subs.every((s) => s.events.length > 0), 10_000, 'every subscriber to get the latest');
    const first = subs[0]!.events[0]!;
    // Joiners get the group's latest payload: identical, ageMs included (computed once, not per subscriber).
    for (const s of subs) expect(s.events[0]!.data).toEqual(first.data);
    const meta = first.data!.fundingUpdated.meta;
    expect(meta.source).toBe('SIMULATED');
    expect(meta.ageMs, 'ageMs = publish time − asOf').toBeGreaterThanOrEqual(0);
    expect(Date.parse(meta.asOf) + meta.ageMs).toBeLessThanOrEqual(first.at);
    const res = await gql<{ market: { funding: { rate: number; meta: { asOf: string } } } }>(app.url, '{ market(symbol: "BTCUSDT") { funding { rate meta { asOf } } } }');
    if (res.data!.market.funding.meta.asOf === meta.asOf) expect(first.data!.fundingUpdated).toMatchObject({ rate: res.data!.market.funding.rate });
    expect(subs.every((s) => s.failure() === undefined)).toBe(true);
    for (const s of subs) s.dispose();
  });

  it('multiplexes SSE too: every SSE subscriber of one document gets the same bytes, the same correct payload', async () => {
    const query = 'subscription { fundingUpdated(symbol: "SOLUSDT") { symbol rate meta { asOf ageMs stale source } } }';
    const controllers: AbortController[] = [];
    const responses: Response[] = []; // held: undici cancels the body of a collected Response
    /** Opens an SSE subscription and resolves with the `data:` line of its first `next` event. */
    const firstEvent = async () => {
      const controller = new AbortController();
      controllers.push(controller);
      const res = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query }),
        signal: controller.signal,
      });
      responses.push(res);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.getReader();
      let text = '';
      for (;;) {
        const match = /event: next\ndata: (.*)\n\n/.exec(text);
        if (match) return match[1]!;
        text += new TextDecoder().decode((await reader.read()).value);
      }
    };
    try {
      const first = await firstEvent();
      // Late joiners, one after the other: each gets the group's latest event at once.
      const later = [await firstEvent(), await firstEvent(), ...(await Promise.all([firstEvent(), firstEvent()]))];
      for (const bytes of later) expect(bytes, 'same bytes, ageMs included').toBe(first);
      const payload = JSON.parse(first) as { data: { fundingUpdated: { symbol: string; rate: number; meta: Meta } } };
      expect(payload.data.fundingUpdated.symbol).toBe('SOLUSDT');
      expect(payload.data.fundingUpdated.meta.source).toBe('SIMULATED');
      expect(payload.data.fundingUpdated.meta.ageMs).toBeGreaterThanOrEqual(0);
      const res = await gql<{ market: { funding: { rate: number; meta: { asOf: string } } } }>(app.url, '{ market(symbol: "SOLUSDT") { funding { rate meta { asOf } } } }');
      expect(res.data!.market.funding.meta.asOf, 'recomputed once a minute at most: the query shows the same result').toBe(payload.data.fundingUpdated.meta.asOf);
      expect(payload.data.fundingUpdated.rate).toBe(res.data!.market.funding.rate);
      const stats = app.app.subscriptionStats()!.sse;
      expect(stats.groups, 'one group for the five streams').toBe(1);
      expect(stats.subscribers).toBe(5);
      expect(stats.executions, 'executed once (the latest on subscribe), not once per stream').toBe(1);
    } finally {
      for (const c of controllers) c.abort();
    }
  });

  it('limits subscriptions per connection with a coded error and keeps the others', async () => {
    const c = client();
    const ok = [1, 2, 3, 4].map((n) => record(c, `subscription S${n} { fundingUpdated(symbol: "SOLUSDT") { symbol } }`));
    await until(() => ok.every((s) => s.events.length > 0), 10_000, 'four subscriptions');
    const fifth = record(c, 'subscription { fundingUpdated(symbol: "SOLUSDT") { symbol } }');
    await until(() => fifth.failure() !== undefined, 5_000, 'the limit error');
    const [error] = fifth.failure() as { message: string; extensions: { code: string; limit: number } }[];
    expect(error!.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 4 });
    expect(ok.every((s) => s.failure() === undefined)).toBe(true);
    for (const s of ok) s.dispose();
  });

  it('limits connections per client address with HTTP 429 and a LIMIT_EXCEEDED body', async () => {
    await Promise.allSettled(clients.map((c) => c.dispose()));
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the server see those sockets close
    const sockets: WebSocket[] = [];
    try {
      const open = () =>
        new Promise<{ ok: true } | { ok: false; status: number; body: string }>((resolve) => {
          const ws = new WebSocket(app.wsUrl, 'graphql-transport-ws');
          sockets.push(ws);
          ws.once('open', () => resolve({ ok: true }));
          ws.once('unexpected-response', (_req, res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
          });
          ws.once('error', () => {});
        });
      for (let i = 0; i < 6; i += 1) expect(await open(), `connection ${i + 1}`).toEqual({ ok: true });
      const rejected = await open();
      expect(rejected.ok).toBe(false);
      if (rejected.ok) return;
      expect(rejected.status).toBe(429);
      expect(JSON.parse(rejected.body).errors[0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 6 });
    } finally {
      for (const ws of sockets) ws.terminate();
    }
  });
});
