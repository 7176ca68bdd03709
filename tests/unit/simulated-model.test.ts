import { settledFundingRate } from '../../src/datasources/simulated/generators/settled-funding.js';
import { describe, expect, it } from 'vitest';
import { INTERVAL_MS, type Candle, type CandleInterval, type MarketEvent, type MarkPrice, type Trade } from '../../src/domain/market.js';
import { createMinuteReturnProcess, GARCH_PARAMS } from '../../src/datasources/simulated/core.js';
import { generateHistory } from '../../src/datasources/simulated/history.js';
import { createMarketModel, type MarketModelOptions } from '../../src/datasources/simulated/model.js';
import { symbolProfile } from '../../src/datasources/simulated/profiles.js';
import { createRng, deriveSeed } from '../../src/datasources/simulated/random.js';
import { FUNDING_INTERVAL_MS } from '../../src/datasources/simulated/time.js';

const HOUR = 3_600_000;
/** 2025-01-01 07:30:00.123 UTC: deliberately not aligned to a second, minute or funding boundary. */
const START = Date.UTC(2025, 0, 1, 7, 30, 0, 123);

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function excessKurtosis(xs: readonly number[]): number {
  const m = mean(xs);
  let m2 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = x - m;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= xs.length;
  m4 /= xs.length;
  return m4 / (m2 * m2) - 3;
}

function autocorrelation(xs: readonly number[], lag: number): number {
  const m = mean(xs);
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    den += (x - m) ** 2;
    const prev = xs[i - lag];
    if (prev !== undefined) num += (x - m) * (prev - m);
  });
  return num / den;
}

function correlation(a: readonly number[], b: readonly number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? mb;
    sab += (x - ma) * (y - mb);
    saa += (x - ma) ** 2;
    sbb += (y - mb) ** 2;
  });
  return sab / Math.sqrt(saa * sbb);
}

function logReturns(prices: readonly number[]): number[] {
  return prices.slice(1).map((p, i) => Math.log(p / (prices[i] ?? p)));
}

function run(options: MarketModelOptions, steps: readonly number[]): MarketEvent[] {
  const model = createMarketModel(options);
  return steps.flatMap((dt) => model.step(dt));
}

const trades = (events: readonly MarketEvent[]): Trade[] => events.flatMap((e) => (e.type === 'trade' ? [e.trade] : []));
const candles = (events: readonly MarketEvent[]): Candle[] => events.flatMap((e) => (e.type === 'candle' ? [e.candle] : []));
const marks = (events: readonly MarketEvent[]): MarkPrice[] => events.flatMap((e) => (e.type === 'markPrice' ? [e.mark] : []));

function expectCandleInvariants(c: Candle): void {
  expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
  expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
  expect(c.low).toBeGreaterThan(0);
  expect(c.takerBuyVolume, 'the simulated venue records taker flow').not.toBeNull();
  expect(c.volume).toBeGreaterThanOrEqual(c.takerBuyVolume!);
  expect(c.takerBuyVolume).toBeGreaterThanOrEqual(0);
  expect((c.openTime - (c.interval === '1w' ? 4 * 86_400_000 : 0)) % INTERVAL_MS[c.interval], 'aligned (weeks to Monday)').toBe(0);
  expect(c.closeTime).toBe(c.openTime + INTERVAL_MS[c.interval] - 1);
}

function expectConsecutive(list: readonly Candle[]): void {
  for (let i = 1; i < list.length; i++) {
    const prev = list[i - 1];
    const cur = list[i];
    if (!prev || !cur) continue;
    expect(cur.openTime).toBe(prev.closeTime + 1);
  }
}

