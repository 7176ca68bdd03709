import { describe, expect, it } from 'vitest';
import type { Candle, CandleInterval, FundingRate, Liquidation, LongShortRatio, MarketEvent, OpenInterest, Trade } from '../../src/domain/market.js';
import { createMarketModel, createSimulatedSource } from '../../src/datasources/simulated/index.js';
import { generateHistory, generateMarketHistory } from '../../src/datasources/simulated/history.js';
import { settledFundingRate } from '../../src/datasources/simulated/generators/settled-funding.js';

const H8 = 8 * 3_600_000;
/** 2026-03-02 00:00 UTC: a settlement. */
const BOUNDARY = Date.UTC(2026, 2, 2);

async function fundingFrom(seed: number, startedAt: number): Promise<FundingRate[]> {
  const source = createSimulatedSource({ seed, tickMs: 1_000, now: () => startedAt, candleHistoryCount: 10 });
  return source.fetchFundingHistory('BTCUSDT', 90);
}

describe('simulated history is a function of (seed, time)', () => {
  it('two runs with the same seed, started 22 minutes and 3 days apart, settle the same funding for every shared settlement', async () => {
    const a = await fundingFrom(7, BOUNDARY + 3 * 3_600_000);
    const b = await fundingFrom(7, BOUNDARY + 3 * 3_600_000 + 22 * 60_000);
    const c = await fundingFrom(7, BOUNDARY + 3 * 86_400_000 + 5 * 3_600_000);
    const byTime = (list: FundingRate[]) => new Map(list.map((f) => [f.fundingTime, f.rate]));
    const [ma, mb, mc] = [byTime(a), byTime(b), byTime(c)];
    expect(a.at(-1)!.fundingTime, 'last settlement at 00:00').toBe(BOUNDARY);
    for (const [time, rate] of ma) expect(mb.get(time), `22 min later, settlement ${new Date(time).toISOString()}`).toBe(rate);
    const shared = [...ma.keys()].filter((t) => mc.has(t));
    expect(shared.length, '90 settlements, 9 newer in the later run: 81 shared').toBe(81);
    for (const time of shared) expect(mc.get(time), `3 days later, settlement ${new Date(time).toISOString()}`).toBe(ma.get(time));
    expect(new Set(a.map((f) => f.rate)).size, 'the rates vary from settlement to settlement').toBeGreaterThan(60);
    const other = await fundingFrom(8, BOUNDARY + 3 * 3_600_000);
    expect(other.some((f, i) => f.rate !== a[i]!.rate), 'another seed is another market').toBe(true);
  });

  it('the live model settles the rate a run started after the settlement backfills', async () => {
    const model = createMarketModel({ seed: 7, symbols: ['BTCUSDT'], startTime: BOUNDARY + H8 - 5_000, marketWide: false, tradeRateScale: 0.05 });
    const settled = model.step(10_000).flatMap((e) => (e.type === 'funding' ? [e.funding] : []));
    expect(settled.map((f) => f.fundingTime), 'one settlement, at 08:00').toEqual([BOUNDARY + H8]);
    const later = await fundingFrom(7, BOUNDARY + H8 + 3_600_000);
    expect(later.at(-1)!.fundingTime).toBe(BOUNDARY + H8);
    expect(settled[0]!.rate, 'live settlement = backfilled settlement of a later run').toBe(later.at(-1)!.rate);
    expect(settled[0]!.rate).toBe(settledFundingRate(7, 'BTCUSDT', BOUNDARY + H8));
  });
});

const INTERVALS: readonly CandleInterval[] = ['1m', '5m', '15m', '1h', '4h', '1d', '1w'];
/** Monday 2026-03-02 03:00:17 UTC. */
const T = BOUNDARY + 3 * 3_600_000 + 17_000;
const MIN = 60_000;

function closedByTime(list: readonly Candle[]): Map<number, Candle> {
  return new Map(list.map((c) => [c.openTime, c]));
}

