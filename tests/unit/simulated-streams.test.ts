import { describe, expect, it } from 'vitest';
import {
  type BookTicker,
  type Liquidation,
  type LongShortRatio,
  type MarketEvent,
  type MarkPrice,
  type OpenInterest,
  type OptionQuote,
  type OptionsChain,
  type OrderBook,
  type TakerVolume,
  type Trade,
} from '../../src/domain/market.js';
import { bookWidening, drawBookTicker, drawOrderBook } from '../../src/datasources/simulated/generators/book.js';
import {
  FEAR_GREED_BANDS,
  fearGreedClassification,
  fearGreedValue,
  MarketWideGenerator,
} from '../../src/datasources/simulated/generators/market-wide.js';
import { black76, buildOptionsChain, deribitInstrument, normCdf, optionExpiries } from '../../src/datasources/simulated/generators/options.js';
import { BOOK_HORIZON_MS } from '../../src/datasources/simulated/generators/positioning-engine.js';
import type { MarketView } from '../../src/datasources/simulated/generators/types.js';
import { generateHistory, generateMarketHistory } from '../../src/datasources/simulated/history.js';
import { createMarketModel, type MarketModelOptions } from '../../src/datasources/simulated/model.js';
import { roundTo } from '../../src/datasources/simulated/numeric.js';
import { symbolProfile } from '../../src/datasources/simulated/profiles.js';
import { createRng } from '../../src/datasources/simulated/random.js';

const MINUTE = 60_000;
const FIVE_MINUTES = 300_000;
const DAY = 86_400_000;
/** 2025-01-01 07:30:00.123 UTC (not aligned to a second). */
const START = Date.UTC(2025, 0, 1, 7, 30, 0, 123);

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
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

function run(options: MarketModelOptions, steps: readonly number[]): MarketEvent[] {
  const model = createMarketModel(options);
  const out: MarketEvent[] = [];
  for (const dt of steps) for (const e of model.step(dt)) out.push(e);
  return out;
}

const pick = {
  trades: (es: readonly MarketEvent[], symbol: string): Trade[] => es.flatMap((e) => (e.type === 'trade' && e.trade.symbol === symbol ? [e.trade] : [])),
  marks: (es: readonly MarketEvent[], symbol: string): MarkPrice[] => es.flatMap((e) => (e.type === 'markPrice' && e.mark.symbol === symbol ? [e.mark] : [])),
  liquidations: (es: readonly MarketEvent[], symbol: string): Liquidation[] =>
    es.flatMap((e) => (e.type === 'liquidation' && e.liquidation.symbol === symbol ? [e.liquidation] : [])),
  oi: (es: readonly MarketEvent[], symbol: string): OpenInterest[] =>
    es.flatMap((e) => (e.type === 'openInterest' && e.openInterest.symbol === symbol ? [e.openInterest] : [])),
  ratios: (es: readonly MarketEvent[]): LongShortRatio[] => es.flatMap((e) => (e.type === 'longShortRatio' ? [e.ratio] : [])),
  taker: (es: readonly MarketEvent[], symbol: string): TakerVolume[] => es.flatMap((e) => (e.type === 'takerVolume' && e.volume.symbol === symbol ? [e.volume] : [])),
  tickers: (es: readonly MarketEvent[]): BookTicker[] => es.flatMap((e) => (e.type === 'bookTicker' ? [e.book] : [])),
  books: (es: readonly MarketEvent[]): OrderBook[] => es.flatMap((e) => (e.type === 'orderBook' ? [e.book] : [])),
  chains: (es: readonly MarketEvent[]): OptionsChain[] => es.flatMap((e) => (e.type === 'optionsChain' ? [e.chain] : [])),
};

function countByType(events: readonly MarketEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}

/** Four simulated hours of BTC and ETH (reduced trade rate), shared by the flow tests. */
let flowRun: MarketEvent[] | null = null;
function flow(): MarketEvent[] {
  flowRun ??= run({ seed: 1, symbols: ['BTCUSDT', 'ETHUSDT'], startTime: START, tradeRateScale: 0.25, marketWide: false }, Array<number>(4 * 60).fill(MINUTE));
  return flowRun;
}

