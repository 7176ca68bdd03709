import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPubSub } from 'graphql-yoga';
import WebSocket from 'ws';
import type { AppServices } from '../../src/context.js';
import { fundingRecord } from '../support/records.js';
import { parseTrustProxy } from '../../src/domain/client-address.js';
import { createLogger } from '../../src/logger.js';
import type { Topics } from '../../src/pubsub.js';
import { createHttpServer, type HttpServer } from '../../src/server.js';

/**
 * graphql-ws over real connections against the HTTP server alone (no engine): per-IP limits behind a
 * trusted proxy (X-Forwarded-For from trusted and untrusted loopback addresses), and one multiplexed
 * subscription fanned out to a few hundred separate connections.
 */

const NOW = Date.UTC(2026, 0, 22, 12, 0, 0);
const QUERY = 'subscription { fundingUpdated(symbol: "BTCUSDT") { symbol rate predictedRate meta { asOf ageMs stale source venue methodologyVersion } } }';

function stubServices(pubsub: ReturnType<typeof createPubSub<Topics>>): AppServices {
  return {
    pubsub,
    now: () => NOW,
    staleAfterMs: 30_000,
    hasSymbol: (s: string) => s === 'BTCUSDT',
    symbols: () => [{ symbol: 'BTCUSDT' }],
    latest: async () => undefined,
  } as unknown as AppServices;
}

type Opened = { ok: true; ws: WebSocket } | { ok: false; status: number; body: string };

/** Opens a graphql-ws socket from `localAddress`, optionally with an X-Forwarded-For header. */
function open(url: string, localAddress: string, forwardedFor: string | undefined, sockets: WebSocket[]): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { localAddress, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
    sockets.push(ws);
    ws.once('open', () => resolve({ ok: true, ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

async function closeAll(sockets: WebSocket[], http: HttpServer): Promise<void> {
  await Promise.all(
    sockets.splice(0).map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.terminate();
        }),
    ),
  );
  // Let the server see those sockets close before the next test counts connections.
  const deadline = Date.now() + 5_000;
  while (http.subscriptionStats().subscribers > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('per-IP connection limits behind a trusted proxy (TRUST_PROXY)', () => {
  const pubsub = createPubSub<Topics>();
  let http: HttpServer;
  let url: string;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    http = createHttpServer({
      services: stubServices(pubsub),
      logger: createLogger('silent'),
      graphiql: false,
      health: async () => ({ ready: true }) as never,
      subscriptions: { maxPerConnection: 10, maxConnectionsPerIp: 2, maxBufferedBytes: 1_048_576 },
      trustProxy: parseTrustProxy('127.0.0.2'),
    });
    url = `ws://127.0.0.1:${await http.listen(0, '127.0.0.1')}/graphql`;
  });
  afterAll(async () => {
    await closeAll(sockets, http);
    await http?.close();
  });

  it('counts connections from the trusted proxy by the forwarded client address', async () => {
    expect(await open(url, '127.0.0.2', '203.0.113.5', sockets)).toMatchObject({ ok: true });
    expect(await open(url, '127.0.0.2', '203.0.113.5', sockets)).toMatchObject({ ok: true });
    const third = await open(url, '127.0.0.2', '198.51.100.1, 203.0.113.5', sockets);
    expect(third, 'the same client behind the proxy (a spoofed left entry does not help)').toMatchObject({ ok: false, status: 429 });
    if (!third.ok) expect(JSON.parse(third.body).errors[0].extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 2 });
    expect(await open(url, '127.0.0.2', '203.0.113.6', sockets), 'another client behind the same proxy').toMatchObject({ ok: true });
    expect(await open(url, '127.0.0.2', '203.0.113.6', sockets)).toMatchObject({ ok: true });
    expect(await open(url, '127.0.0.2', undefined, sockets), 'the proxy itself, without the header').toMatchObject({ ok: true });
    await closeAll(sockets, http);
    expect(await open(url, '127.0.0.2', '203.0.113.5', sockets), 'closed connections no longer count').toMatchObject({ ok: true });
    await closeAll(sockets, http);
  });

  it('ignores X-Forwarded-For from an untrusted peer: it counts by its own address', async () => {
    expect(await open(url, '127.0.0.3', '203.0.113.7', sockets)).toMatchObject({ ok: true });
    expect(await open(url, '127.0.0.3', '203.0.113.8', sockets)).toMatchObject({ ok: true });
    const third = await open(url, '127.0.0.3', '203.0.113.9', sockets);
    expect(third, 'a new X-Forwarded-For value per connection does not get around the limit').toMatchObject({ ok: false, status: 429 });
    expect(await open(url, '127.0.0.4', '203.0.113.7', sockets), 'another untrusted peer has its own count').toMatchObject({ ok: true });
    await closeAll(sockets, http);
  });
});