/** Every bar of `mine` that `theirs` also holds (same open time) is equal to it, and at least `least` are shared. */
function expectSharedBarsEqual(mine: readonly Candle[], theirs: readonly Candle[], what: string, label: string, least: number): void {
  const byTime = closedByTime(theirs);
  let shared = 0;
  for (const candle of mine) {
    const twin = byTime.get(candle.openTime);
    if (!twin) continue;
    shared++;
    expect(twin, `${what} ${new Date(candle.openTime).toISOString()} ${label}`).toEqual(candle);
  }
  expect(shared, `${what} bars shared ${label}`).toBeGreaterThanOrEqual(least);
}

describe('simulated candles and trades are a function of (seed, symbol, time)', () => {
  it('two runs started 22 minutes and 3 days apart backfill identical bars for every shared interval and minute', () => {
    for (const symbol of ['BTCUSDT', 'SOLUSDT']) {
      const a = generateHistory({ seed: 7, symbol, startTime: T });
      const b = generateHistory({ seed: 7, symbol, startTime: T + 22 * MIN });
      const c = generateHistory({ seed: 7, symbol, startTime: T + 3 * 86_400_000 + 5 * 3_600_000 });
      for (const interval of INTERVALS) {
        const mine = a.candles.get(interval)!;
        for (const [label, other, least] of [
          ['22 min later', b, interval === '1m' ? 470 : interval === '1w' ? 24 : interval === '1d' ? 168 : 490],
          ['3 days later', c, interval === '1d' ? 168 : interval === '1w' ? 24 : interval === '4h' ? 470 : interval === '1h' ? 420 : 0],
        ] as const) {
          expectSharedBarsEqual(mine, other.candles.get(interval)!, `${symbol} ${interval}`, label, least);
        }
      }
      const other = generateHistory({ seed: 8, symbol, startTime: T });
      expect(other.candles.get('1m')!.some((x, i) => x.close !== a.candles.get('1m')![i]!.close), 'another seed is another market').toBe(true);
    }
  });

  it('runs started in different weeks (9 days, 5 weeks apart) agree on every shared daily and weekly bar, each the merge of its minute bars', () => {
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const a = generateHistory({ seed: 7, symbol, startTime: T, intervals: ['4h', '1d', '1w'] });
      const b = generateHistory({ seed: 7, symbol, startTime: T + 9 * 86_400_000 + 5 * 3_600_000, intervals: ['4h', '1d', '1w'] });
      const c = generateHistory({ seed: 7, symbol, startTime: T + 35 * 86_400_000 + 11 * 3_600_000, intervals: ['4h', '1d', '1w'] });
      for (const interval of ['1d', '1w'] as const) {
        const mine = a.candles.get(interval)!;
        for (const [label, other, least] of [
          ['9 days later', b, interval === '1d' ? 160 : 22],
          ['5 weeks later', c, interval === '1d' ? 130 : 18],
        ] as const) {
          expectSharedBarsEqual(mine, other.candles.get(interval)!, `${symbol} ${interval}`, label, least);
        }
      }
      // Within a run, a day is the merge of its six 4h bars wherever both are served.
      const h4 = a.candles.get('4h')!;
      let checked = 0;
      for (const day of a.candles.get('1d')!) {
        const parts = h4.filter((x) => x.openTime >= day.openTime && x.openTime < day.openTime + 86_400_000);
        if (parts.length !== 6) continue;
        checked++;
        expect([day.open, day.high, day.low, day.close], `${symbol} ${new Date(day.openTime).toISOString()}`).toEqual([
          parts[0]!.open,
          Math.max(...parts.map((x) => x.high)),
          Math.min(...parts.map((x) => x.low)),
          parts[5]!.close,
        ]);
        expect(day.trades).toBe(parts.reduce((s, x) => s + x.trades!, 0));
      }
      expect(checked, '500 4h bars cover 83 whole days').toBeGreaterThanOrEqual(82);
    }
  });

  it('bars formed live are the bars a run started later backfills for those minutes (1m to 1h)', () => {
    const start = T + 37 * MIN + 450; // 03:37:17.450: the run crosses 04:00 (1h and 4h bars close)
    const model = createMarketModel({ seed: 7, symbols: ['BTCUSDT', 'ETHUSDT'], startTime: start, tradeRateScale: 0.1 });
    const live: Candle[] = [];
    for (let i = 0; i < 2_000; i++) for (const e of model.step(i % 3 === 0 ? 1_700 : 650)) if (e.type === 'candle' && e.candle.closed) live.push(e.candle);
    const later = { BTCUSDT: generateHistory({ seed: 7, symbol: 'BTCUSDT', startTime: model.time + 5 * MIN }), ETHUSDT: generateHistory({ seed: 7, symbol: 'ETHUSDT', startTime: model.time + 5 * MIN }) };
    const counts: Record<string, number> = {};
    for (const candle of live) {
      const twin = closedByTime(later[candle.symbol as 'BTCUSDT' | 'ETHUSDT'].candles.get(candle.interval)!).get(candle.openTime);
      expect(twin, `${candle.symbol} ${candle.interval} ${new Date(candle.openTime).toISOString()} backfilled later`).toEqual(candle);
      counts[candle.interval] = (counts[candle.interval] ?? 0) + 1;
    }
    // 2 000 s from 03:37:17.450 to 04:10:37.450, the first (partial) bars included: their minutes before the start
    // come from the same minute bars.
    expect(counts).toEqual({ '1m': 2 * 33, '5m': 2 * 7, '15m': 2 * 2, '1h': 2, '4h': 2 });
    // The forming bars the model starts from are the backfill's.
    const at = generateHistory({ seed: 7, symbol: 'BTCUSDT', startTime: start });
    const fresh = createMarketModel({ seed: 7, symbols: ['BTCUSDT'], startTime: start, marketWide: false });
    for (const forming of at.forming) expect(fresh.formingCandle('BTCUSDT', forming.interval), forming.interval).toEqual(forming);
  });

  it('two live runs started 22 minutes apart print the same trades over the minutes they share', () => {
    const startA = T + 2 * MIN;
    const startB = startA + 22 * MIN + 350;
    const end = startB + 3 * MIN;
    const tape = (start: number): Trade[] => {
      const model = createMarketModel({ seed: 7, symbols: ['BTCUSDT'], startTime: start, marketWide: false, intervals: [] });
      const out: Trade[] = [];
      while (model.time < end) for (const e of model.step(Math.min(5_000, end - model.time))) if (e.type === 'trade') out.push(e.trade);
      return out;
    };
    const a = tape(startA).filter((t) => t.time >= startB);
    const b = tape(startB);
    expect(b.length, 'about 3 minutes of BTC trades').toBeGreaterThan(500);
    expect(b).toEqual(a);
  });
});

