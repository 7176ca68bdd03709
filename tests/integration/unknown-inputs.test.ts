import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '../../src/domain/market.js';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { createScriptedSource } from '../support/scripted-source.js';

const M5 = 300_000;

/**
 * A source shaped like a freqtrade replay: 5m candles with no taker-buy volume (null), rising 0.1 % a bar.
 * Before the fix the volume analysis read them as all-selling (delta imbalance −1, SELLERS_IN_CONTROL).
 */
function replayLike() {
  return createScriptedSource(['BTCUSDT'], (symbols, s) => {
    const end = Math.floor(Date.now() / M5) * M5;
    for (const symbol of symbols) {
      for (let i = 60; i >= 1; i -= 1) {
        const openTime = end - i * M5;
        const close = 100_000 * 1.001 ** (60 - i);
        const candle: Candle = {
          symbol,
          interval: '5m',
          openTime,
          closeTime: openTime + M5 - 1,
          open: close / 1.001,
          high: close * 1.0005,
          low: close / 1.0015,
          close,
          volume: 10,
          quoteVolume: null,
          takerBuyVolume: null,
          trades: null,
          closed: true,
        };
        s({ type: 'candle', candle });
      }
      s({ type: 'trade', trade: { symbol, id: 1, price: 100_000 * 1.001 ** 59, qty: 1, time: Date.now(), side: 'BUY' } });
      // A settled funding (negative): the crowd input of sentiment, the only one present (no F&G, no 1h price path).
      s({ type: 'funding', funding: { symbol, rate: -0.0002, fundingTime: end - 3_600_000, markPrice: null } });
      // Replayed mark-price klines: a mark, no index (before the fix the index repeated the mark: premium 0 %).
      s({ type: 'markPrice', mark: { symbol, markPrice: 106_000, indexPrice: null, predictedFundingRate: null, nextFundingTime: end + 8 * 3_600_000, time: Date.now() } });
    }
  });
}

const VOLUME = `query { market(symbol: "BTCUSDT") {
  volume { flow score deltaImbalance cvdSlope cvd delta takerCoverage unavailable volume series { delta cvd } meta { source } }
  volumeProfile { takerCoverage buckets { volume buyVolume sellVolume } }
} }`;

interface VolumeResponse {
  market: {
    volume: { flow: string | null; score: number | null; deltaImbalance: number | null; cvdSlope: number | null; cvd: number | null; delta: number | null; takerCoverage: number | null; unavailable: string[]; volume: number; series: { delta: number | null; cvd: number | null }[]; meta: { source: string } } | null;
    volumeProfile: { takerCoverage: number | null; buckets: { volume: number; buyVolume: number | null; sellVolume: number | null }[] } | null;
  };
}