describe('all streams: determinism and cadence', () => {
  /** 23:55:00.123 UTC: the run crosses midnight (funding settlement, fear & greed). */
  const nearMidnight = Date.UTC(2025, 0, 1, 23, 55, 0, 123);
  const base: MarketModelOptions = { seed: 42, symbols: ['BTCUSDT', 'SOLUSDT'], startTime: nearMidnight, tradeRateScale: 0.3 };
  const steps = [250, 1_000, 3_700, 0, 1, 60_000, 12_345, 250, 250, 45_000, 180_000, 299_000, 7_000];

  it('gives identical events of every kind for the same seed, start and steps, and others for another seed', () => {
    const a = run(base, steps);
    const counts = countByType(a);
    for (const type of [
      'trade',
      'candle',
      'markPrice',
      'funding',
      'openInterest',
      'longShortRatio',
      'takerVolume',
      'basis',
      'ticker24h',
      'bookTicker',
      'orderBook',
      'spotPrice',
      'optionsChain',
      'fearGreed',
      'globalMarket',
    ]) {
      expect(counts[type], type).toBeGreaterThan(0);
    }
    expect(JSON.stringify(run(base, steps))).toBe(JSON.stringify(a));
    expect(JSON.stringify(run({ ...base, seed: 43 }, steps))).not.toBe(JSON.stringify(a));
  });

  it('produces every stream but the forming-candle updates independently of how time is cut', () => {
    const total = steps.reduce((x, y) => x + y, 0);
    const strip = (es: readonly MarketEvent[]) => JSON.stringify(es.filter((e) => !(e.type === 'candle' && !e.candle.closed)));
    expect(strip(run(base, steps))).toBe(strip(run(base, [total])));
  });

  it('publishes at the documented simulated cadence', () => {
    const events = run({ ...base, symbols: ['ETHUSDT'] }, [10 * MINUTE]);
    const end = nearMidnight + 10 * MINUTE;
    const at = (type: string) => events.filter((e) => e.type === type);
    expect(at('bookTicker')).toHaveLength(600);
    expect(at('spotPrice')).toHaveLength(600);
    expect(at('orderBook')).toHaveLength(120);
    expect(at('openInterest')).toHaveLength(10);
    expect(at('ticker24h')).toHaveLength(10);
    // 5-minute boundaries 00:00 and 00:05 (the run ends at 00:05:00.123).
    expect(at('takerVolume')).toHaveLength(2);
    expect(at('basis')).toHaveLength(2);
    expect(at('longShortRatio')).toHaveLength(6);
    expect(at('globalMarket')).toHaveLength(2);
    expect(at('optionsChain')).toHaveLength(2 * 20);
    expect(at('fearGreed')).toHaveLength(1);
    expect(end).toBeGreaterThan(Date.UTC(2025, 0, 2, 0, 5));
    const fg = at('fearGreed')[0];
    expect(fg?.type === 'fearGreed' ? fg.fearGreed.time : 0).toBe(Date.UTC(2025, 0, 2));
  });

  it('adds no symbol events when the market-wide streams are off, and does not disturb the symbol streams', () => {
    const on = run({ ...base, symbols: ['ETHUSDT'] }, [3 * MINUTE]);
    const off = run({ ...base, symbols: ['ETHUSDT'], marketWide: false }, [3 * MINUTE]);
    const symbolOnly = (es: readonly MarketEvent[]) => es.filter((e) => !['optionsChain', 'globalMarket', 'fearGreed'].includes(e.type));
    expect(JSON.stringify(symbolOnly(on))).toBe(JSON.stringify(off));
    expect(countByType(off).optionsChain).toBeUndefined();
  });
});