const SNAPSHOT_KINDS = ['funding', 'markPrice', 'spotPrice', 'bookTicker', 'orderBook', 'basis', 'ticker24h', 'optionsChain', 'globalMarket', 'fearGreed'] as const;
type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

/** The published value of each snapshot kind by `kind|symbol|time`. */
function snapshots(events: readonly MarketEvent[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const e of events) {
    if (!(SNAPSHOT_KINDS as readonly string[]).includes(e.type)) continue;
    const [symbol, time, value] =
      e.type === 'funding' ? [e.funding.symbol, e.funding.fundingTime, e.funding]
      : e.type === 'markPrice' ? [e.mark.symbol, e.mark.time, e.mark]
      : e.type === 'spotPrice' ? [e.spot.symbol, e.spot.time, e.spot]
      : e.type === 'bookTicker' || e.type === 'orderBook' ? [e.book.symbol, e.book.time, e.book]
      : e.type === 'basis' ? [e.basis.symbol, e.basis.time, e.basis]
      : e.type === 'ticker24h' ? [e.ticker.symbol, e.ticker.time, e.ticker]
      : e.type === 'optionsChain' ? [e.chain.currency, e.chain.time, e.chain]
      : e.type === 'globalMarket' ? ['', e.global.time, e.global]
      : e.type === 'fearGreed' ? ['', e.fearGreed.time, e.fearGreed]
      : ['', 0, null];
    out.set(`${e.type}|${symbol}|${time}`, value);
  }
  return out;
}

