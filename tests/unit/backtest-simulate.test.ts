import { describe, expect, it } from 'vitest';
import type { Intent, Strategy, StrategyView } from '../../src/backtest/backtest.types.js';
import { computeBacktestMetrics } from '../../src/backtest/metrics.js';
import { simulateBacktest } from '../../src/backtest/simulate.js';
import { createStrategy, StrategyKinds } from '../../src/backtest/strategies.js';
import type { Candle } from '../../src/domain/market.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

/** Bar i of a crafted 1 h path: [open, high, low, close]. */
function path(bars: readonly [number, number, number, number][]): Candle[] {
  return bars.map(([open, high, low, close], i) => ({
    symbol: 'BTCUSDT',
    interval: '1h',
    openTime: T0 + i * H,
    closeTime: T0 + (i + 1) * H - 1,
    open,
    high,
    low,
    close,
    volume: 10,
    quoteVolume: null,
    takerBuyVolume: null,
    trades: null,
    closed: true,
  }));
}

/** A strategy that plays a script: intent at the close of bar k. */
const scripted = (script: Record<number, Intent>): Strategy => (view) => script[view.k] ?? { action: 'HOLD' };
const long = (extra: Partial<Extract<Intent, { action: 'ENTER' }>> = {}): Intent => ({ action: 'ENTER', side: 'LONG', type: 'MARKET', stop: null, target: null, ...extra });
const short = (extra: Partial<Extract<Intent, { action: 'ENTER' }>> = {}): Intent => ({ action: 'ENTER', side: 'SHORT', type: 'MARKET', stop: null, target: null, ...extra });
const noCosts = { feeBps: 0, slippageBps: 0 };