describe('open interest and positioning', () => {
  it('publishes OI every minute in contracts and USD, and OI changes follow trend-aligned taker flow', () => {
    const events = flow();
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const oi = pick.oi(events, symbol);
      const marks = new Map(pick.marks(events, symbol).map((m) => [m.time, m.markPrice]));
      const netByMinute = new Map<number, number>();
      for (const t of pick.trades(events, symbol)) {
        const minute = Math.floor(t.time / MINUTE) * MINUTE;
        netByMinute.set(minute, (netByMinute.get(minute) ?? 0) + (t.side === 'BUY' ? t.qty : -t.qty));
      }
      expect(oi.length).toBeGreaterThanOrEqual(239);
      const dOi: number[] = [];
      const aligned: number[] = [];
      for (let i = 1; i < oi.length; i++) {
        const prev = oi[i - 1];
        const cur = oi[i];
        if (!prev || !cur) continue;
        expect(cur.time - prev.time).toBe(MINUTE);
        expect(cur.openInterest).toBeGreaterThan(0);
        // USD value = contracts × the price of the minute's close.
        expect((cur.openInterestValue ?? 0) / cur.openInterest! / (marks.get(cur.time) ?? 1)).toBeCloseTo(1, 2);
        const trendFrom = marks.get(prev.time - 30 * MINUTE);
        const now = marks.get(prev.time);
        if (trendFrom === undefined || now === undefined) continue;
        dOi.push(cur.openInterest! - prev.openInterest!);
        aligned.push((netByMinute.get(prev.time) ?? 0) * Math.sign(Math.log(now / trendFrom)));
      }
      expect(dOi.length).toBeGreaterThan(150);
      // Buying into a rally or selling into a slide opens positions; flow against the trend closes them.
      expect(correlation(dOi, aligned)).toBeGreaterThan(0.3);
    }
  });

  it('has long/short shares summing to 1 with ratio = long/short, three kinds at every 5-minute boundary', () => {
    const ratios = pick.ratios(flow());
    expect(ratios.length).toBe(2 * 3 * 48);
    for (const r of ratios) {
      expect(r.time % FIVE_MINUTES).toBe(0);
      expect(r.period).toBe('5m');
      expect(r.longShare + r.shortShare).toBeCloseTo(1, 12);
      expect(r.longShare).toBeGreaterThan(0);
      expect(r.shortShare).toBeGreaterThan(0);
      expect(Math.abs(r.longShortRatio - r.longShare / r.shortShare)).toBeLessThan(1e-4);
    }
    const times = [...new Set(ratios.map((r) => `${r.symbol}|${r.time}`))];
    for (const key of times) {
      const kinds = ratios.filter((r) => `${r.symbol}|${r.time}` === key).map((r) => r.kind);
      expect(kinds.sort()).toEqual(['GLOBAL_ACCOUNTS', 'TOP_ACCOUNTS', 'TOP_POSITIONS']);
    }
  });

  it('reports taker buy/sell volume per 5-minute period equal to the 5m candle (the minute bars the trades reproduce)', () => {
    const events = flow();
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const decimals = 3;
      const trades = pick.trades(events, symbol);
      const candles = new Map(
        events.flatMap((e) => (e.type === 'candle' && e.candle.closed && e.candle.interval === '5m' && e.candle.symbol === symbol ? [[e.candle.closeTime + 1, e.candle] as const] : [])),
      );
      const periods = pick.taker(events, symbol);
      expect(periods).toHaveLength(48);
      // The tape is thinned here (tradeRateScale 0.25): the taker statistics follow the venue's bars, not the tape.
      expect(trades.length).toBeGreaterThan(0);
      for (const period of periods.filter((p) => p.time - FIVE_MINUTES >= START)) {
        expect(period.buySellRatio).toBeCloseTo(period.buyVolume / period.sellVolume, 3);
        const candle = candles.get(period.time);
        expect(candle?.volume).toBe(roundTo(period.buyVolume + period.sellVolume, decimals));
        expect(candle?.takerBuyVolume).toBe(period.buyVolume);
      }
    }
  });
});

describe('liquidations', () => {
  it('are complete and consistent', () => {
    const events = flow();
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const list = pick.liquidations(events, symbol);
      expect(list.length).toBeGreaterThan(30);
      for (const l of list) {
        expect(l.complete).toBe(true);
        expect(l.liquidatedSide).toBe(l.side === 'SELL' ? 'LONG' : 'SHORT');
        expect(l.notional).toBeCloseTo(l.averagePrice * l.qty, 1);
        expect(l.qty).toBeGreaterThan(0);
        // Filled through the liquidation price: a long is sold at or below it, a short bought at or above.
        if (l.side === 'SELL') expect(l.averagePrice).toBeLessThanOrEqual(l.price);
        else expect(l.averagePrice).toBeGreaterThanOrEqual(l.price);
      }
      // Realistic sizes: dollars to hundreds of thousands, median in the thousands.
      const notionals = list.map((l) => l.notional).sort((a, b) => a - b);
      const median = notionals[Math.floor(notionals.length / 2)] ?? 0;
      expect(median).toBeGreaterThan(300);
      expect(median).toBeLessThan(50_000);
    }
  });

  it('happen only where the path crossed the liquidation price: longs (SELL) on down moves, shorts (BUY) on up moves', () => {
    const events = flow();
    // Marks carry ±1e-5 noise around the path: allow a few of those.
    const noise = 5e-5;
    let checked = 0;
    let withTheMove = 0;
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const marks = new Map(pick.marks(events, symbol).map((m) => [m.time, m.markPrice]));
      for (const l of pick.liquidations(events, symbol)) {
        const second = Math.floor(l.time / 1_000) * 1_000;
        const before = marks.get(second);
        const after = marks.get(second + 1_000);
        if (before === undefined || after === undefined) continue;
        checked++;
        if (l.side === 'SELL') {
          expect(Math.min(before, after)).toBeLessThanOrEqual(l.price * (1 + noise));
          expect(after).toBeLessThan(before * (1 + noise));
          if (after < before) withTheMove++;
        } else {
          expect(Math.max(before, after)).toBeGreaterThanOrEqual(l.price * (1 - noise));
          expect(after).toBeGreaterThan(before * (1 - noise));
          if (after > before) withTheMove++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(withTheMove / checked).toBeGreaterThan(0.95);
  });

  it('cluster in big-move minutes', () => {
    const events = flow();
    const rows: { move: number; count: number }[] = [];
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const marks = new Map(pick.marks(events, symbol).map((m) => [m.time, m.markPrice]));
      const perMinute = new Map<number, number>();
      for (const l of pick.liquidations(events, symbol)) perMinute.set(Math.floor(l.time / MINUTE) * MINUTE, (perMinute.get(Math.floor(l.time / MINUTE) * MINUTE) ?? 0) + 1);
      for (let t = Math.ceil(START / MINUTE) * MINUTE; t + MINUTE <= START + 4 * 3_600_000; t += MINUTE) {
        const a = marks.get(t);
        const b = marks.get(t + MINUTE);
        if (a !== undefined && b !== undefined) rows.push({ move: Math.abs(Math.log(b / a)), count: perMinute.get(t) ?? 0 });
      }
    }
    rows.sort((x, y) => y.move - x.move);
    const big = rows.slice(0, Math.floor(rows.length / 10));
    const quiet = rows.slice(Math.floor(rows.length / 2));
    expect(mean(big.map((r) => r.count))).toBeGreaterThan(5 * mean(quiet.map((r) => r.count)));
  });

  it('hold no position longer than 6 h, so the book is bounded by the opening rate', () => {
    const model = createMarketModel({ seed: 8, symbols: ['ETHUSDT'], startTime: START, tradeRateScale: 0.05, marketWide: false });
    for (let i = 0; i < 12; i++) model.step(10 * MINUTE);
    const open = model.state('ETHUSDT')?.openPositions ?? 0;
    // 0.5 openings a second × activity, held 1.9 h on average: thousands, never the unbounded pile of a book
    // without exits.
    expect(open).toBeGreaterThan(1_000);
    expect(open).toBeLessThan(0.5 * 4 * BOOK_HORIZON_MS / 1_000);
  });
});

