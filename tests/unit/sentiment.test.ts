import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  classifySentiment,
  compositeSentiment,
  computeSentimentAnalysis,
  crowdSentiment,
  priceSentiment,
  toScore,
} from '../../src/analyzers/sentiment.js';
import {
  DEFAULT_SENTIMENT_THRESHOLDS,
  DEFAULT_SENTIMENT_WEIGHTS,
  type FearGreedReading,
  type PricePoint,
} from '../../src/analyzers/sentiment.types.js';
import { toFearGreedSeries } from '../../src/datasources/alternative-me/fng-mapper.js';
import { fngResponseSchema } from '../../src/datasources/alternative-me/schemas.js';
import { crowdReading, hourlyPricePath, sentimentDefinition } from '../../src/engine/definitions/sentiment.js';
import { createMarketStore } from '../../src/engine/market-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 3, 23);
const th = DEFAULT_SENTIMENT_THRESHOLDS;

/** Hourly points from `from` to `to` inclusive with price f(i). */
function hourly(from: number, hours: number, f: (i: number) => number): PricePoint[] {
  return Array.from({ length: hours + 1 }, (_, i) => ({ time: from + i * HOUR, price: f(i) }));
}

describe('toScore and classifySentiment', () => {
  it('maps the scale edges to 0 and 100, zero to 50, and saturates beyond', () => {
    expect(toScore(0, 0.05), 'flat is neutral').toBe(50);
    expect(toScore(0.05, 0.05), '+scale is the top').toBe(100);
    expect(toScore(-0.05, 0.05), '−scale is the bottom').toBe(0);
    expect(toScore(0.2, 0.05), 'beyond +scale saturates').toBe(100);
    expect(toScore(-0.2, 0.05), 'beyond −scale saturates').toBe(0);
    expect(toScore(0.025, 0.05), 'half the scale is 75').toBe(75);
    expect(() => toScore(1, 0), 'a zero scale is a precondition violation quoting the value').toThrow('got 0');
  });

  it('bands the composite with the alternative.me cut-offs', () => {
    expect(classifySentiment(25)).toBe('EXTREME_FEAR');
    expect(classifySentiment(25.01)).toBe('FEAR');
    expect(classifySentiment(46)).toBe('FEAR');
    expect(classifySentiment(50)).toBe('NEUTRAL');
    expect(classifySentiment(54.01)).toBe('GREED');
    expect(classifySentiment(75)).toBe('GREED');
    expect(classifySentiment(76)).toBe('EXTREME_GREED');
  });
});

