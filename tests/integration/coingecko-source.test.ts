import { afterEach, describe, expect, it } from 'vitest';
import { createCoinGeckoSource, type CoinGeckoSourceOptions } from '../../src/datasources/coingecko/coingecko-source.js';
import type { GlobalEvent, GlobalMarket } from '../../src/domain/market.js';
import { startFakeCoinGecko } from '../support/fake-coingecko.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function setup(sourceOptions: Partial<CoinGeckoSourceOptions> = {}) {
  const fake = await startFakeCoinGecko();
  cleanup.push(() => fake.close());
  const source = createCoinGeckoSource({ baseUrl: fake.url, pollMs: 30, retryMs: 30, timeoutMs: 1_000, retry: { maxRetries: 0 }, ...sourceOptions });
  cleanup.push(() => source.stop());
  const events: GlobalMarket[] = [];
  const sink = (event: GlobalEvent) => {
    if (event.type === 'globalMarket') events.push(event.global);
  };
  return { fake, source, events, sink };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('coingecko source', () => {
  it('pushes globalMarket on start and on every poll, as served', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(sink);
    expect(events, 'first poll before start resolves').toHaveLength(1);
    const served = fake.globalAt(events[0]!.time).data;
    expect(events[0]).toEqual({
      totalMarketCapUsd: served.total_market_cap.usd,
      totalVolumeUsd: served.total_volume.usd,
      btcDominance: served.market_cap_percentage.btc,
      ethDominance: served.market_cap_percentage.eth,
      marketCapChange24hPct: served.market_cap_change_percentage_24h_usd,
      time: served.updated_at * 1000,
    });
    await waitFor(() => events.length >= 3, 'two more polls');
    expect(fake.requests.every((r) => r.path === '/api/v3/global')).toBe(true);
    expect(source.health()).toMatchObject({ venue: 'coingecko', state: 'OK', lastError: null, weightBudget: 5 });
  });

  it('pauses for the Retry-After of a 429 (free tier), then recovers', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(sink);
    fake.setFault({ kind: '429', retryAfterSec: 1, times: 1 });
    await waitFor(() => source.health().blockedUntil !== null, 'the pause');
    expect(source.health()).toMatchObject({ state: 'DEGRADED', lastError: 'coingecko rate limit hit; retry after 1000 ms' });
    const [sent, pushed] = [fake.requests.length, events.length];
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fake.requests.length, 'no request while paused').toBe(sent);
    await waitFor(() => events.length > pushed, 'events after the pause', 3_000);
    expect(source.health().state).toBe('OK');
  });

  it('degrades on a malformed body or a timeout, and keeps polling', async () => {
    const { fake, source, events, sink } = await setup({ timeoutMs: 100 });
    fake.setFault({ kind: 'malformed', times: 1 });
    await source.start(sink);
    expect(events).toHaveLength(0);
    expect(source.health().lastError).toMatch(/data\.total_market_cap\.usd/);
    await waitFor(() => events.length >= 1, 'recovery');
    fake.setFault({ kind: 'slow', delayMs: 300, times: 1 });
    await waitFor(() => source.health().lastError === 'coingecko global: no answer within 100 ms', 'the timeout');
    const n = events.length;
    await waitFor(() => events.length > n, 'events after the timeout');
  });

  it('stops polling on stop()', async () => {
    const { fake, source, events, sink } = await setup();
    await source.start(sink);
    await source.stop();
    const [sent, pushed] = [fake.requests.length, events.length];
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect([fake.requests.length, events.length], 'nothing after stop').toEqual([sent, pushed]);
    expect(source.health().state).toBe('DOWN');
    await expect(source.fetchGlobal(), 'one-off calls still work').resolves.toMatchObject({ btcDominance: expect.any(Number) });
  });
});