function runLive(start: number, end: number, symbols: readonly string[]): MarketEvent[] {
  const model = createMarketModel({ seed: 7, symbols, startTime: start, tradeRateScale: 0.05, intervals: ['1m'] });
  const out: MarketEvent[] = [];
  while (model.time < end) out.push(...model.step(Math.min(2_300, end - model.time)));
  return out;
}

describe('simulated marks, spot, book, basis, ticker, options and global market are a function of (seed, symbol, time)', () => {
  it('two live runs started 22 minutes apart publish the same values at every shared time', () => {
    // 23:35:17 and 23:57:17.350: the later run crosses midnight (fear & greed, funding) and 5-minute, 30-second and
    // minute boundaries.
    const startA = BOUNDARY - 25 * MIN + 17_000;
    const startB = startA + 22 * MIN + 350;
    const end = startB + 6 * MIN;
    const a = snapshots(runLive(startA, end, ['BTCUSDT', 'SOLUSDT']));
    const b = snapshots(runLive(startB, end, ['BTCUSDT', 'SOLUSDT']));
    const counts: Partial<Record<SnapshotKind, number>> = {};
    for (const [key, value] of b) {
      expect(a.has(key), `${key} published by the earlier run`).toBe(true);
      expect(value, key).toEqual(a.get(key));
      const kind = key.split('|')[0] as SnapshotKind;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    expect(counts).toEqual({
      funding: 2,
      markPrice: 2 * 360,
      spotPrice: 2 * 360,
      bookTicker: 2 * 360,
      orderBook: 2 * 72,
      basis: 2 * 1,
      ticker24h: 2 * 6,
      optionsChain: 2 * 12,
      globalMarket: 1,
      fearGreed: 1,
    });
  });

  it('a run started later snapshots at its start what a live run published then, and backfills its basis', () => {
    const startA = T + 2 * MIN;
    const later = startA + 37 * MIN + 12_450;
    const live = runLive(startA, later, ['BTCUSDT', 'ETHUSDT']);
    const a = snapshots(live);
    const floor = (t: number, unit: number) => Math.floor(t / unit) * unit;
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
      const history = generateHistory({ seed: 7, symbol, startTime: later, candleCount: 10 });
      expect(history.mark, `${symbol} mark`).toEqual(a.get(`markPrice|${symbol}|${floor(later, 1_000)}`));
      expect(history.spot, `${symbol} spot`).toEqual(a.get(`spotPrice|${symbol}|${floor(later, 1_000)}`));
      expect(history.bookTicker, `${symbol} book ticker`).toEqual(a.get(`bookTicker|${symbol}|${floor(later, 1_000)}`));
      expect(history.orderBook, `${symbol} order book`).toEqual(a.get(`orderBook|${symbol}|${floor(later, 5_000)}`));
      expect(history.ticker, `${symbol} 24 h ticker`).toEqual(a.get(`ticker24h|${symbol}|${floor(later, MIN)}`));
      const shared = history.basis.filter((x) => x.time > startA);
      expect(shared.length, `${symbol}: 7 basis points since the live start`).toBe(7);
      for (const basis of shared) expect(basis, `${symbol} basis ${new Date(basis.time).toISOString()}`).toEqual(a.get(`basis|${symbol}|${basis.time}`));
    }
    const market = generateMarketHistory({ seed: 7, startTime: later });
    expect(market.global, 'global market').toEqual(a.get(`globalMarket||${floor(later, 5 * MIN)}`));
    for (const chain of market.options) expect(chain, `${chain.currency} options`).toEqual(a.get(`optionsChain|${chain.currency}|${floor(later, 30_000)}`));
  });

  it('two runs started 3 days and 2 weeks apart backfill the same fear & greed for every shared day', () => {
    const a = generateMarketHistory({ seed: 7, startTime: T });
    for (const [label, start] of [['3 days', T + 3 * 86_400_000 + 5 * 3_600_000], ['2 weeks', T + 15 * 86_400_000 + 7 * 3_600_000]] as const) {
      const b = new Map(generateMarketHistory({ seed: 7, startTime: start }).fearGreed.map((f) => [f.time, f]));
      const shared = a.fearGreed.filter((f) => b.has(f.time));
      expect(shared.length, label).toBeGreaterThan(340);
      for (const f of shared) expect(b.get(f.time), `${label}: ${new Date(f.time).toISOString()}`).toEqual(f);
    }
  });
});