describe('price sentiment', () => {
  it('measures 1d and 7d returns and the 14-day mean distance on a linear path', () => {
    // 14 days of hourly prices rising 1 per hour from 1000: last = 1336.
    const prices = hourly(T0 - 14 * DAY, 14 * 24, (i) => 1000 + i);
    const p = priceSentiment('BTCUSDT', prices, th)!;
    expect(p.return1d, '1336 / 1312 − 1').toBeCloseTo(1336 / 1312 - 1, 12);
    expect(p.return7d, '1336 / 1168 − 1').toBeCloseTo(1336 / 1168 - 1, 12);
    // Mean of points after the window start (1001..1336) = 1168.5.
    expect(p.movingAverage, 'mean of 1001..1336').toBeCloseTo(1168.5, 9);
    expect(p.return1dScore, '1.83 % of a 5 % scale → 50 + 50·0.3659').toBeCloseTo(50 + 50 * ((1336 / 1312 - 1) / 0.05), 9);
    expect(p.return7dScore, '14.4 % of a 15 % scale').toBeCloseTo(50 + 50 * ((1336 / 1168 - 1) / 0.15), 9);
    expect(p.maDistanceScore, '14.3 % above the mean saturates a 10 % scale').toBe(100);
    expect(p.score, 'mean of the three').toBeCloseTo((p.return1dScore! + p.return7dScore! + 100) / 3, 9);
  });

  it('hits the exact boundaries: +5 % in a day is 100, −15 % in a week is 0', () => {
    const prices: PricePoint[] = [
      { time: T0 - 7 * DAY, price: 100 },
      { time: T0 - DAY, price: 85 / 1.05 },
      { time: T0, price: 85 },
    ];
    const p = priceSentiment('BTCUSDT', prices, th)!;
    expect(p.return1dScore, '+5 % over a day').toBeCloseTo(100, 9);
    expect(p.return7dScore, '−15 % over a week').toBeCloseTo(0, 9);
    expect(p.movingAverage, 'the path does not cover 14 days').toBeNull();
    expect(p.score, 'mean of the two measurable scores').toBeCloseTo(50, 9);
  });

  it('leaves returns null when the path does not reach back, and accepts a point at most 2 h before the look-back', () => {
    const prices = hourly(T0 - 20 * HOUR, 20, () => 100);
    const p = priceSentiment('BTCUSDT', prices, th)!;
    expect(p.return1d, 'history starts 20 h ago').toBeNull();
    expect(p.return7d).toBeNull();
    expect(p.score, 'nothing measurable, never a fabricated 50').toBeNull();
    const gap = (hoursBefore: number) => [{ time: T0 - DAY - hoursBefore * HOUR, price: 80 }, ...hourly(T0 - 20 * HOUR, 20, () => 100)];
    expect(priceSentiment('BTCUSDT', gap(2), th)!.return1d, 'newest point before the look-back is 2 h older: counts').toBeCloseTo(0.25, 12);
    expect(priceSentiment('BTCUSDT', gap(3), th)!.return1d, '3 h older is beyond the tolerance').toBeNull();
  });
});

describe('crowd sentiment', () => {
  it('maps funding around the 0.01 % baseline and the long share around 50 %, averaged over symbols', () => {
    const c = crowdSentiment(
      [
        { symbol: 'BTCUSDT', fundingRate8h: 0.0001, longShare: 0.6 },
        { symbol: 'ETHUSDT', fundingRate8h: 0.0005, longShare: null },
        { symbol: 'SOLUSDT', fundingRate8h: null, longShare: 0.7 },
      ],
      th,
    )!;
    expect(c.fundingRate8h, 'mean of the two reported rates').toBeCloseTo(0.0003, 12);
    expect(c.fundingScore, '(0.03 % − 0.01 %) / 0.05 % = 0.4 → 70').toBeCloseTo(70, 9);
    expect(c.longShare, 'mean of 0.6 and 0.7').toBeCloseTo(0.65, 12);
    expect(c.longShortScore, '0.15 / 0.25 = 0.6 → 80').toBeCloseTo(80, 9);
    expect(c.score).toBeCloseTo(75, 9);
    const boundaries = crowdSentiment([{ symbol: 'X', fundingRate8h: -0.0004, longShare: 0.25 }], th)!;
    expect(boundaries.fundingScore, '−0.04 % is −0.05 % from neutral: bottom').toBeCloseTo(0, 9);
    expect(boundaries.longShortScore, '25 % long is the bottom').toBeCloseTo(0, 9);
  });
});