describe('order book', () => {
  it('has bid < ask, a positive spread of whole ticks, 20 sorted levels per side, the snapshot topped by the ticker', () => {
    const events = run({ seed: 4, symbols: ['BTCUSDT', 'DOGEUSDT'], startTime: START, tradeRateScale: 0.2, marketWide: false }, [5 * MINUTE]);
    const tickers = pick.tickers(events);
    expect(tickers).toHaveLength(2 * 300);
    const byKey = new Map(tickers.map((t) => [`${t.symbol}|${t.time}`, t]));
    for (const t of tickers) {
      const tick = symbolProfile(t.symbol).tickSize;
      expect(t.bidPrice).toBeLessThan(t.askPrice);
      const spreadTicks = (t.askPrice - t.bidPrice) / tick;
      expect(spreadTicks).toBeGreaterThanOrEqual(1 - 1e-6);
      expect(Math.abs(spreadTicks - Math.round(spreadTicks))).toBeLessThan(1e-6);
      // Tight: under 0.1 % of the price.
      expect((t.askPrice - t.bidPrice) / t.bidPrice).toBeLessThan(0.001);
      expect(t.bidQty).toBeGreaterThan(0);
      expect(t.askQty).toBeGreaterThan(0);
    }
    const books = pick.books(events);
    expect(books).toHaveLength(2 * 60);
    for (const b of books) {
      expect(b.time % 5_000).toBe(0);
      // 20 drawn levels per side plus the walls standing on that side (see wallsAt).
      expect(b.bids.length, 'bids: 20 + walls').toBeGreaterThanOrEqual(20);
      expect(b.asks.length, 'asks: 20 + walls').toBeGreaterThanOrEqual(20);
      expect(b.bids.length + b.asks.length - 40, 'at most one extra level per wall').toBeLessThanOrEqual(10);
      for (let i = 1; i < b.bids.length; i++) expect(b.bids[i]?.[0]).toBeLessThan(b.bids[i - 1]?.[0] ?? 0);
      for (let i = 1; i < b.asks.length; i++) expect(b.asks[i]?.[0]).toBeGreaterThan(b.asks[i - 1]?.[0] ?? Infinity);
      for (let i = 1; i < 20; i++) {
        expect(b.bids[i]?.[0]).toBeLessThan(b.bids[i - 1]?.[0] ?? 0);
        expect(b.asks[i]?.[0]).toBeGreaterThan(b.asks[i - 1]?.[0] ?? Infinity);
      }
      expect(b.bids[0]?.[0]).toBeLessThan(b.asks[0]?.[0] ?? 0);
      for (const [, qty] of [...b.bids, ...b.asks]) expect(qty).toBeGreaterThan(0);
      const ticker = byKey.get(`${b.symbol}|${b.time}`);
      expect([b.bids[0]?.[0], b.bids[0]?.[1], b.asks[0]?.[0], b.asks[0]?.[1]]).toEqual([ticker?.bidPrice, ticker?.bidQty, ticker?.askPrice, ticker?.askQty]);
    }
    // The book sits around the traded price.
    const last = pick.trades(events, 'BTCUSDT').at(-1);
    const lastTicker = tickers.filter((t) => t.symbol === 'BTCUSDT').at(-1);
    expect(Math.abs((last?.price ?? 0) / (lastTicker?.bidPrice ?? 1) - 1)).toBeLessThan(0.002);
  });

  it('widens and thins in volatile periods', () => {
    const profile = symbolProfile('ETHUSDT');
    const sample = (varianceRatio: number) => {
      const rng = createRng(9);
      let spread = 0;
      let depth = 0;
      for (let i = 0; i < 400; i++) {
        const ticker = drawBookTicker(profile, rng, 3_500, START, varianceRatio);
        const book = drawOrderBook(profile, rng, ticker, varianceRatio);
        spread += ticker.askPrice - ticker.bidPrice;
        for (const [price, qty] of [...book.bids, ...book.asks]) if (Math.abs(price / 3_500 - 1) < 0.0005) depth += qty;
      }
      return { spread, depth };
    };
    const calm = sample(1);
    const wild = sample(9);
    expect(bookWidening(9)).toBe(3);
    expect(wild.spread).toBeGreaterThan(2 * calm.spread);
    expect(wild.depth).toBeLessThan(0.5 * calm.depth);
  });
});

