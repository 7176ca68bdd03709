import { request } from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';

interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request (node:http, so Origin and the preflight headers are sent exactly as a browser would). */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a graphql-ws socket with this Origin (none: undefined); resolves with 'open' or the refused upgrade's HTTP status. */
function upgrade(wsUrl: string, origin: string | undefined): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws', origin ? { headers: { origin } } : {});
    ws.once('open', () => {
      ws.terminate();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

const preflight = (url: string, origin: string) =>
  send(url, 'OPTIONS', { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' });
const simple = (url: string, origin: string) =>
  send(url, 'POST', { origin, 'content-type': 'application/json' }, JSON.stringify({ query: '{ health { status } }' }));

describe('CORS by default (CORS_ORIGINS=*): any origin, never credentials', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT' });
  }, 60_000);
  afterAll(async () => app?.teardown());

  it('answers a preflight from any origin with *, the asked headers, and no Allow-Credentials', async () => {
    const reply = await preflight(app.url, 'https://evil.example');
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe('*');
    expect(reply.headers['access-control-allow-credentials'], 'no credentials to any origin').toBeUndefined();
    expect(reply.headers['access-control-allow-methods']).toBe('GET, POST');
    expect(reply.headers['access-control-allow-headers']).toBe('content-type, authorization');
    expect(reply.headers['access-control-max-age']).toBe('600');
  });

  it('answers a simple request with * and the readable retry/auth headers, never echoing the Origin with credentials', async () => {
    const reply = await simple(app.url, 'https://evil.example');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).data.health.status).toBeTypeOf('string');
    expect(reply.headers['access-control-allow-origin']).toBe('*');
    expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
    expect(reply.headers['access-control-expose-headers']).toContain('Retry-After');
  });

  it('lets a page of any origin open a graphql-ws socket', async () => {
    expect(await upgrade(app.wsUrl, 'https://evil.example')).toBe('open');
  });
});

describe('CORS_ORIGINS as a list, with CORS_CREDENTIALS=true', () => {
  const allowed = 'https://app.example.com';
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT', CORS_ORIGINS: `${allowed},http://localhost:5173`, CORS_CREDENTIALS: 'true' });
  }, 60_000);
  afterAll(async () => app?.teardown());

  it('allows a listed origin (echoed, with credentials, Vary: Origin) on the preflight and the request', async () => {
    const pre = await preflight(app.url, allowed);
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(allowed);
    expect(pre.headers['access-control-allow-credentials']).toBe('true');
    expect(pre.headers.vary).toContain('Origin');
    const reply = await simple(app.url, allowed);
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(allowed);
    expect(reply.headers['access-control-allow-credentials']).toBe('true');
    expect(reply.headers.vary).toContain('Origin');
  });

  it('gives any other origin no CORS header at all (not its Origin, not null), so the browser blocks it', async () => {
    for (const origin of ['https://evil.example', 'null', 'https://app.example.com.evil.example']) {
      const pre = await preflight(app.url, origin);
      expect(pre.status, origin).toBe(204);
      expect(pre.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(pre.headers['access-control-allow-credentials'], origin).toBeUndefined();
      expect(pre.headers['access-control-allow-methods'], origin).toBeUndefined();
      const reply = await simple(app.url, origin);
      expect(reply.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(reply.headers['access-control-allow-credentials'], origin).toBeUndefined();
      expect(reply.headers.vary, 'a cache must not serve the allowed answer to it').toContain('Origin');
    }
  });

  it('refuses WebSocket upgrades from other origins (403), allows listed ones, its own origin and non-browser clients', async () => {
    expect(await upgrade(app.wsUrl, 'https://evil.example'), 'CORS does not cover WebSockets: enforced at the upgrade').toBe(403);
    expect(await upgrade(app.wsUrl, 'null')).toBe(403);
    expect(await upgrade(app.wsUrl, allowed)).toBe('open');
    expect(await upgrade(app.wsUrl, new URL(app.url).origin), 'the dashboard and GraphiQL, served by this server').toBe('open');
    expect(await upgrade(app.wsUrl, undefined), 'no Origin: not a browser').toBe('open');
  });
});

describe('CORS_ORIGINS=none', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT', CORS_ORIGINS: 'none' });
  }, 60_000);
  afterAll(async () => app?.teardown());

  it('sends no CORS header to any origin; same-origin and non-browser clients are served as before', async () => {
    const pre = await preflight(app.url, 'http://localhost:5173');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const reply = await simple(app.url, 'http://localhost:5173');
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    expect(await upgrade(app.wsUrl, 'http://localhost:5173')).toBe(403);
    expect(await upgrade(app.wsUrl, new URL(app.url).origin)).toBe('open');
  });
});
