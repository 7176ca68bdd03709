import { describe, expect, it } from 'vitest';
import { backoffDelay, combinedStreamUrls, createBinanceStream } from '../../src/datasources/binance/binance-stream.js';

describe('backoffDelay', () => {
  const backoff = { initialMs: 100, maxMs: 1_000 };

  it('doubles per consecutive failure up to maxMs (no jitter at random = 1)', () => {
    expect([0, 1, 2, 3, 4, 10, 1_000].map((n) => backoffDelay(n, backoff, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('jitters down to half the delay, never below', () => {
    expect(backoffDelay(2, backoff, () => 0), '400 × 0.5').toBe(200);
    expect(backoffDelay(2, backoff, () => 0.5), '400 × 0.75').toBe(300);
  });
});

describe('combinedStreamUrls', () => {
  it('puts every stream in one /stream?streams=a/b URL, trimming a trailing slash and duplicates', () => {
    expect(combinedStreamUrls('wss://fstream.binance.com/', ['btcusdt@aggTrade', 'btcusdt@markPrice@1s', 'btcusdt@aggTrade'])).toEqual([
      { url: 'wss://fstream.binance.com/stream?streams=btcusdt@aggTrade/btcusdt@markPrice@1s', streams: ['btcusdt@aggTrade', 'btcusdt@markPrice@1s'] },
    ]);
  });

  it('splits 450 streams into connections of at most 200 (Binance limit)', () => {
    const streams = Array.from({ length: 450 }, (_, i) => `s${i}usdt@aggTrade`);
    const urls = combinedStreamUrls('wss://fstream.binance.com', streams);
    expect(urls.map((u) => u.streams.length)).toEqual([200, 200, 50]);
    expect(urls.flatMap((u) => u.streams), 'nothing lost or reordered').toEqual(streams);
    for (const u of urls) expect(u.url).toBe(`wss://fstream.binance.com/stream?streams=${u.streams.join('/')}`);
  });

  it('also splits when a URL would grow past 8000 characters', () => {
    const streams = Array.from({ length: 150 }, (_, i) => `${'x'.repeat(90)}${i}@aggTrade`);
    const urls = combinedStreamUrls('wss://fstream.binance.com', streams);
    expect(urls.length).toBeGreaterThan(1);
    for (const u of urls) expect(u.url.length).toBeLessThanOrEqual(8_000);
    expect(urls.flatMap((u) => u.streams)).toEqual(streams);
  });
});

describe('createBinanceStream option checks', () => {
  const base = { url: 'wss://fstream.binance.com', streams: ['btcusdt@aggTrade'], onMessage: () => {} };

  it('refuses a non-WebSocket URL, no streams and a backoff that cannot grow', () => {
    expect(() => createBinanceStream({ ...base, url: 'https://fapi.binance.com' })).toThrow('https://fapi.binance.com');
    expect(() => createBinanceStream({ ...base, streams: [] })).toThrow('no streams');
    expect(() => createBinanceStream({ ...base, backoff: { initialMs: 500, maxMs: 100 } })).toThrow('initialMs <= maxMs');
  });

  it('rejects start() after stop() and reports not connected, without opening anything', async () => {
    const stream = createBinanceStream(base);
    await stream.stop();
    await expect(stream.start()).rejects.toThrow('after stop');
    expect(stream.health()).toMatchObject({ connected: false, reconnects: 0, sockets: 0, lastMessageAt: null });
  });
});