describe('spot, basis and ticker', () => {
  it('keeps spot near the index, basis = futures − index, and a 24 h ticker consistent with the trades', () => {
    const events = run({ seed: 6, symbols: ['SOLUSDT'], startTime: START, tradeRateScale: 0.3, marketWide: false }, [11 * MINUTE]);
    const marks = new Map(pick.marks(events, 'SOLUSDT').map((m) => [m.time, m]));
    const spots = events.flatMap((e) => (e.type === 'spotPrice' ? [e.spot] : []));
    expect(spots).toHaveLength(660);
    for (const s of spots) expect(Math.abs(s.price / (marks.get(s.time)?.indexPrice ?? 0) - 1)).toBeLessThan(0.001);
    const basis = events.flatMap((e) => (e.type === 'basis' ? [e.basis] : []));
    expect(basis.map((b) => b.time)).toEqual([Date.UTC(2025, 0, 1, 7, 35), Date.UTC(2025, 0, 1, 7, 40)]);
    for (const b of basis) {
      expect(b.futuresPrice).toBe(marks.get(b.time)?.markPrice);
      expect(b.indexPrice).toBe(marks.get(b.time)?.indexPrice);
      expect(b.basis).toBeCloseTo(b.futuresPrice - b.indexPrice, 6);
      expect(b.basisRate).toBeCloseTo(b.basis / b.indexPrice, 7);
      expect(Math.abs(b.basisRate)).toBeLessThan(0.01);
    }
    const tickers = events.flatMap((e) => (e.type === 'ticker24h' ? [e.ticker] : []));
    expect(tickers).toHaveLength(11);
    const trades = pick.trades(events, 'SOLUSDT');
    const minuteBars = new Map(events.flatMap((e) => (e.type === 'candle' && e.candle.closed && e.candle.interval === '1m' ? [[e.candle.openTime, e.candle] as const] : [])));
    for (let i = 1; i < tickers.length; i++) {
      const prev = tickers[i - 1];
      const t = tickers[i];
      if (!prev || !t) continue;
      const inside = trades.filter((x) => x.time < t.time);
      expect(t.lastPrice).toBe(inside.at(-1)?.price);
      expect(t.highPrice).toBeGreaterThanOrEqual(Math.max(...inside.map((x) => x.price)));
      expect(t.lowPrice).toBeLessThanOrEqual(Math.min(...inside.map((x) => x.price)));
      // The window rolls by one minute: the volume added is exactly that minute's bar (minus the minute dropped 24 h
      // back): the venue's bar, which the (here thinned) tape reproduces in full.
      const added = minuteBars.get(prev.time)?.volume ?? Number.NaN;
      expect(t.volume - prev.volume).toBeLessThan(added + 1e-6);
      expect(t.priceChangePercent).toBeGreaterThan(-50);
      expect(t.priceChangePercent).toBeLessThan(50);
    }
  });
});