const STAT = 5 * MIN;
/** 2026-03-03 00:00 UTC: a grid point of the crowd state (every 5 days from the epoch), also a funding and a day boundary. */
const CROWD_SWITCH = Date.UTC(2026, 2, 3);

type Positioning = { oi: Map<number, OpenInterest>; ratios: Map<string, LongShortRatio>; liquidations: Liquidation[] };

function positioningOf(events: readonly MarketEvent[]): Positioning {
  const out: Positioning = { oi: new Map(), ratios: new Map(), liquidations: [] };
  for (const e of events) {
    if (e.type === 'openInterest') out.oi.set(e.openInterest.time, e.openInterest);
    else if (e.type === 'longShortRatio') out.ratios.set(`${e.ratio.time}|${e.ratio.kind}`, e.ratio);
    else if (e.type === 'liquidation') out.liquidations.push(e.liquidation);
  }
  return out;
}

function backfilled(history: ReturnType<typeof generateHistory>): Positioning {
  return {
    oi: new Map(history.openInterest.map((o) => [o.time, o])),
    ratios: new Map(history.longShortRatios.map((r) => [`${r.time}|${r.kind}`, r])),
    liquidations: history.liquidations,
  };
}

/** Every shared OI point and ratio is equal; returns how many were shared. */
function expectSharedPositioning(mine: Positioning, theirs: Positioning, label: string): { oi: number; ratios: number } {
  let oi = 0;
  let ratios = 0;
  for (const [time, value] of mine.oi) {
    if (!theirs.oi.has(time)) continue;
    oi++;
    expect(theirs.oi.get(time), `${label}: open interest ${new Date(time).toISOString()}`).toEqual(value);
  }
  for (const [key, value] of mine.ratios) {
    if (!theirs.ratios.has(key)) continue;
    ratios++;
    expect(theirs.ratios.get(key), `${label}: long/short ${key}`).toEqual(value);
  }
  return { oi, ratios };
}

const within = (list: readonly Liquidation[], from: number, to: number) => list.filter((l) => l.time >= from && l.time < to);

