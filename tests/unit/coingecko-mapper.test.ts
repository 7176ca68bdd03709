import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COINGECKO_RATE_LIMITS, COINGECKO_VENUE, createCoinGeckoApi } from '../../src/datasources/coingecko/coingecko-api.js';
import { toGlobalMarket } from '../../src/datasources/coingecko/coingecko-mapper.js';
import { coinGeckoGlobalSchema } from '../../src/datasources/coingecko/schemas.js';
import { BadResponseError, RateLimitError } from '../../src/datasources/errors.js';
import { createHttpClient, formatIssues } from '../../src/datasources/http.js';
import { startFakeCoinGecko, type FakeCoinGecko } from '../support/fake-coingecko.js';

/** Shape of `GET /api/v3/global` (docs.coingecko.com), values made up and checked by hand below. */
const body = {
  data: {
    active_cryptocurrencies: 17452,
    upcoming_icos: 0,
    ongoing_icos: 49,
    ended_icos: 3376,
    markets: 1262,
    total_market_cap: { btc: 34121436.2, eth: 1073210339.9, usd: 2913648104357.6 },
    total_volume: { btc: 1149122.5, usd: 98130229155.2 },
    market_cap_percentage: { btc: 58.31, eth: 8.62, usdt: 4.95 },
    market_cap_change_percentage_24h_usd: -1.274,
    updated_at: 1745410812,
  },
};

describe('toGlobalMarket', () => {
  it('takes the USD totals, BTC/ETH dominance in percent and updated_at seconds × 1000', () => {
    expect(toGlobalMarket(coinGeckoGlobalSchema.parse(body))).toEqual({
      totalMarketCapUsd: 2913648104357.6,
      totalVolumeUsd: 98130229155.2,
      btcDominance: 58.31,
      ethDominance: 8.62,
      marketCapChange24hPct: -1.274,
      // 1745410812 s = 2025-04-23T12:20:12Z
      time: Date.parse('2025-04-23T12:20:12Z'),
    });
  });

  it('reports a missing or non-numeric field by its path', () => {
    const issues = (data: object) => formatIssues(coinGeckoGlobalSchema.safeParse({ data: { ...body.data, ...data } }).error?.issues ?? []);
    expect(issues({ total_market_cap: { btc: 1 } })).toEqual(['data.total_market_cap.usd: Invalid input: expected number, received undefined']);
    expect(issues({ market_cap_percentage: { btc: '58.3', eth: 8.6 } })).toEqual(['data.market_cap_percentage.btc: Invalid input: expected number, received string']);
    expect(issues({ market_cap_percentage: { btc: 158, eth: 8.6 } }), 'a share of the total').toEqual(['data.market_cap_percentage.btc: Too big: expected number to be <=100']);
  });
});

describe('coingecko api against the fake', () => {
  let fake: FakeCoinGecko;
  beforeAll(async () => {
    fake = await startFakeCoinGecko();
  });
  afterAll(async () => {
    await fake.close();
  });
  const api = () =>
    createCoinGeckoApi(createHttpClient({ venue: COINGECKO_VENUE, baseUrl: fake.url, timeoutMs: 500, retry: { maxRetries: 0 }, rateLimits: COINGECKO_RATE_LIMITS }));

  it('reads /api/v3/global', async () => {
    const global = toGlobalMarket(await api().global());
    expect(fake.requests.at(-1)?.path).toBe('/api/v3/global');
    expect(global.time % 600_000, 'CoinGecko refreshes every 10 minutes').toBe(0);
    expect(global.totalMarketCapUsd).toBe(fake.globalAt(global.time).data.total_market_cap.usd);
  });

  it('maps a 429 to RateLimitError with its Retry-After, and a corrupt body to BadResponseError', async () => {
    fake.setFault({ kind: '429', retryAfterSec: 30, times: 1 });
    const limited = await api().global().catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).retryAfterMs).toBe(30_000);
    fake.setFault({ kind: 'malformed', times: 1 });
    const bad = await api().global().catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadResponseError);
    expect((bad as BadResponseError).issues).toEqual(['data.total_market_cap.usd: Invalid input: expected number, received string']);
  });
});