describe('options', () => {
  it('prices Black-76 correctly: reference value, put-call parity', () => {
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(black76('CALL', 100, 100, 1, 0.2).price).toBeCloseTo(7.965567455405804, 10);
    const rng = createRng(10);
    for (let i = 0; i < 200; i++) {
      const F = rng.between(1_000, 150_000);
      const K = F * Math.exp(rng.between(-1, 1));
      const T = rng.between(0.001, 1);
      const sigma = rng.between(0.2, 1.5);
      const call = black76('CALL', F, K, T, sigma);
      const put = black76('PUT', F, K, T, sigma);
      expect((call.price - put.price - (F - K)) / F).toBeCloseTo(0, 10);
      expect(call.delta - put.delta).toBeCloseTo(1, 12);
    }
  });

  it('lists Deribit expiries and names: dailies, Friday weeklies, last-Friday monthlies, all at 08:00 UTC', () => {
    const time = Date.UTC(2026, 2, 25, 9, 0);
    const expiries = optionExpiries(time);
    expect(expiries.length).toBeGreaterThanOrEqual(8);
    for (const e of expiries) {
      expect(new Date(e.time).getUTCHours()).toBe(8);
      expect(e.time).toBeGreaterThan(time);
    }
    expect(expiries.slice(0, 3).map((e) => e.time)).toEqual([Date.UTC(2026, 2, 26, 8), Date.UTC(2026, 2, 27, 8), Date.UTC(2026, 2, 28, 8)]);
    expect(expiries.find((e) => e.time === Date.UTC(2026, 2, 27, 8))?.kind).toBe('QUARTERLY');
    expect(expiries.find((e) => e.time === Date.UTC(2026, 3, 3, 8))?.kind).toBe('WEEKLY');
    expect(expiries.find((e) => e.time === Date.UTC(2026, 3, 24, 8))?.kind).toBe('MONTHLY');
    expect(expiries.find((e) => e.time === Date.UTC(2026, 5, 26, 8))?.kind).toBe('QUARTERLY');
    expect(deribitInstrument('BTC', Date.UTC(2026, 2, 27, 8), 100_000, 'CALL')).toBe('BTC-27MAR26-100000-C');
    expect(deribitInstrument('ETH', Date.UTC(2021, 7, 6, 8), 2_500, 'PUT')).toBe('ETH-6AUG21-2500-P');
  });

  it('produces chains with parity, monotone prices, a smile with higher wings, sane greeks and OI near the money', () => {
    const events = run({ seed: 11, symbols: ['BTCUSDT'], startTime: START, tradeRateScale: 0.05 }, [2 * MINUTE]);
    const chains = pick.chains(events);
    expect(chains.map((c) => c.currency)).toEqual(['BTC', 'ETH', 'BTC', 'ETH', 'BTC', 'ETH', 'BTC', 'ETH']);
    for (const chain of chains) {
      expect(chain.venue).toBe('simulated');
      expect(chain.time % 30_000).toBe(0);
      const byExpiry = new Map<number, OptionQuote[]>();
      for (const q of chain.quotes) byExpiry.set(q.expiry, [...(byExpiry.get(q.expiry) ?? []), q]);
      const nearOi: number[] = [];
      const farOi: number[] = [];
      expect(byExpiry.size).toBeGreaterThanOrEqual(8);
      for (const quotes of byExpiry.values()) {
        const calls = quotes.filter((q) => q.kind === 'CALL').sort((a, b) => a.strike - b.strike);
        const puts = quotes.filter((q) => q.kind === 'PUT').sort((a, b) => a.strike - b.strike);
        expect(calls.length).toBeGreaterThanOrEqual(14);
        expect(puts.map((p) => p.strike)).toEqual(calls.map((c) => c.strike));
        const F = calls[0]?.underlyingPrice ?? 0;
        for (const [i, c] of calls.entries()) {
          const p = puts[i];
          if (!p) continue;
          expect(c.instrument).toMatch(/^(BTC|ETH)-\d{1,2}[A-Z]{3}\d{2}-\d+-C$/);
          expect(p.instrument).toBe(c.instrument.replace(/-C$/, '-P'));
          // Put-call parity with zero rate on the expiry's forward.
          expect(Math.abs(c.markPriceUsd - p.markPriceUsd - (F - c.strike))).toBeLessThan(0.01 + 1e-6 * F);
          expect(c.markPriceUsd).toBeCloseTo(c.markPrice * c.underlyingPrice, 3);
          expect(c.delta).toBeGreaterThan(0);
          expect(c.delta).toBeLessThan(1);
          expect(p.delta).toBeGreaterThan(-1);
          expect(p.delta).toBeLessThan(0);
          expect(c.gamma).toBeGreaterThan(0);
          expect(c.vega).toBeGreaterThan(0);
          expect(c.theta).toBeLessThan(0);
          expect(c.bidIv).toBeLessThan(c.markIv ?? 0);
          expect(c.askIv).toBeGreaterThan(c.markIv ?? 0);
          expect(c.openInterest).toBeGreaterThan(0);
          if (i > 0) {
            expect(c.markPriceUsd).toBeLessThan(calls[i - 1]?.markPriceUsd ?? 0);
            expect(p.markPriceUsd).toBeGreaterThan(puts[i - 1]?.markPriceUsd ?? Infinity);
          }
        }
        // Smile: both wings above the at-the-money volatility.
        const atm = calls.reduce((best, q) => (Math.abs(q.strike - F) < Math.abs(best.strike - F) ? q : best));
        expect(calls[0]?.markIv).toBeGreaterThan(atm.markIv ?? Infinity);
        expect(calls.at(-1)?.markIv).toBeGreaterThan(atm.markIv ?? Infinity);
        const T = ((calls[0]?.expiry ?? 0) - chain.time) / (365 * DAY);
        const sd = ((atm.markIv ?? 0) / 100) * Math.sqrt(Math.max(T, 1e-6));
        for (const q of [...calls, ...puts]) {
          const m = Math.abs(Math.log(q.strike / F)) / sd;
          if (m < 1) nearOi.push(q.openInterest);
          else if (m > 2) farOi.push(q.openInterest);
        }
      }
      // Open interest concentrates near the money: per instrument, within one standard deviation of the
      // forward against beyond two.
      expect(mean(nearOi)).toBeGreaterThan(3 * mean(farOi));
    }
    // Round strikes carry more open interest than their neighbours on average.
    const btc = chains[0]?.quotes ?? [];
    const round = btc.filter((q) => q.strike % 10_000 === 0);
    const other = btc.filter((q) => q.strike % 10_000 !== 0 && q.strike % 5_000 !== 0);
    expect(mean(round.map((q) => q.openInterest))).toBeGreaterThan(mean(other.map((q) => q.openInterest)));
  });

  it('centres strikes on the index and stays stable between snapshots', () => {
    const chain = buildOptionsChain({
      currency: 'ETH',
      venue: 'simulated',
      time: START,
      indexPrice: 3_500,
      carry: 0.1,
      realizedVar: 0.49,
      longRunVar: 0.49,
      ivLevel: 0,
      skew: -0.05,
      curvature: 0.15,
      anchor: 3_500,
      activity: 1,
      baseOpenInterest: 5_000,
      seed: 1,
    });
    const again = buildOptionsChain({
      currency: 'ETH',
      venue: 'simulated',
      time: START,
      indexPrice: 3_500,
      carry: 0.1,
      realizedVar: 0.49,
      longRunVar: 0.49,
      ivLevel: 0,
      skew: -0.05,
      curvature: 0.15,
      anchor: 3_500,
      activity: 1,
      baseOpenInterest: 5_000,
      seed: 1,
    });
    expect(again).toEqual(chain);
    const strikes = chain.quotes.map((q) => q.strike);
    expect(Math.min(...strikes)).toBeLessThan(3_500 * 0.9);
    expect(Math.max(...strikes)).toBeGreaterThan(3_500 * 1.1);
    const atmIv = chain.quotes.filter((q) => q.kind === 'CALL').sort((a, b) => Math.abs(a.strike - a.underlyingPrice) - Math.abs(b.strike - b.underlyingPrice))[0]?.markIv ?? 0;
    // ATM vol ≈ long-run 70 % × the 8 % volatility risk premium.
    expect(atmIv).toBeGreaterThan(70);
    expect(atmIv).toBeLessThan(85);
  });
});