describe('composite', () => {
  const fgSeries: FearGreedReading[] = [{ value: 72, classification: 'Greed', time: T0 }];
  const risingWeek: PricePoint[] = [
    { time: T0 - 7 * DAY, price: 100 },
    { time: T0 - DAY, price: 100 },
    { time: T0, price: 101 },
  ];
  // price score: 1d +1 % → 60, 7d +1 % → 53.333…; mean 56.666…
  const priceScore = (60 + (50 + 50 * (0.01 / 0.15))) / 2;
  const crowd = [{ symbol: 'BTCUSDT', fundingRate8h: 0.0002, longShare: 0.45 }];
  // crowd: funding (0.02−0.01)/0.05 = 0.2 → 60; long share −0.05/0.25 → 40; mean 50.

  it('is the weighted mean of all three inputs with the default weights', () => {
    const a = computeSentimentAnalysis({ key: 'ALL', priceSymbol: 'BTCUSDT', now: T0, fearGreed: fgSeries, prices: risingWeek, crowd });
    const expected = 0.4 * 72 + 0.3 * priceScore + 0.3 * 50;
    expect(a.composite, '0.4·72 + 0.3·56.67 + 0.3·50 = 60.8').toBeCloseTo(Number(expected.toFixed(2)), 9);
    expect(a.composite).toBeCloseTo(60.8, 9);
    expect(a.classification).toBe('GREED');
    expect(a.warmingUp).toBe(false);
    expect(a.factors.map((f) => [f.name, f.available, f.weight])).toEqual([
      ['fearGreed', true, 0.4],
      ['price', true, 0.3],
      ['crowd', true, 0.3],
    ]);
    expect(a.factors.reduce((s, f) => s + f.contribution, 0), 'contributions sum to the composite').toBeCloseTo(expected, 9);
    expect(a.social, 'no connector: unavailable, no number').toEqual({ available: false, source: null, score: null, note: 'no social/news connector configured' });
  });

  it('re-normalises the weights over the inputs that are present', () => {
    const noCrowd = computeSentimentAnalysis({ key: 'ALL', priceSymbol: 'BTCUSDT', now: T0, fearGreed: fgSeries, prices: risingWeek, crowd: [] });
    // 0.4 / 0.7 · 72 + 0.3 / 0.7 · 56.666… = 41.142857 + 24.285714 = 65.428571
    expect(noCrowd.composite, 'crowd missing: weights 4/7 and 3/7').toBeCloseTo(65.43, 9);
    const crowdFactor = noCrowd.factors.find((f) => f.name === 'crowd')!;
    expect(crowdFactor, 'the missing input says so and weighs nothing').toMatchObject({ available: false, value: null, weight: 0, contribution: 0, baseWeight: 0.3 });
    expect(noCrowd.factors.find((f) => f.name === 'fearGreed')!.weight).toBeCloseTo(4 / 7, 12);

    const onlyFg = computeSentimentAnalysis({ key: 'ALL', priceSymbol: 'BTCUSDT', now: T0, fearGreed: fgSeries, prices: [], crowd: [] });
    expect(onlyFg.factors.find((f) => f.name === 'fearGreed')!.weight, 'the input still shows its re-normalised weight').toBe(1);
    expect(onlyFg.coverage, 'Fear & Greed alone: 0.4 of the base weight').toBe(0.4);
    expect(onlyFg.composite, 'below minCoverage 0.6: no composite from one input').toBeNull();
    expect(onlyFg.classification).toBeNull();
    expect(onlyFg.coverageNote).toMatch(/only fearGreed present \(coverage 40 % of the input weight, minimum 60 %; missing price, crowd\)/);
    expect(noCrowd.coverage, '0.4 + 0.3').toBe(0.7);
    expect(noCrowd.coverageNote).toBeNull();

    const nothing = computeSentimentAnalysis({ key: 'ALL', priceSymbol: 'BTCUSDT', now: T0, fearGreed: [], prices: [], crowd: [] });
    expect(nothing.warmingUp, 'no input at all').toBe(true);
    expect(nothing.composite).toBeNull();
    expect(nothing.classification).toBeNull();
  });

  it('refuses a label from crowd positioning alone during a +12 % rally (F&G not replayed, price missing)', () => {
    // Crowd short-leaning (30 % long, funding −0.02 %) would read FEAR by itself: 50 + 50 · (−0.2 / 0.25) = 10 and
    // 50 + 50 · clamp(−0.0003 / 0.0005) = 20 → 15, EXTREME_FEAR / FEAR on 0.3 of the weight.
    const crowd = [{ symbol: 'BTCUSDT', fundingRate8h: -0.0002, longShare: 0.3 }];
    const a = computeSentimentAnalysis({ key: 'ALL', priceSymbol: 'BTCUSDT', now: T0, fearGreed: [], prices: [], crowd });
    expect(a.crowd?.score, 'the crowd sub-score is still reported').not.toBeNull();
    expect(a.coverage).toBe(0.3);
    expect(a.composite, 'was the crowd score: a FEAR reading in a rally').toBeNull();
    expect(a.classification).toBeNull();
    expect(a.warmingUp, 'an input is present: not warming up, just not enough').toBe(false);
    expect(a.coverageNote).toMatch(/only crowd present/);
    const lower = computeSentimentAnalysis({ key: 'ALL', priceSymbol: 'BTCUSDT', now: T0, fearGreed: [], prices: [], crowd, thresholds: { minCoverage: 0.3 } });
    expect(lower.composite, 'a caller may lower the minimum').not.toBeNull();
  });

  it('accepts caller weights and rejects invalid ones quoting the value', () => {
    const r = compositeSentiment({ fearGreed: { value: 80, note: '' }, price: { value: 20, note: '' }, crowd: { value: null, note: '' } }, { ...DEFAULT_SENTIMENT_WEIGHTS, price: 0.4 });
    expect(r.composite, 'equal weights 0.4/0.4 → mean of 80 and 20').toBeCloseTo(50, 12);
    expect(() => compositeSentiment({ fearGreed: { value: 1, note: '' }, price: { value: 1, note: '' }, crowd: { value: 1, note: '' } }, { ...DEFAULT_SENTIMENT_WEIGHTS, crowd: -1 })).toThrow('got -1');
    expect(() =>
      computeSentimentAnalysis({ key: 'ALL', priceSymbol: 'X', now: T0, fearGreed: [{ value: 101, classification: 'x', time: T0 }], prices: [], crowd: [] }),
    ).toThrow('got 101');
  });
});