describe('unknown inputs stay unknown through GraphQL (a source without taker-buy volume)', () => {
  let app: IsolatedTestApp;
  beforeAll(async () => {
    app = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT' }, replayLike());
  });
  afterAll(() => app?.teardown());

  it('basis: no index price → index, premium and structure null with the reason, never a 0 % premium', async () => {
    const q = `query { market(symbol: "BTCUSDT") { markPrice indexPrice basis { markPrice indexPrice premium premiumPct annualizedPremiumPct structure structureReference factors { name weight note } } } }`;
    type R = { market: { markPrice: number | null; indexPrice: number | null; basis: { markPrice: number | null; indexPrice: number | null; premium: number | null; premiumPct: number | null; annualizedPremiumPct: number | null; structure: string | null; structureReference: string | null; factors: { name: string; weight: number; note: string }[] } | null } };
    const res = await waitFor(async () => {
      const r = await gql<R>(app.url, q);
      return r.data?.market.basis?.markPrice ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const m = res.data!.market;
    expect([m.markPrice, m.indexPrice]).toEqual([106_000, null]);
    const b = m.basis!;
    expect([b.indexPrice, b.premium, b.premiumPct, b.annualizedPremiumPct], 'was index = mark → 0 %').toEqual([null, null, null, null]);
    expect(b.structure, 'was NORMAL, decided by the fake 0 % premium').toBeNull();
    expect(b.structureReference).toBeNull();
    expect(b.factors.find((f) => f.name === 'markPremium')?.note).toMatch(/no index price/);
  });

  it('sentiment: one input (crowd) → coverage 0.3, no composite and no label, with the reason', async () => {
    const q = `query { sentiment(symbol: "BTCUSDT") { warmingUp coverage minCoverage coverageNote composite classification crowd { score } factors { name available } meta { source } } }`;
    type R = { sentiment: { warmingUp: boolean; coverage: number; minCoverage: number; coverageNote: string | null; composite: number | null; classification: string | null; crowd: { score: number | null } | null; factors: { name: string; available: boolean }[]; meta: { source: string } } | null };
    const res = await waitFor(async () => {
      const r = await gql<R>(app.url, q);
      return r.data?.sentiment?.crowd?.score != null ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const s = res.data!.sentiment!;
    expect(s.factors.filter((f) => f.available).map((f) => f.name)).toEqual(['CROWD']);
    expect(s.crowd!.score, 'funding −0.02 % per 8 h: 50 + 50 · (−0.0003 / 0.0005) = 20').toBeCloseTo(20, 9);
    expect([s.coverage, s.minCoverage]).toEqual([0.3, 0.6]);
    expect(s.composite, 'was 20: FEAR from one input').toBeNull();
    expect(s.classification).toBeNull();
    expect(s.coverageNote).toMatch(/only crowd present/);
    expect(s.meta.source).toBe('SIMULATED');
  });

  it('candles without quote volume or trade count: null in Market.candles and in whales, never 0', async () => {
    const q = `query { market(symbol: "BTCUSDT") { data { candles(interval: I5M, limit: 3) { volume quoteVolume trades takerBuyVolume } } whales { marketQuoteVolume whaleSharePct factors { name note } } } }`;
    type R = {
      market: {
        data: { candles: { volume: number; quoteVolume: number | null; trades: number | null; takerBuyVolume: number | null }[] };
        whales: { marketQuoteVolume: number | null; whaleSharePct: number | null; factors: { name: string; note: string }[] } | null;
      };
    };
    const res = await waitFor(async () => {
      const r = await gql<R>(app.url, q);
      return r.data?.market.whales ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const m = res.data!.market;
    expect(m.data.candles).toHaveLength(3);
    expect(m.data.candles.every((c) => c.volume === 10 && c.quoteVolume === null && c.trades === null && c.takerBuyVolume === null), 'were 0 quote volume, 0 trades').toBe(true);
    expect(m.whales!.marketQuoteVolume, 'was 0: a window in which nothing traded').toBeNull();
    expect(m.whales!.whaleSharePct).toBeNull();
    expect(m.whales!.factors.find((f) => f.name === 'netFlowShare')?.note).toMatch(/does not record it/);
  });

  it('volume: delta, CVD, imbalance, flow and score null with the reason; volume itself is served', async () => {
    const res = await waitFor(async () => {
      const r = await gql<VolumeResponse>(app.url, VOLUME);
      return r.data?.market.volume ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const v = res.data!.market.volume!;
    expect(v.volume).toBe(10);
    expect(v.deltaImbalance, 'was −1: every bar read as all-selling').toBeNull();
    expect(v.flow, 'was SELLERS_IN_CONTROL').toBeNull();
    expect(v.score).toBeNull();
    expect([v.cvd, v.delta, v.cvdSlope]).toEqual([null, null, null]);
    expect(v.takerCoverage).toBe(0);
    expect(v.unavailable.join(' ')).toMatch(/taker-buy volume unknown/);
    expect(v.series.every((b) => b.delta === null && b.cvd === null)).toBe(true);
    const p = res.data!.market.volumeProfile!;
    expect(p.takerCoverage).toBe(0);
    expect(p.buckets.length).toBeGreaterThan(0);
    expect(p.buckets.every((b) => b.buyVolume === null && b.sellVolume === null), 'sellVolume was the whole volume').toBe(true);
  });
});