describe('fear & greed and global market', () => {
  it('classifies with the alternative.me bands, edges included', () => {
    const expected = (v: number) => (v <= 25 ? 'Extreme Fear' : v <= 46 ? 'Fear' : v <= 54 ? 'Neutral' : v <= 75 ? 'Greed' : 'Extreme Greed');
    for (let v = 0; v <= 100; v++) expect(fearGreedClassification(v)).toBe(expected(v));
    expect([25, 26, 46, 47, 54, 55, 75, 76].map(fearGreedClassification)).toEqual([
      'Extreme Fear',
      'Fear',
      'Fear',
      'Neutral',
      'Neutral',
      'Greed',
      'Greed',
      'Extreme Greed',
    ]);
    expect(FEAR_GREED_BANDS.at(-1)?.[0]).toBe(100);
  });

  it('backfills 365 daily values at 00:00 UTC within 0-100, driven by returns and volatility', () => {
    const history = generateMarketHistory({ seed: 3, startTime: START });
    expect(history.fearGreed).toHaveLength(365);
    expect(history.fearGreed.at(-1)?.time).toBe(Date.UTC(2025, 0, 1));
    history.fearGreed.forEach((f, i) => {
      expect(Number.isInteger(f.value)).toBe(true);
      expect(f.value).toBeGreaterThanOrEqual(0);
      expect(f.value).toBeLessThanOrEqual(100);
      expect(f.classification).toBe(fearGreedClassification(f.value));
      if (i > 0) expect(f.time - (history.fearGreed[i - 1]?.time ?? 0)).toBe(DAY);
    });
    const values = history.fearGreed.map((f) => f.value);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(30);
    expect(new Set(history.fearGreed.map((f) => f.classification)).size).toBeGreaterThanOrEqual(4);
    // Determinism.
    expect(generateMarketHistory({ seed: 3, startTime: START })).toEqual(history);
    // A calm rally is greedy, a volatile crash fearful.
    const rally = Array.from({ length: 41 }, (_, i) => Math.log(80_000) + 0.006 * i + 0.01 * Math.sin(i));
    const crash = Array.from({ length: 41 }, (_, i) => Math.log(80_000) - 0.008 * i + 0.05 * Math.sin(i * 1.7));
    expect(fearGreedValue(rally, 0)).toBeGreaterThan(75);
    expect(fearGreedValue(crash, 0)).toBeLessThan(26);
  });

  it('reports the global market with BTC dominance moving with BTC against the alts', () => {
    const history = generateMarketHistory({ seed: 3, startTime: START });
    const g = history.global;
    expect(g.totalMarketCapUsd).toBeGreaterThan(1e12);
    // 58 % at the reference prices; the BTC level moves around its reference (and the alts on their own).
    expect(g.btcDominance).toBeGreaterThan(35);
    expect(g.btcDominance).toBeLessThan(80);
    expect(g.btcDominance + g.ethDominance).toBeLessThan(100);
    expect(g.totalVolumeUsd).toBeGreaterThan(0.01 * g.totalMarketCapUsd);
    const dominanceAfter = (btcMove: number, ethMove: number) => {
      const generator = new MarketWideGenerator({ seed: 3, venue: 'simulated' });
      let last = null as number | null;
      const t0 = Math.ceil(START / FIVE_MINUTES) * FIVE_MINUTES;
      for (let s = 0; s <= 3_600; s++) {
        const f = s / 3_600;
        const view: MarketView = {
          time: t0 + s * 1_000,
          underlyings: new Map([
            ['BTC', { price: 95_000 * Math.exp(btcMove * f), indexPrice: 95_000 * Math.exp(btcMove * f), fundingRate: 0.0001, varianceRatio: 1 }],
            ['ETH', { price: 3_500 * Math.exp(ethMove * f), indexPrice: 3_500 * Math.exp(ethMove * f), fundingRate: 0.0001, varianceRatio: 1 }],
          ]),
        };
        for (const e of generator.endSecond(view)) if (e.type === 'globalMarket') last = e.global.btcDominance;
      }
      return last ?? 0;
    };
    const flat = dominanceAfter(0, 0);
    expect(dominanceAfter(0.1, 0)).toBeGreaterThan(flat + 1);
    expect(dominanceAfter(0, 0.1)).toBeLessThan(flat - 1);
  });
});