describe('seeded random helpers', () => {
  it('repeats a sequence for a seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return [rng.uniform(), rng.normal(), rng.standardT(4), rng.poisson(3), rng.poisson(80)];
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(deriveSeed(1, 'a', 'BTCUSDT')).not.toBe(deriveSeed(1, 'a', 'ETHUSDT'));
  });

  it('has the documented moments: N(0,1), unit-variance fat-tailed t(4), Poisson mean λ', () => {
    const rng = createRng(123);
    const n = 40_000;
    const normals = Array.from({ length: n }, () => rng.normal());
    const ts = Array.from({ length: n }, () => rng.standardT(4));
    const counts = Array.from({ length: 10_000 }, () => rng.poisson(4.5));
    const uniforms = Array.from({ length: n }, () => rng.uniform());
    expect(Math.abs(mean(normals))).toBeLessThan(0.03);
    expect(mean(normals.map((x) => x * x))).toBeCloseTo(1, 1);
    expect(Math.abs(excessKurtosis(normals))).toBeLessThan(0.2);
    expect(mean(ts.map((x) => x * x))).toBeGreaterThan(0.85);
    expect(mean(ts.map((x) => x * x))).toBeLessThan(1.15);
    expect(excessKurtosis(ts)).toBeGreaterThan(2);
    expect(mean(counts)).toBeCloseTo(4.5, 1);
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
  });
});

describe('core minute return process', () => {
  const symbols = ['BTCUSDT', 'ETHUSDT'] as const;
  function simulate(seed: number, minutes: number, params = GARCH_PARAMS): { btc: number[]; eth: number[] } {
    const process = createMinuteReturnProcess(
      createRng(seed),
      symbols.map((s, i) => ({ profile: symbolProfile(s), rng: createRng(seed * 10 + i + 1) })),
      params,
    );
    const btc: number[] = [];
    const eth: number[] = [];
    for (let i = 0; i < minutes; i++) {
      const [a, b] = process.next();
      btc.push(a?.logReturn ?? Number.NaN);
      eth.push(b?.logReturn ?? Number.NaN);
    }
    return { btc, eth };
  }

  it('has fat tails, volatility clustering, no return autocorrelation and BTC/ETH correlation over 20k minutes', () => {
    const { btc, eth } = simulate(11, 20_000);
    expect(excessKurtosis(btc)).toBeGreaterThan(1);
    expect(autocorrelation(btc.map(Math.abs), 1)).toBeGreaterThan(0.08);
    expect(Math.abs(autocorrelation(btc, 1))).toBeLessThan(0.05);
    expect(correlation(btc, eth)).toBeGreaterThan(0.3);
    // Annualised volatility near the BTC profile's 55 %.
    const annualVol = Math.sqrt(mean(btc.map((r) => r * r)) * 525_600);
    expect(annualVol).toBeGreaterThan(0.35);
    expect(annualVol).toBeLessThan(0.8);
  });

  it('loses those properties with Gaussian innovations and no GARCH (the checks discriminate)', () => {
    const { btc } = simulate(11, 20_000, { ...GARCH_PARAMS, alpha: 0, beta: 0, nu: 1_000 });
    expect(Math.abs(excessKurtosis(btc))).toBeLessThan(0.3);
    expect(Math.abs(autocorrelation(btc.map(Math.abs), 1))).toBeLessThan(0.04);
  });
});