const FNG_LATEST = '../shared/data/sentiment/fear-greed/alternative-me-fng-latest-2025-04-23.json';
const FNG_DAILY = '../shared/data/sentiment/fear-greed/alternative-me-fng-daily-2018-02-01_2026-02-24.csv';

describe.skipIf(!existsSync(FNG_LATEST) || !existsSync(FNG_DAILY))('Fear & Greed from the recorded alternative.me data', () => {
  const latest = toFearGreedSeries(fngResponseSchema.parse(JSON.parse(readFileSync(FNG_LATEST, 'utf8'))).data);
  const daily: FearGreedReading[] = readFileSync(FNG_DAILY, 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const [date, value, classification] = line.split(',');
      return { time: Date.parse(`${date}T00:00:00Z`), value: Number(value), classification: classification! };
    });

  it('passes the recorded reading through the mapper unchanged: 72, Greed', () => {
    const a = computeSentimentAnalysis({ key: 'ALL', priceSymbol: 'BTCUSDT', now: T0 + HOUR, fearGreed: latest, prices: [], crowd: [] });
    expect(a.fearGreed, 'value and label as published for 2025-04-23').toMatchObject({ value: 72, classification: 'Greed', time: T0 });
    expect(a.fearGreed!.change7d, 'a single reading has no history').toBeNull();
    expect(a.composite, 'only input: below the minimum coverage').toBeNull();
  });

  it('measures 7- and 30-day changes on known dates of the daily history', () => {
    const history = [...daily.filter((r) => r.time < T0), ...latest];
    const a = computeSentimentAnalysis({ key: 'ALL', priceSymbol: 'BTCUSDT', now: T0 + HOUR, fearGreed: history, prices: [], crowd: [] });
    expect(a.fearGreed!.value).toBe(72);
    expect(a.fearGreed!.change7d, '2025-04-16 was 29 (Fear): 72 − 29').toBe(43);
    expect(a.fearGreed!.change30d, '2025-03-24 was 45 (Fear): 72 − 45').toBe(27);
    expect(a.fearGreed!.history, 'default 30 readings, oldest first').toHaveLength(30);
    expect(a.fearGreed!.history.at(-2), '2025-04-22').toEqual({ time: T0 - DAY, value: 47, classification: 'Neutral' });
  });

  it('runs over the whole daily history without errors, changes within ±100', () => {
    for (let i = 0; i < daily.length; i += 7) {
      const a = computeSentimentAnalysis({ key: 'ALL', priceSymbol: 'BTCUSDT', now: daily[i]!.time, fearGreed: daily.slice(0, i + 1), prices: [], crowd: [] });
      expect(a.composite, 'Fear & Greed alone is below the minimum coverage').toBeNull();
      for (const c of [a.fearGreed!.change7d, a.fearGreed!.change30d]) if (c !== null) expect(Math.abs(c)).toBeLessThanOrEqual(100);
    }
  });
});