describe('stream backfill', () => {
  it('backfills 30 five-minute points of OI, ratios, taker volume and basis, plus recent liquidations', () => {
    const history = generateHistory({ seed: 42, symbol: 'ETHUSDT', startTime: START, candleCount: 60 });
    const lastBoundary = Math.floor(START / FIVE_MINUTES) * FIVE_MINUTES;
    const times = Array.from({ length: 30 }, (_, i) => lastBoundary - (29 - i) * FIVE_MINUTES);
    expect(history.openInterest.map((o) => o.time)).toEqual(times);
    expect(history.takerVolume.map((t) => t.time)).toEqual(times);
    expect(history.basis.map((b) => b.time)).toEqual(times);
    expect(history.longShortRatios).toHaveLength(90);
    for (const r of history.longShortRatios) expect(r.longShare + r.shortShare).toBeCloseTo(1, 12);
    // Taker volume of a period = the 5m candle's volume and taker-buy volume.
    const candles = new Map((history.candles.get('5m') ?? []).map((c) => [c.closeTime + 1, c]));
    for (const t of history.takerVolume) {
      const candle = candles.get(t.time);
      expect(candle).toBeDefined();
      expect(roundTo(t.buyVolume + t.sellVolume, 3)).toBe(candle?.volume);
      expect(t.buyVolume).toBe(candle?.takerBuyVolume);
    }
    expect(history.liquidations.length).toBeGreaterThan(5);
    for (const l of history.liquidations) {
      expect(l.time).toBeLessThan(START);
      expect(l.time).toBeGreaterThanOrEqual(START - 6 * 3_600_000 - MINUTE);
      expect(l.complete).toBe(true);
    }
    expect(history.liquidations.map((l) => l.time)).toEqual([...history.liquidations.map((l) => l.time)].sort((a, b) => a - b));
    expect(history.streamSeed.engine.book?.positions.length).toBeGreaterThan(100);
    expect(history.streamSeed.bars).toHaveLength(1_440);
    expect(history.ticker?.lastPrice).toBe(history.streamSeed.bars.at(-1)?.close);
    expect(history.bookTicker.bidPrice).toBeLessThan(history.bookTicker.askPrice);
    expect(history.orderBook.bids.length).toBeGreaterThanOrEqual(20);
  });
});