describe('market model', () => {
  const base: MarketModelOptions = { seed: 42, symbols: ['BTCUSDT', 'ETHUSDT', 'DOGEUSDT'], startTime: START };
  const steps = [250, 1_000, 3_700, 0, 1, 60_000, 12_345, 250, 250, 45_000];

  it('is deterministic: same seed, start and steps give identical events; another seed does not', () => {
    const a = JSON.stringify(run(base, steps));
    const b = JSON.stringify(run(base, steps));
    const c = JSON.stringify(run({ ...base, seed: 43 }, steps));
    expect(a.length).toBeGreaterThan(10_000);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(JSON.stringify(run({ ...base, startTime: START + 1_000 }, steps))).not.toBe(a);
  });

  it('produces the same trades and marks however time is cut into steps', () => {
    const total = steps.reduce((x, y) => x + y, 0);
    const coarse = run(base, [total]);
    const fine = run(base, steps);
    expect(JSON.stringify(trades(fine))).toBe(JSON.stringify(trades(coarse)));
    expect(JSON.stringify(marks(fine))).toBe(JSON.stringify(marks(coarse)));
    expect(JSON.stringify(candles(fine).filter((c) => c.closed))).toBe(JSON.stringify(candles(coarse).filter((c) => c.closed)));
  });

  it('does not change a symbol when other symbols are added', () => {
    const alone = trades(run({ ...base, symbols: ['BTCUSDT'] }, [120_000]));
    const together = trades(run(base, [120_000])).filter((t) => t.symbol === 'BTCUSDT');
    expect(together).toEqual(alone);
  });

  it('trades around realistic reference prices; unknown symbols get a stable hash-derived one', () => {
    const model = createMarketModel({ seed: 1, symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT', 'FOOUSDT'], startTime: START });
    const expected: Record<string, number> = { BTCUSDT: 95_000, ETHUSDT: 3_500, SOLUSDT: 180, BNBUSDT: 650, XRPUSDT: 2.3, DOGEUSDT: 0.35 };
    for (const [symbol, price] of Object.entries(expected)) {
      const state = model.state(symbol);
      // The daily level reverts to the reference price (stationary sd of the log level ≈ 0.33–0.57).
      expect(state?.price).toBeGreaterThan(price / 4);
      expect(state?.price).toBeLessThan(price * 4);
    }
    const foo = symbolProfile('FOOUSDT');
    expect(foo).toEqual(symbolProfile('FOOUSDT'));
    expect(foo.startPrice).not.toBe(symbolProfile('BARUSDT').startPrice);
    expect(foo.startPrice).toBeGreaterThanOrEqual(0.01);
    expect(foo.startPrice).toBeLessThanOrEqual(1_000);
    expect(Math.abs(Math.log((model.state('FOOUSDT')?.price ?? 0) / foo.startPrice))).toBeLessThan(Math.log(4));
    expect(foo.baseAsset).toBe('FOO');
  });

  it('builds candles from trades with valid OHLC, aligned and consecutive bars, at most one update per step', () => {
    const model = createMarketModel({ ...base, symbols: ['BTCUSDT', 'DOGEUSDT'], tradeRateScale: 0.3 });
    const all: MarketEvent[] = [];
    for (let i = 0; i < 2 * 3_600; i++) {
      const events = model.step(i % 3 === 0 ? 1_700 : 650);
      const updates = candles(events).filter((c) => !c.closed);
      const keys = updates.map((c) => `${c.symbol}/${c.interval}`);
      expect(new Set(keys).size).toBe(keys.length);
      all.push(...events);
    }
    const tradeList = trades(all);
    for (const symbol of ['BTCUSDT', 'DOGEUSDT']) {
      const symbolTrades = tradeList.filter((t) => t.symbol === symbol);
      for (let i = 1; i < symbolTrades.length; i++) expect(symbolTrades[i]!.id).toBeGreaterThan(symbolTrades[i - 1]!.id);
      for (const interval of ['1m', '5m', '15m', '1h'] as const satisfies readonly CandleInterval[]) {
        const closed = candles(all).filter((c) => c.symbol === symbol && c.interval === interval && c.closed);
        const expectedBars = Math.floor((model.time - START) / INTERVAL_MS[interval]) - 1;
        expect(closed.length).toBeGreaterThanOrEqual(expectedBars);
        closed.forEach(expectCandleInvariants);
        expectConsecutive(closed);
      }
    }
    // At the full trade rate a closed 1m bar is exactly the aggregate of the trades inside it.
    const full = createMarketModel({ ...base, symbols: ['BTCUSDT', 'DOGEUSDT'], marketWide: false });
    const fullEvents: MarketEvent[] = [];
    for (let i = 0; i < 4 * 60; i++) fullEvents.push(...full.step(1_000));
    for (const symbol of ['BTCUSDT', 'DOGEUSDT']) {
      const symbolTrades = trades(fullEvents).filter((t) => t.symbol === symbol);
      const minute = candles(fullEvents).filter((c) => c.symbol === symbol && c.interval === '1m' && c.closed)[1];
      expect(minute).toBeDefined();
      if (!minute) continue;
      const inside = symbolTrades.filter((t) => t.time >= minute.openTime && t.time <= minute.closeTime);
      expect(inside.length).toBe(minute.trades);
      expect(minute.trades).toBeGreaterThan(0);
      expect(minute.open).toBe(inside[0]?.price);
      expect(minute.close).toBe(inside.at(-1)?.price);
      expect(minute.high).toBe(Math.max(...inside.map((t) => t.price)));
      expect(minute.low).toBe(Math.min(...inside.map((t) => t.price)));
      expect(minute.volume).toBeCloseTo(inside.reduce((s, t) => s + t.qty, 0), 6);
      expect(minute.takerBuyVolume).toBeCloseTo(inside.filter((t) => t.side === 'BUY').reduce((s, t) => s + t.qty, 0), 6);
    }
    // Trades come out in time order and never before the start.
    const times = tradeList.map((t) => t.time);
    expect(times[0]).toBeGreaterThanOrEqual(START);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('biases the taker side by the short-term return', () => {
    const events = run({ seed: 5, symbols: ['BTCUSDT'], startTime: START }, [20 * 60_000]);
    const list = trades(events);
    // Per second: buy share vs the price change over that second.
    const bySecond = new Map<number, Trade[]>();
    for (const t of list) {
      const key = Math.floor(t.time / 1_000);
      bySecond.set(key, [...(bySecond.get(key) ?? []), t]);
    }
    const moves: number[] = [];
    const buyShares: number[] = [];
    const priceAt = new Map(marks(events).map((m) => [m.time / 1_000, m.markPrice]));
    for (const [second, group] of bySecond) {
      const from = priceAt.get(second);
      const to = priceAt.get(second + 1);
      if (from === undefined || to === undefined) continue;
      moves.push(Math.log(to / from));
      buyShares.push(group.filter((t) => t.side === 'BUY').length / group.length);
    }
    expect(moves.length).toBeGreaterThan(1_000);
    expect(correlation(moves, buyShares)).toBeGreaterThan(0.2);
  });

  it('has occasional whale trades (20-100x the median size)', () => {
    const options: MarketModelOptions = { seed: 9, symbols: ['BTCUSDT'], startTime: START };
    const median = symbolProfile('BTCUSDT').medianTradeQty;
    const big = (events: readonly MarketEvent[]) => trades(events).filter((t) => t.qty >= 30 * median).length;
    const withWhales = run(options, [40 * 60_000]);
    const withoutWhales = run({ ...options, tradeParams: { whaleProbability: 0 } }, [40 * 60_000]);
    const n = trades(withWhales).length;
    expect(n).toBeGreaterThan(10_000);
    expect(big(withWhales) / n).toBeGreaterThan(0.0012);
    expect(big(withWhales)).toBeGreaterThan(3 * big(withoutWhales));
    expect(Math.max(...trades(withWhales).map((t) => t.qty))).toBeGreaterThan(40 * median);
  });

  it('publishes a mark price every simulated second with a moving predicted funding rate', () => {
    const events = run({ seed: 3, symbols: ['ETHUSDT'], startTime: START, tradeRateScale: 0.2 }, [300_000]);
    const list = marks(events);
    expect(list.length).toBe(300);
    const ordered = list.map((m) => m.time);
    expect(ordered.every((t, i) => t % 1_000 === 0 && (i === 0 || t === (ordered[i - 1] ?? 0) + 1_000))).toBe(true);
    let moved = 0;
    for (let i = 1; i < list.length; i++) if (list[i]?.predictedFundingRate !== list[i - 1]?.predictedFundingRate) moved++;
    expect(moved / (list.length - 1)).toBeGreaterThan(0.9);
    for (const m of list) {
      expect(Math.abs(m.markPrice / m.indexPrice! - 1), 'the simulated market models an index').toBeLessThan(0.01);
      expect(Math.abs(m.predictedFundingRate ?? 1)).toBeLessThanOrEqual(0.0075);
      expect(m.nextFundingTime).toBe(Date.UTC(2025, 0, 1, 8));
    }
  });

  it('settles funding exactly at 00/08/16 UTC with the venue rate for that time (a function of seed and time)', () => {
    const boundary = Date.UTC(2025, 0, 2, 0);
    const start = boundary - 30 * 60_000;
    // Market-wide streams (options every 30 s) are off: this long run is about funding only.
    const model = createMarketModel({ seed: 21, symbols: ['SOLUSDT'], startTime: start, tradeRateScale: 0.02, intervals: ['1h'], marketWide: false });
    const events: MarketEvent[] = [];
    for (let i = 0; i < 17; i++) events.push(...model.step(HOUR - 1_000), ...model.step(1_000));
    const settlements = events.flatMap((e) => (e.type === 'funding' ? [e.funding] : []));
    expect(settlements.map((f) => f.fundingTime)).toEqual([boundary, boundary + 8 * HOUR, boundary + 16 * HOUR]);
    for (const f of settlements) {
      expect(f.fundingTime % FUNDING_INTERVAL_MS).toBe(0);
      expect(Math.abs(f.rate)).toBeLessThan(0.003);
      expect(f.rate, 'the settled rate of (seed, symbol, time), whatever the start').toBe(settledFundingRate(21, 'SOLUSDT', f.fundingTime));
    }
    expect(marks(events).filter((m) => m.time <= boundary)).toHaveLength(1_800);
  });

  it('correlates BTC and ETH 1-minute returns in the live model', () => {
    const model = createMarketModel({ seed: 77, symbols: ['BTCUSDT', 'ETHUSDT'], startTime: START, tradeRateScale: 0.01, intervals: [], marketWide: false });
    const btc: number[] = [];
    const eth: number[] = [];
    for (let i = 0; i < 300; i++) {
      model.step(60_000);
      btc.push(model.state('BTCUSDT')?.price ?? Number.NaN);
      eth.push(model.state('ETHUSDT')?.price ?? Number.NaN);
    }
    expect(correlation(logReturns(btc), logReturns(eth))).toBeGreaterThan(0.3);
  });

  it('rejects negative or non-finite steps', () => {
    const model = createMarketModel(base);
    expect(() => model.step(-1)).toThrow(RangeError);
    expect(() => model.step(Number.NaN)).toThrow(RangeError);
    expect(model.step(0)).toEqual([]);
  });
});

describe('history backfill', () => {
  const options = { seed: 42, symbol: 'BTCUSDT', startTime: START };

  it('is deterministic for (seed, symbol, startTime)', () => {
    const a = generateHistory(options);
    const b = generateHistory(options);
    const key = (h: ReturnType<typeof generateHistory>) => JSON.stringify({ ...h, candles: [...h.candles.entries()] });
    expect(key(a)).toBe(key(b));
    expect(key(generateHistory({ ...options, seed: 43 }))).not.toBe(key(a));
    expect(key(generateHistory({ ...options, startTime: START + 60_000 }))).not.toBe(key(a));
  });

  it('has 90 funding settlements, 8 h apart, ending at the last boundary at or before the start', () => {
    const { funding } = generateHistory(options);
    expect(funding).toHaveLength(90);
    expect(funding.at(-1)?.fundingTime).toBe(Date.UTC(2025, 0, 1, 0));
    funding.forEach((f, i) => {
      expect(f.fundingTime % FUNDING_INTERVAL_MS).toBe(0);
      if (i > 0) expect(f.fundingTime - (funding[i - 1]?.fundingTime ?? 0)).toBe(FUNDING_INTERVAL_MS);
      expect(Math.abs(f.rate)).toBeLessThanOrEqual(0.0075);
      expect(f.markPrice).toBeGreaterThan(0);
    });
    const rates = funding.map((f) => f.rate);
    expect(mean(rates)).toBeGreaterThan(-0.0003);
    expect(mean(rates)).toBeLessThan(0.0005);
    expect(new Set(rates).size).toBeGreaterThan(80);
  });

  it('has 500 closed, aligned, consecutive candles per interval ending near the start price', () => {
    const history = generateHistory(options);
    for (const interval of ['1m', '5m', '15m', '1h', '4h'] as const) {
      const list = history.candles.get(interval) ?? [];
      expect(list).toHaveLength(500);
      list.forEach((c) => {
        expectCandleInvariants(c);
        expect(c.closed).toBe(true);
        expect(c.trades).toBeGreaterThan(0);
      });
      expectConsecutive(list);
      const last = list.at(-1);
      expect(last?.closeTime).toBeLessThan(START);
      expect((last?.closeTime ?? 0) + 1).toBe(Math.floor(START / INTERVAL_MS[interval]) * INTERVAL_MS[interval]);
    }
    const lastClose = history.candles.get('1m')?.at(-1)?.close ?? 0;
    expect(Math.abs(history.mark.markPrice / lastClose - 1), 'the mark continues the last bar').toBeLessThan(0.003);
    // Daily and weekly bars from the Monday 24 weeks before the start's week (2024-12-30), every one a merge of
    // its minute bars: 24 weeks, 24 × 7 + 2 days (Monday and Tuesday of the start's week).
    const firstMonday = Date.UTC(2024, 11, 30) - 24 * 7 * 86_400_000;
    expect(history.candles.get('1w')).toHaveLength(24);
    expect(history.candles.get('1d')).toHaveLength(170);
    expect(history.candles.get('1w')![0]!.openTime).toBe(firstMonday);
    expect(history.candles.get('1d')![0]!.openTime).toBe(firstMonday);
    for (const [interval, ms] of [['1d', 86_400_000], ['1w', 7 * 86_400_000]] as const) {
      const list = history.candles.get(interval)!;
      list.forEach((c, i) => {
        expectCandleInvariants(c);
        if (i > 0) expect(c.openTime - list[i - 1]!.openTime, `${interval} consecutive`).toBe(ms);
      });
    }
    // The bars holding minutes before the start are handed over as forming bars (1m/5m/15m only if a trade
    // printed in the start minute's first 123 ms).
    const forming = history.forming.filter((c) => c.openTime < Date.UTC(2025, 0, 1, 7, 30));
    expect(forming.map((c) => [c.interval, c.closed, c.openTime])).toEqual([
      ['1h', false, Date.UTC(2025, 0, 1, 7)],
      ['4h', false, Date.UTC(2025, 0, 1, 4)],
      ['1d', false, Date.UTC(2025, 0, 1)],
      ['1w', false, Date.UTC(2024, 11, 30)],
    ]);
  });

  it('backfills 1-minute returns with fat tails and volatility clustering', () => {
    const history = generateHistory({ ...options, symbol: 'ETHUSDT', intervals: ['1m'], candleCount: 20_000, fundingCount: 0 });
    const returns = logReturns((history.candles.get('1m') ?? []).map((c) => c.close));
    expect(returns).toHaveLength(19_999);
    expect(excessKurtosis(returns)).toBeGreaterThan(1);
    expect(autocorrelation(returns.map(Math.abs), 1)).toBeGreaterThan(0.08);
  });

  it('correlates backfilled returns across symbols', () => {
    const closes = (symbol: string) =>
      (generateHistory({ ...options, symbol, intervals: ['5m'], candleCount: 2_000, fundingCount: 0 }).candles.get('5m') ?? []).map((c) => c.close);
    expect(correlation(logReturns(closes('BTCUSDT')), logReturns(closes('ETHUSDT')))).toBeGreaterThan(0.3);
  });
});
