import { describe, expect, it } from 'vitest';
import { drawPosition, LIQUIDATION_PARAMS } from '../../src/datasources/simulated/generators/liquidations.js';
import {
  BOOK_HORIZON_MS,
  CROWD_GRID_MS,
  DENT_HALF_LIFE_MINUTES,
  LadderBook,
  PositioningEngine,
  type CrowdRunState,
  type EngineBar,
  type EngineState,
  type Position,
} from '../../src/datasources/simulated/generators/positioning-engine.js';
import { expectedDailyVolume } from '../../src/datasources/simulated/generators/trades.js';
import { symbolProfile } from '../../src/datasources/simulated/profiles.js';
import { createRng } from '../../src/datasources/simulated/random.js';

const MINUTE = 60_000;
/** 2026-03-03 00:00 UTC is a crowd grid point (day 20 515 = 5 × 4 103); start two days into its window. */
const GRID = Date.UTC(2026, 2, 3);
const T = GRID + 2 * 86_400_000;

/** A crowd run at the state it starts from, publishing at T (started one grid step before T's grid point). */
function publishingRun(symbol: string): CrowdRunState {
  return { startedAt: GRID - CROWD_GRID_MS, openInterest: expectedDailyVolume(symbolProfile(symbol)), trend: 0, flowEwma: 0, noise: [0, 0, 0], leanZ: 0, prevLogClose: null };
}

function crowdOnly(symbol: string): PositioningEngine {
  return new PositioningEngine({ seed: 1, symbol, state: { time: T, bookFrom: Infinity, crowd: [publishingRun(symbol)], book: null } });
}

/** Minutes of synthetic bars from T: price drifting by `drift` a minute, constant taker flow. */
function bars(n: number, start: number, drift: number, buy: number, sell: number): EngineBar[] {
  const out: EngineBar[] = [];
  for (let i = 0; i < n; i++) {
    const close = start * Math.exp(drift * (i + 1));
    out.push({ openTime: T + i * MINUTE, close, volume: buy + sell, takerBuy: buy, varianceRatio: 1, leanClose: start * Math.exp(drift * (i + 1 - 240)) });
  }
  return out;
}

const flat = () => new Float64Array(61);

describe('positioning engine: the crowd', () => {
  it('grows open interest with trend-following flow and shrinks it with flow against the trend', () => {
    const after = (drift: number, buy: number, sell: number) => {
      const engine = crowdOnly('BTCUSDT');
      for (const bar of bars(60, 95_000, drift, buy, sell)) engine.minute(bar, flat);
      return engine.snapshot().crowd[0]!.openInterest;
    };
    // The same per-minute shocks in every scenario (seeded by day): the differences are the flow's.
    const quiet = after(0, 25, 25);
    expect(after(0.0005, 40, 10), 'buying into a rally opens positions').toBeGreaterThan(quiet + 500);
    expect(after(-0.0005, 40, 10), 'buying into a slide closes shorts').toBeLessThan(quiet - 500);
  });

  it('leans retail accounts with the 4 h return and top-trader positions against it', () => {
    const after = (drift: number) => {
      const engine = crowdOnly('ETHUSDT');
      let shares = null;
      for (const bar of bars(240, 3_500, drift, 100, 100)) shares = engine.minute(bar, flat).shares;
      return shares!;
    };
    const rally = after(0.0004);
    const slide = after(-0.0004);
    expect(rally.GLOBAL_ACCOUNTS).toBeGreaterThan(slide.GLOBAL_ACCOUNTS + 0.1);
    expect(rally.TOP_ACCOUNTS).toBeGreaterThan(slide.TOP_ACCOUNTS);
    expect(rally.TOP_POSITIONS).toBeLessThan(slide.TOP_POSITIONS - 0.1);
  });

  it('restarts on its 5-day grid: the run started at the grid point joins, the one started two steps back leaves', () => {
    const engine = new PositioningEngine({
      seed: 1,
      symbol: 'BTCUSDT',
      state: { time: GRID + CROWD_GRID_MS - MINUTE, bookFrom: Infinity, crowd: [{ ...publishingRun('BTCUSDT') }, { ...publishingRun('BTCUSDT'), startedAt: GRID }], book: null },
    });
    const bar = (openTime: number): EngineBar => ({ openTime, close: 95_000, volume: 50, takerBuy: 25, varianceRatio: 1, leanClose: 95_000 });
    engine.minute(bar(GRID + CROWD_GRID_MS - MINUTE), flat);
    expect(engine.snapshot().crowd.map((c) => c.startedAt)).toEqual([GRID - CROWD_GRID_MS, GRID]);
    engine.minute(bar(GRID + CROWD_GRID_MS), flat);
    expect(engine.snapshot().crowd.map((c) => c.startedAt)).toEqual([GRID, GRID + CROWD_GRID_MS]);
  });
});