describe('simulateBacktest on crafted paths', () => {
  const flat4 = path([
    [100, 100, 100, 100],
    [100, 105, 99, 104],
    [104, 111, 103, 110],
    [110, 112, 108, 111],
  ]);

  it('charges fees and slippage on both fills of a market trade', () => {
    const r = simulateBacktest({ candles: flat4, strategy: scripted({ 0: long(), 2: { action: 'EXIT' } }), costs: { feeBps: 10, slippageBps: 5 }, initialEquity: 10_000 });
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0]!;
    expect(t.entryPrice, 'bar 1 open 100 × (1 + 5 bp)').toBeCloseTo(100.05, 10);
    expect(t.quantity, '10 000 / 100.05').toBeCloseTo(99.95002498750625, 10);
    expect(t.exitPrice, 'bar 3 open 110 × (1 − 5 bp)').toBeCloseTo(109.945, 10);
    // entry fee 10 000 × 10 bp = 10; exit fee q × 109.945 × 10 bp = 10.98900549725
    expect(t.fees).toBeCloseTo(10 + 10.989005497251375, 8);
    expect(r.metrics.finalEquity, '9 990 + q × (109.945 − 100.05) − 10.989').toBeCloseTo(10968.016491754124, 6);
    expect(t.pnl).toBeCloseTo(968.016491754124, 6);
    expect(t.exitReason).toBe('SIGNAL');
    expect(r.metrics.totalReturn).toBeCloseTo(0.0968016491754124, 10);
    expect(r.metrics.exposure, 'bars 1, 2 and 3 (closed at its open) of 4').toBeCloseTo(3 / 4, 12);
  });

  it('closes at the stop when one bar touches both the stop and the target (the conservative rule)', () => {
    const candles = path([
      [100, 100, 100, 100],
      [100, 111, 94, 105],
      [105, 106, 104, 105],
    ]);
    const r = simulateBacktest({ candles, strategy: scripted({ 0: long({ stop: 95, target: 110 }) }), costs: noCosts, initialEquity: 10_000 });
    expect(r.trades.map((t) => [t.exitReason, t.exitPrice])).toEqual([['STOP', 95]]);
    expect(r.metrics.finalEquity, '100 units × (95 − 100)').toBeCloseTo(9500, 9);
    const s = simulateBacktest({ candles, strategy: scripted({ 0: short({ stop: 110, target: 95 }) }), costs: noCosts, initialEquity: 10_000 });
    expect(s.trades.map((t) => [t.exitReason, t.exitPrice]), 'a short: high 111 ≥ stop 110 and low 94 ≤ target 95').toEqual([['STOP', 110]]);
    expect(s.metrics.finalEquity).toBeCloseTo(9000, 9);
  });

  it('fills a gap through the stop at the open, and a target reached alone at the target', () => {
    const gap = path([
      [100, 100, 100, 100],
      [100, 101, 99, 100],
      [90, 92, 89, 91],
    ]);
    const r = simulateBacktest({ candles: gap, strategy: scripted({ 0: long({ stop: 95 }) }), costs: noCosts, initialEquity: 1000 });
    expect(r.trades[0]!.exitPrice, 'held at the open of bar 2, which opened below the stop').toBe(90);
    const up = path([
      [100, 100, 100, 100],
      [100, 103, 99, 102],
      [102, 108, 101, 107],
    ]);
    const t = simulateBacktest({ candles: up, strategy: scripted({ 0: long({ stop: 95, target: 106 }) }), costs: noCosts, initialEquity: 1000 });
    expect(t.trades.map((x) => [x.exitReason, x.exitPrice, x.exitTime])).toEqual([['TARGET', 106, T0 + 3 * H - 1]]);
    expect(t.metrics.finalEquity).toBeCloseTo(1060, 9);
  });

  it('pays funding on a long and receives it on a short for the settlements inside bars it held from the open', () => {
    const candles = path([
      [100, 100, 100, 100],
      [100, 101, 99, 101],
      [102, 103, 101, 102],
      [102, 103, 101, 102],
    ]);
    // At bar 1's open (the entry instant: not held across it), at bar 2's open (held), inside bar 3 after the exit at its open.
    const funding = [
      { fundingTime: T0 + H, rate: 0.001 },
      { fundingTime: T0 + 2 * H, rate: 0.0001 },
      { fundingTime: T0 + 3 * H + 1, rate: 0.01 },
    ];
    const script = (e: Intent) => scripted({ 0: e, 2: { action: 'EXIT' } });
    const l = simulateBacktest({ candles, funding, strategy: script(long()), costs: noCosts, initialEquity: 10_000 });
    expect(l.trades[0]!.funding, '−100 units × 102 (bar 2 open) × 0.0001').toBeCloseTo(-1.02, 10);
    expect(l.trades[0]!.pnl, '100 × (102 − 100) − 1.02').toBeCloseTo(198.98, 9);
    expect(l.metrics.finalEquity).toBeCloseTo(10_198.98, 9);
    const s = simulateBacktest({ candles, funding, strategy: script(short()), costs: noCosts, initialEquity: 10_000 });
    expect(s.trades[0]!.funding).toBeCloseTo(1.02, 10);
    expect(s.metrics.finalEquity, '100 × (100 − 102) + 1.02').toBeCloseTo(9801.02, 9);
    expect(s.metrics.funding).toBeCloseTo(1.02, 10);
  });

  it('rests a limit entry until it trades or expires', () => {
    const candles = path([
      [100, 100, 100, 100],
      [100, 101, 99, 100],
      [100, 100, 97, 99],
      [99, 103, 98, 102],
    ]);
    const filled = simulateBacktest({ candles, strategy: scripted({ 0: long({ type: 'LIMIT', price: 98, expiryBars: 2 }) }), costs: noCosts, initialEquity: 980 });
    expect(filled.trades.map((t) => [t.entryPrice, t.entryTime, t.exitReason, t.exitPrice])).toEqual([[98, T0 + 2 * H, 'END', 102]]);
    expect(filled.metrics.finalEquity, '10 units × 102').toBeCloseTo(1020, 9);
    const expired = simulateBacktest({ candles, strategy: scripted({ 0: long({ type: 'LIMIT', price: 98, expiryBars: 1 }) }), costs: noCosts, initialEquity: 980 });
    expect(expired.trades, 'bar 1 low 99 > 98 and the order lived one bar').toEqual([]);
    const stop = simulateBacktest({ candles, strategy: scripted({ 0: long({ type: 'STOP', price: 102.5, expiryBars: 3 }) }), costs: noCosts, initialEquity: 1025 });
    expect(stop.trades.map((t) => [t.entryPrice, t.entryTime])).toEqual([[102.5, T0 + 3 * H]]);
  });

  it('reverses on an opposite entry and closes after maxHoldBars', () => {
    const candles = path([
      [100, 100, 100, 100],
      [100, 101, 99, 100],
      [110, 111, 109, 110],
      [120, 121, 119, 120],
      [100, 101, 99, 100],
    ]);
    const r = simulateBacktest({ candles, strategy: scripted({ 0: long(), 1: short({ maxHoldBars: 1 }) }), costs: noCosts, initialEquity: 1000 });
    expect(r.trades.map((t) => [t.side, t.entryPrice, t.exitPrice, t.exitReason])).toEqual([
      ['LONG', 100, 110, 'SIGNAL'],
      ['SHORT', 110, 120, 'TIME'],
    ]);
    // 10 units: +100; then 1100 / 110 = 10 units short: −100.
    expect(r.metrics.finalEquity).toBeCloseTo(1000, 9);
  });
});