describe('multiplexed fan-out to many real connections', () => {
  const pubsub = createPubSub<Topics>();
  let http: HttpServer;
  let url: string;
  const sockets: WebSocket[] = [];
  const CONNECTIONS = 300;

  beforeAll(async () => {
    http = createHttpServer({
      services: stubServices(pubsub),
      logger: createLogger('silent'),
      graphiql: false,
      health: async () => ({ ready: true }) as never,
      subscriptions: { maxPerConnection: 10, maxConnectionsPerIp: CONNECTIONS, maxBufferedBytes: 1_048_576 },
    });
    url = `ws://127.0.0.1:${await http.listen(0, '127.0.0.1')}/graphql`;
  });
  afterAll(async () => {
    await closeAll(sockets, http);
    await http?.close();
  });

  it(`sends every one of ${CONNECTIONS} connections the same correct payload, meta included, from one execution`, async () => {
    const received: { id: string; frames: { text: string; binary: boolean }[] }[] = [];
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const opened = await open(url, '127.0.0.1', undefined, sockets);
        if (!opened.ok) throw new Error(`upgrade refused: ${opened.status}`);
        const entry = { id: randomUUID(), frames: [] as { text: string; binary: boolean }[] };
        received.push(entry);
        await new Promise<void>((resolve) => {
          opened.ws.on('message', (data, binary) => {
            const text = data.toString();
            if (text === '{"type":"connection_ack"}') {
              opened.ws.send(JSON.stringify({ id: entry.id, type: 'subscribe', payload: { query: QUERY } }));
              resolve();
            } else entry.frames.push({ text, binary });
          });
          opened.ws.send('{"type":"connection_init"}');
        });
      }),
    );
    const deadline = Date.now() + 10_000;
    while (http.subscriptionStats().subscribers < CONNECTIONS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(http.subscriptionStats()).toMatchObject({ groups: 1, subscribers: CONNECTIONS });

    const asOf = NOW - 1_234;
    const record = fundingRecord(asOf);
    const before = http.subscriptionStats().executions;
    pubsub.publish('analysis:updated', 'FUNDING:BTCUSDT', record);
    while (received.some((r) => r.frames.length === 0) && Date.now() < deadline + 10_000) await new Promise((resolve) => setTimeout(resolve, 20));

    expect(http.subscriptionStats().executions - before, 'executed once for all connections').toBe(1);
    const expected = {
      data: {
        fundingUpdated: {
          symbol: 'BTCUSDT',
          rate: 0.0001,
          predictedRate: 0.00012,
          meta: { asOf: new Date(asOf).toISOString(), ageMs: 1_234, stale: false, source: 'SIMULATED', venue: 'simulated', methodologyVersion: 'funding/1.1.0' },
        },
      },
    };
    const payloads = new Set<string>();
    for (const r of received) {
      expect(r.frames, 'exactly one message').toHaveLength(1);
      expect(r.frames[0]!.binary, 'a text frame, as graphql-ws requires').toBe(false);
      const message = JSON.parse(r.frames[0]!.text) as { id: string; type: string; payload: unknown };
      expect(message).toEqual({ id: r.id, type: 'next', payload: expected });
      payloads.add(r.frames[0]!.text.slice(r.frames[0]!.text.indexOf('"payload":')));
    }
    expect(payloads.size, 'the same payload bytes on every connection').toBe(1);
  });
});

describe('keep-alive', () => {
  it('pings every keepAliveMs (WS_KEEPALIVE_MS), keeps a socket that answers and terminates one that does not', async () => {
    const http = createHttpServer({
      services: stubServices(createPubSub<Topics>()),
      logger: createLogger('silent'),
      graphiql: false,
      health: async () => ({ ready: true }) as never,
      subscriptions: { maxPerConnection: 10, maxConnectionsPerIp: 10, maxBufferedBytes: 1_048_576, keepAliveMs: 100 },
    });
    const url = `ws://127.0.0.1:${await http.listen(0, '127.0.0.1')}/graphql`;
    const answering = new WebSocket(url, 'graphql-transport-ws');
    const silent = new WebSocket(url, 'graphql-transport-ws', { autoPong: false });
    try {
      let pings = 0;
      answering.on('ping', () => (pings += 1));
      const silentClosed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
      await Promise.all([answering, silent].map((ws) => new Promise((resolve) => ws.once('open', resolve))));
      const code = await silentClosed;
      expect(code, 'terminated without a close frame').toBe(1006);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(pings, 'pinged about every 100 ms').toBeGreaterThanOrEqual(3);
      expect(answering.readyState).toBe(WebSocket.OPEN);
    } finally {
      answering.terminate();
      silent.terminate();
      await http.close();
    }
  });
});