describe('simulated open interest, long/short ratios and liquidations are a function of (seed, symbol, time)', () => {
  it('two backfills started 22 minutes and 3 d 5 h apart agree on OI, long/short and liquidations for every minute both cover', () => {
    const symbol = 'BTCUSDT';
    const a = generateHistory({ seed: 7, symbol, startTime: T, intervals: ['1m'], candleCount: 10 });
    const b = generateHistory({ seed: 7, symbol, startTime: T + 22 * MIN, intervals: ['1m'], candleCount: 10 });
    const later = T + 3 * 86_400_000 + 5 * 3_600_000;
    // The later run reaches back over the earlier one's window (the defaults are 30 periods and 6 h).
    const c = generateHistory({
      seed: 7,
      symbol,
      startTime: later,
      intervals: ['1m'],
      candleCount: 10,
      statPeriods: Math.ceil((later - T) / STAT) + 30,
      liquidationMinutes: Math.ceil((later - T) / MIN) + 360,
    });
    const mine = backfilled(a);
    const near = expectSharedPositioning(mine, backfilled(b), '22 min later');
    expect(near, '30 periods, 4 of them newer than the earlier run').toEqual({ oi: 26, ratios: 78 });
    const far = expectSharedPositioning(mine, backfilled(c), '3 d 5 h later');
    expect(far, 'all 30 periods of the earlier run').toEqual({ oi: 30, ratios: 90 });
    // Liquidations: b backfills the 6 h before its start minute, c everything since before a's window.
    const bFrom = Math.floor((T + 22 * MIN) / MIN) * MIN - 360 * MIN;
    const shared = within(a.liquidations, bFrom, T);
    expect(shared.length, 'hundreds of liquidations in the 5 h 38 min both cover').toBeGreaterThan(300);
    expect(within(b.liquidations, bFrom, T), '22 min later').toEqual(shared);
    expect(within(c.liquidations, a.liquidations[0]!.time, T), '3 d 5 h later').toEqual(a.liquidations);
    const other = generateHistory({ seed: 8, symbol, startTime: T, intervals: ['1m'], candleCount: 10 });
    expect(other.openInterest.at(-1)!.openInterest, 'another seed is another market').not.toBe(a.openInterest.at(-1)!.openInterest);
  }, 120_000); // the later run simulates 3.5 days of its book: ≈ 4 s alone, much more on a loaded machine

  it('a live run across the 5-day grid switch publishes what a later backfill and a run started 22 minutes later publish', () => {
    const symbol = 'BTCUSDT';
    const startA = CROWD_SWITCH - 20 * MIN + 17_450;
    const startB = startA + 22 * MIN + 350;
    const end = CROWD_SWITCH + 20 * MIN;
    const live = (start: number) => {
      const model = createMarketModel({ seed: 7, symbols: [symbol], startTime: start, marketWide: false, tradeRateScale: 0.02, intervals: [] });
      const out: MarketEvent[] = [];
      while (model.time < end) out.push(...model.step(Math.min(2_300, end - model.time)));
      return positioningOf(out);
    };
    const a = live(startA);
    expect(a.oi.size, 'one OI point a minute').toBe(40);
    expect(a.ratios.size, 'three ratios every 5 minutes').toBe(3 * 8);
    expect(a.liquidations.length, 'about two liquidations a minute').toBeGreaterThan(30);
    const later = backfilled(generateHistory({ seed: 7, symbol, startTime: end + 3 * MIN + 12_000, intervals: ['1m'], candleCount: 10 }));
    expect(expectSharedPositioning(a, later, 'backfilled 3 min after the run'), 'the 8 five-minute points').toEqual({ oi: 8, ratios: 24 });
    expect(within(later.liquidations, startA, end), 'liquidations backfilled later').toEqual(a.liquidations);
    const b = live(startB);
    expect(expectSharedPositioning(b, a, 'run started 22 min later'), 'every minute from 00:03 to 00:20').toEqual({ oi: 18, ratios: 12 });
    expect(b.liquidations).toEqual(within(a.liquidations, startB, end));
    // At 00:00 the crowd run started five days earlier takes over from the one started ten days earlier: the OI
    // step at the switch is no larger than the other minutes' steps.
    const steps = [...a.oi.values()].slice(1).map((o, i) => ({ time: o.time, step: Math.abs(o.openInterest! - [...a.oi.values()][i]!.openInterest!) }));
    const atSwitch = steps.find((s) => s.time === CROWD_SWITCH + MIN)!.step;
    expect(atSwitch).toBeLessThanOrEqual(Math.max(...steps.filter((s) => s.time !== CROWD_SWITCH + MIN).map((s) => s.step)));
  });
});