describe('computeBacktestMetrics', () => {
  it('matches the hand-computed statistics of a four-point curve and three trades', () => {
    const year = 365 * 86_400_000;
    const step = year / 4;
    const curve = [100, 110, 99, 121].map((equity, i) => ({ time: i * step, equity }));
    const trade = (pnl: number) => ({ side: 'LONG' as const, entryTime: 0, entryPrice: 1, exitTime: 1, exitPrice: 1, quantity: 1, exitReason: 'SIGNAL' as const, fees: 1, funding: 0, pnl, returnFraction: pnl / 100, bars: 1 });
    const m = computeBacktestMetrics({ initialEquity: 100, equityCurve: curve, trades: [trade(10), trade(-5), trade(15)], exposedBars: 2, intervalMs: step });
    expect(m.totalReturn).toBeCloseTo(0.21, 12);
    expect(m.cagr, 'span 3/4 year: 1.21^(4/3) − 1').toBeCloseTo(1.21 ** (4 / 3) - 1, 12);
    expect(m.maxDrawdown, '(110 − 99) / 110').toBeCloseTo(0.1, 12);
    expect(m.calmar).toBeCloseTo((1.21 ** (4 / 3) - 1) / 0.1, 10);
    // r = 0.1, −0.1, 0.2222…: mean 0.0740741, sd (n − 1) 0.162668; 4 bars a year → × 2.
    expect(m.sharpe).toBeCloseTo(0.910738880497574, 10);
    // downside deviation √(0.01 / 3)
    expect(m.sortino).toBeCloseTo(2.566001196398338, 10);
    expect(m.winRate).toBeCloseTo(2 / 3, 12);
    expect(m.profitFactor, '25 / 5').toBeCloseTo(5, 12);
    expect(m.expectancy).toBeCloseTo(20 / 3, 12);
    expect(m.exposure, '2 of 4 points').toBe(0.5);
    expect(m.fees).toBe(3);
  });

  it('leaves undefined ratios null instead of inventing them', () => {
    const m = computeBacktestMetrics({ initialEquity: 100, equityCurve: [{ time: 0, equity: 100 }, { time: 1, equity: 100 }], trades: [], exposedBars: 0, intervalMs: 1 });
    expect([m.sharpe, m.sortino, m.calmar, m.winRate, m.profitFactor, m.expectancy]).toEqual([null, null, null, null, null, null]);
  });
});

/** A deterministic random walk with swings (a seeded LCG; no Math.random). */
function walk(n: number, seed = 7): Candle[] {
  let s = seed;
  const rnd = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  let price = 100;
  const bars: [number, number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = open * (1 + (rnd() - 0.5) * 0.03 + 0.004 * Math.sin(i / 9));
    const high = Math.max(open, close) * (1 + rnd() * 0.008);
    const low = Math.min(open, close) * (1 - rnd() * 0.008);
    bars.push([open, high, low, close]);
    price = close;
  }
  return path(bars);
}