const BTC_1H = '../shared/data/binance-futures/klines/BTCUSDT-1h.freqtrade.json';

describe.skipIf(!existsSync(BTC_1H))('price sentiment on real BTCUSDT 1h candles', () => {
  it('stays within 0..100 over weeks and is measurable once 14 days of closes exist', () => {
    const rows = JSON.parse(readFileSync(BTC_1H, 'utf8')) as number[][];
    const points = rows.map((r) => ({ time: r[0]! + HOUR, price: r[4]! }));
    let measured = 0;
    for (let end = 24 * 15; end < points.length; end += 12) {
      const p = priceSentiment('BTCUSDT', points.slice(Math.max(0, end - 24 * 15), end + 1), th)!;
      expect(p.score, `score at ${new Date(points[end]!.time).toISOString()}`).not.toBeNull();
      expect(p.score!).toBeGreaterThanOrEqual(0);
      expect(p.score!).toBeLessThanOrEqual(100);
      expect(Math.abs(p.return1d!), 'BTC rarely moves more than 25 % in a day').toBeLessThan(0.25);
      measured += 1;
    }
    expect(measured, 'weeks of twice-daily evaluations').toBeGreaterThan(30);
  });
});

describe('engine definition', () => {
  it('is keyed ALL plus every configured symbol and aggregates the crowd over them for ALL', () => {
    const store = createMarketStore(['BTCUSDT', 'ETHUSDT']);
    expect(sentimentDefinition.keys(store)).toEqual(['ALL', 'BTCUSDT', 'ETHUSDT']);
    const settings = { fundingHistoryWindow: 90, fundingIntervalHours: (s: string) => (s === 'ETHUSDT' ? 4 : 8) };
    expect(sentimentDefinition.compute(store, 'ALL', T0, settings), 'an empty store yields nothing').toBeNull();
    store.apply({ type: 'fearGreed', fearGreed: { value: 60, classification: 'Greed', time: T0 }, history: [{ value: 40, classification: 'Fear', time: T0 - 7 * DAY }] });
    store.apply({ type: 'funding', funding: { symbol: 'BTCUSDT', rate: 0.0003, fundingTime: T0, markPrice: null } });
    store.apply({ type: 'funding', funding: { symbol: 'ETHUSDT', rate: 0.0001, fundingTime: T0, markPrice: null } });
    const eth = crowdReading(store.get('ETHUSDT')!, settings);
    expect(eth.fundingRate8h, '0.01 % per 4 h is 0.02 % per 8 h').toBeCloseTo(0.0002, 12);
    const all = sentimentDefinition.compute(store, 'ALL', T0 + HOUR, settings)!;
    expect(all.result.crowd!.symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(all.result.crowd!.fundingRate8h, 'mean of 0.03 % and 0.02 %').toBeCloseTo(0.00025, 12);
    expect(all.result.fearGreed!.change7d).toBe(20);
    expect(all.result.price, 'no BTC price yet').toBeNull();
    expect(all.asOf, 'the freshest input time').toBe(T0);
    store.apply({
      type: 'candle',
      candle: { symbol: 'BTCUSDT', interval: '1h', openTime: T0, closeTime: T0 + HOUR - 1, open: 1, high: 1, low: 1, close: 100, volume: 1, quoteVolume: 100, takerBuyVolume: 0, trades: 1, closed: true },
    });
    expect(hourlyPricePath(store.get('BTCUSDT')!).at(-1)!.price).toBe(100);
    const btc = sentimentDefinition.compute(store, 'BTCUSDT', T0 + HOUR, settings)!;
    expect(btc.result.crowd!.symbols, 'a symbol key uses its own crowd data').toEqual(['BTCUSDT']);
    expect(btc.result.price!.symbol).toBe('BTCUSDT');
  });
});