describe('positioning engine: the position book', () => {
  const position = (id: number, side: 1 | -1, liquidationPrice: number, exitAt: number): Position => ({
    id,
    side,
    leverage: 20,
    entry: 95_000,
    liquidationPrice,
    qty: 5,
    exitAt,
    phase: 250 * id,
    openedAt: T - 3_600_000,
  });

  it('LadderBook: a move takes the longs from the highest liquidation price down and the shorts from the lowest up, expiry the due ones', () => {
    const book = new LadderBook([
      position(3, 1, 94_000, T + 10),
      position(1, 1, 94_000, T + 20),
      position(2, 1, 93_000, T + 30),
      position(4, -1, 96_000, T + 40),
      position(5, -1, 97_000, T + 50),
    ]);
    expect([book.size, book.highestLong, book.lowestShort, book.nextExit]).toEqual([5, 94_000, 96_000, T + 10]);
    expect(book.takeCrossed(94_500, 95_500), 'inside the gap: nothing').toEqual([]);
    // Down to 93 500: both longs at 94 000 (ties by id), not the one at 93 000.
    expect(book.takeCrossed(93_500, 95_000).map((p) => p.id)).toEqual([1, 3]);
    expect(book.takeCrossed(94_000, 96_500).map((p) => p.id)).toEqual([4]);
    book.expire(T + 30);
    expect(book.snapshot().map((p) => p.id), 'the long due at T + 30 closed').toEqual([5]);
    expect([book.size, book.highestLong, book.lowestShort, book.nextExit]).toEqual([1, -Infinity, 97_000, T + 50]);
  });

  it('liquidates a crowded stack in the second the path runs through it and takes the quantity out of open interest (2 h half-life)', () => {
    const symbol = 'BTCUSDT';
    const state: EngineState = {
      time: T,
      bookFrom: T - BOOK_HORIZON_MS,
      crowd: [publishingRun(symbol)],
      book: {
        startedAt: T - BOOK_HORIZON_MS,
        positions: [position(1, 1, 94_000, T + 3_600_000), position(2, 1, 94_000, T + 3_600_000), position(3, 1, 94_000, T + 3_600_000), position(4, -1, 97_000, T + 3_600_000)],
        dent: [],
      },
    };
    // No new positions this minute, so only the stack can be liquidated.
    const engine = new PositioningEngine({ seed: 1, symbol, state, liquidation: { ...LIQUIDATION_PARAMS, openRate: 0 } });
    // The path falls from 95 000 to 93 500 evenly in log: 94 000 is crossed in second 39 (39.9 s in).
    const path = Float64Array.from({ length: 61 }, (_, s) => Math.log(95_000) + (s / 60) * Math.log(93_500 / 95_000));
    const result = engine.minute({ openTime: T, close: 93_500, volume: 50, takerBuy: 25, varianceRatio: 1, leanClose: 95_000 }, () => path);
    expect(result.liquidations.map((l) => [l.time - T, l.side, l.liquidatedSide, l.price, l.qty])).toEqual([
      [39_250, 'SELL', 'LONG', 94_000, 5],
      [39_500, 'SELL', 'LONG', 94_000, 5],
      [39_750, 'SELL', 'LONG', 94_000, 5],
    ]);
    for (const l of result.liquidations) expect(l.averagePrice).toBeLessThanOrEqual(94_000);
    const crowdOi = engine.snapshot().crowd[0]!.openInterest;
    // At the minute's end the three lots are 20.75 s, 20.5 s and 20.25 s old.
    const halfLife = DENT_HALF_LIFE_MINUTES * 60;
    const dent = [20.75, 20.5, 20.25].reduce((sum, age) => sum + 5 * 2 ** (-age / halfLife), 0);
    expect(engine.openInterest()).toBeCloseTo(crowdOi - dent, 9);
    expect(dent, '15 × 2^(−20.5 s / 2 h)').toBeCloseTo(14.9704, 4);
    expect(engine.openPositions, 'the short is still open').toBe(1);
  });

  it('caps the holding time at 6 h (mean 2 h × (1 − e⁻³) = 1.90 h), so the book at t holds positions opened after t − 6 h only', () => {
    const profile = symbolProfile('BTCUSDT');
    const rng = createRng(11);
    const held = Array.from({ length: 20_000 }, () => drawPosition(profile, rng, 95_000, 0, 0.6).exitAt / 3_600_000);
    expect(Math.max(...held)).toBeLessThanOrEqual(6);
    expect(held.filter((h) => h === 6).length / held.length, 'e⁻³ = 5 % capped').toBeCloseTo(Math.exp(-3), 2);
    expect(held.reduce((a, b) => a + b, 0) / held.length).toBeCloseTo(2 * (1 - Math.exp(-3)), 1);
  });
});
