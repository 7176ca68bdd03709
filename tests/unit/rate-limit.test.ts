import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRateLimiter, type RateLimitSettings } from '../../src/http/rate-limit.js';
import { createLogger } from '../../src/logger.js';

const SETTINGS: RateLimitSettings = { windowS: 60, ip: { query: 2, mutation: 1, subscription: 1 }, key: { query: 4, mutation: 2, subscription: 2 } };
const logger = createLogger('silent');

/** A TCP port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('request rate limiter (rate-limiter-flexible)', () => {
  it('refuses the request after the budget with RATE_LIMITED, HTTP 429, Retry-After and retryAfterMs within the window', async () => {
    const limiter = createRateLimiter({ settings: SETTINGS, prefix: 't:', logger });
    const who = { ip: '203.0.113.1', keyId: null };
    expect(await limiter.consume('query', who)).toBeUndefined();
    expect(await limiter.consume('query', who)).toBeUndefined();
    const refusal = await limiter.consume('query', who);
    expect(refusal?.extensions.code, 'third query of a budget of 2').toBe('RATE_LIMITED');
    const ext = refusal!.extensions as Record<string, any>;
    expect(ext).toMatchObject({ limit: 'requests', kind: 'query', subject: 'ip', points: 2, windowMs: 60_000, http: { status: 429 } });
    expect(ext.retryAfterMs, 'the rest of the 60 s window').toBeGreaterThan(59_000);
    expect(ext.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(ext.http.headers['Retry-After'], 'whole seconds, rounded up').toBe(String(Math.ceil(ext.retryAfterMs / 1000)));
    expect(refusal!.message, 'not to be confused with the on-demand budget').toMatch(/request rate limit.*not the on-demand computation budget/i);
  });

  it('keeps separate budgets per class, per address and per key (a key does not spend its address budget)', async () => {
    const refused: string[] = [];
    const limiter = createRateLimiter({ settings: SETTINGS, prefix: 't:', logger, onRefused: (kind, subject) => refused.push(`${kind}/${subject}`) });
    const anonymous = { ip: '203.0.113.2', keyId: null };
    const keyed = { ip: '203.0.113.2', keyId: 'key-1' };
    await limiter.consume('query', anonymous);
    await limiter.consume('query', anonymous);
    expect(await limiter.consume('query', anonymous), 'address spent').toBeDefined();
    expect(await limiter.consume('mutation', anonymous), 'mutations have their own budget').toBeUndefined();
    expect(await limiter.consume('query', { ip: '203.0.113.3', keyId: null }), 'another address').toBeUndefined();
    for (let i = 0; i < 4; i++) expect(await limiter.consume('query', keyed), `key query ${i + 1} of 4 from the spent address`).toBeUndefined();
    const over = await limiter.consume('query', { ip: '198.51.100.9', keyId: 'key-1' });
    expect(over?.extensions, 'the key budget follows the key to any address').toMatchObject({ subject: 'key', points: 4 });
    expect(refused).toEqual(['query/ip', 'query/key']);
  });

  it('counts in memory (the insurance) when Redis cannot, so the limit still holds; every such count is reported', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: await closedPort(), lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    redis.on('error', () => {});
    const fallbacks: string[] = [];
    const limiter = createRateLimiter({ settings: SETTINGS, redis, prefix: 't:', logger, onFallback: (kind, subject) => fallbacks.push(`${kind}/${subject}`) });
    expect(limiter.kind).toBe('redis');
    const who = { ip: '203.0.113.4', keyId: null };
    expect(await limiter.consume('query', who)).toBeUndefined();
    expect(await limiter.consume('query', who)).toBeUndefined();
    expect((await limiter.consume('query', who))?.extensions.code, 'never fails open').toBe('RATE_LIMITED');
    expect(fallbacks, 'each request the insurance counted').toEqual(['query/ip', 'query/ip', 'query/ip']);
    redis.disconnect();
  });
});