describe('no look-ahead', () => {
  const base = walk(260);
  // Bars 200.. replaced by another walk falling from the same price (a different future).
  const other = walk(60, 99);
  const scale = base[199]!.close / other[0]!.open;
  const changed = [
    ...base.slice(0, 200),
    ...other.map((c, j) => {
      const drift = 1 - 0.01 * j;
      return { ...base[200 + j]!, open: c.open * scale * drift, high: c.high * scale * drift * 1.01, low: c.low * scale * drift * 0.98, close: c.close * scale * drift * 0.99 };
    }),
  ];

  for (const kind of [StrategyKinds.STRUCTURE, StrategyKinds.TRAP, StrategyKinds.CONFIRMATION]) {
    it(`${kind}: changing bar 200 and after changes nothing before bar 200`, () => {
      const seen: { k: number; last: number }[][] = [[], []];
      const record = (i: number, strategy: Strategy): Strategy => (view: StrategyView) => {
        seen[i]!.push({ k: view.k, last: view.candles.at(-1)!.openTime });
        return strategy(view);
      };
      const run = (candles: Candle[], i: number) =>
        simulateBacktest({ candles, strategy: record(i, createStrategy(kind, { historyBars: 120, minQuality: 'POOR' })), costs: { feeBps: 4, slippageBps: 2 }, initialEquity: 10_000, warmUpBars: 60 });
      const a = run(base, 0);
      const b = run(changed, 1);
      expect(seen[0]!.every((v) => v.last === base[v.k]!.openTime), 'the strategy sees bars ≤ k only').toBe(true);
      const before = (r: typeof a) => r.equityCurve.filter((p) => p.time < base[200]!.openTime);
      expect(before(b)).toEqual(before(a));
      const tradesBefore = (r: typeof a) => r.trades.filter((t) => t.exitTime < base[200]!.openTime);
      expect(tradesBefore(b)).toEqual(tradesBefore(a));
      expect(a.equityCurve, 'the change is visible after bar 200 (the test can fail)').not.toEqual(b.equityCurve);
      expect(a.trades.length, `${kind} traded on the walk`).toBeGreaterThan(0);
    });
  }
});

describe('strategies from the analyzers', () => {
  it('FUNDING_EXTREME fades an extreme settlement from the next open and receives the funding it holds through', () => {
    const candles = walk(100, 3);
    // Every 8 h from T0; the one at bar 56's open is 0.3 % (≥ the 0.1 % extreme rate).
    const funding = Array.from({ length: 13 }, (_, i) => ({ fundingTime: T0 + i * 8 * H, rate: i === 7 ? 0.003 : 0.0001 }));
    const r = simulateBacktest({
      candles,
      funding,
      strategy: createStrategy('FUNDING_EXTREME', { fundingWindow: 5, holdBars: 10, stopAtr: null }),
      costs: noCosts,
      initialEquity: 10_000,
    });
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0]!;
    expect([t.side, t.entryTime, t.entryPrice, t.exitReason, t.exitTime]).toEqual(['SHORT', candles[57]!.openTime, candles[57]!.open, 'TIME', candles[67]!.openTime]);
    expect(t.funding, 'the short receives the 0.01 % settlement at bar 64 (the 0.3 % one was before its entry)').toBeCloseTo(t.quantity * candles[64]!.open * 0.0001, 10);
    expect(t.pnl).toBeCloseTo(t.quantity * (candles[57]!.open - candles[67]!.open) + t.funding, 8);
  });

  it('SCENARIO trades the most confident scenario with its entry order, stop and first target', () => {
    const candles = walk(260, 11);
    const r = simulateBacktest({ candles, strategy: createStrategy('SCENARIO', { historyBars: 150, minConfidence: 0 }), costs: noCosts, initialEquity: 10_000, warmUpBars: 100 });
    expect(r.trades.length, 'scenarios exist on a swinging walk').toBeGreaterThan(0);
    for (const t of r.trades) expect(['STOP', 'TARGET', 'TIME', 'END']).toContain(t.exitReason);
  });

  it('rejects out-of-range parameters with the value quoted', () => {
    expect(() => createStrategy('TRAP', { holdBars: 0 })).toThrow('holdBars must be an integer ≥ 1, got 0');
  });
});
