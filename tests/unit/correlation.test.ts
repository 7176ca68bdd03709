import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeCorrelationAnalysis, pearson, ranks, spearman } from '../../src/analyzers/correlation.js';
import type { CorrelationBar, CorrelationInput, CorrelationSeries } from '../../src/analyzers/correlation.types.js';
import { normalDraws } from '../../src/math/random.js';

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);

/** Deterministic standard normal draws (mulberry32 + Box–Muller). */
const rng = normalDraws;
const normals = (seed: number, n: number, scale = 0.01) => {
  const g = rng(seed);
  return Array.from({ length: n }, () => g() * scale);
};

/** Closes from log returns: c0 = 100, c_i = c_{i−1}·e^{r_i}; bar i opens at T0 + i·H. */
function series(symbol: string, returns: readonly number[]): CorrelationSeries {
  const bars: CorrelationBar[] = [{ openTime: T0, close: 100 }];
  let c = 100;
  returns.forEach((r, i) => {
    c *= Math.exp(r);
    bars.push({ openTime: T0 + (i + 1) * H, close: c });
  });
  return { symbol, bars };
}

const input = (s: CorrelationSeries[], extra: Partial<CorrelationInput> = {}): CorrelationInput => ({
  key: 'ALL',
  series: s,
  intervalMs: H,
  window: 168,
  now: T0 + 1_000 * H,
  ...extra,
});

const pairOf = (a: ReturnType<typeof computeCorrelationAnalysis>, x: string, y: string) =>
  a.pairs.find((p) => (p.a === x && p.b === y) || (p.a === y && p.b === x))!;

describe('pearson / spearman primitives', () => {
  it('matches a hand-computed Pearson r', () => {
    // mx = 3, my = 4; Σdxdy = 6, Σdx² = 10, Σdy² = 6 → r = 6/√60
    expect(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]), '6/√60').toBeCloseTo(6 / Math.sqrt(60), 12);
  });
  it('averages the ranks of ties', () => {
    expect(ranks([1, 2, 2, 3]), 'the two 2s share ranks 2 and 3').toEqual([1, 2.5, 2.5, 4]);
  });
  it('returns null when a sample has no variance', () => {
    expect(pearson([1, 1, 1], [1, 2, 3]), 'constant x has no correlation').toBeNull();
  });
  it('gives Spearman 1 for a monotone nonlinear transform where Pearson is below 1', () => {
    const x = [-2, -1, 0, 0.5, 1, 3];
    const y = x.map((v) => v ** 3);
    expect(spearman(x, y), 'ranks are identical').toBe(1);
    expect(pearson(x, y)!, 'cubing bends the line').toBeLessThan(0.99);
  });
});

describe('computeCorrelationAnalysis on constructed series', () => {
  const base = normals(1, 700);
  const a = computeCorrelationAnalysis(
    input([
      series('BTCUSDT', base),
      series('TWICE', base.map((r) => 2 * r)),
      series('MIRROR', base.map((r) => -r)),
      series('INDEP', normals(2, 700)),
      series('CUBE', base.map((r) => (r * 100) ** 3 / 100)),
    ]),
  );

  it('finds perfect positive and negative correlation', () => {
    expect(pairOf(a, 'BTCUSDT', 'TWICE').pearson, 'returns scaled by 2').toBeCloseTo(1, 6);
    expect(pairOf(a, 'BTCUSDT', 'MIRROR').pearson, 'returns negated').toBeCloseTo(-1, 6);
    expect(pairOf(a, 'BTCUSDT', 'MIRROR').spearman, 'ranks reversed').toBeCloseTo(-1, 6);
  });
  it('finds independent series near zero (within 3/√n)', () => {
    const p = pairOf(a, 'BTCUSDT', 'INDEP');
    expect(p.samples, 'full window').toBe(168);
    expect(Math.abs(p.pearson!), 'sampling error of r ≈ 1/√168').toBeLessThan(3 / Math.sqrt(168));
  });
  it('gives Spearman 1 on a monotone nonlinear transform of the returns', () => {
    const p = pairOf(a, 'BTCUSDT', 'CUBE');
    expect(p.spearman, 'cube keeps the order').toBeCloseTo(1, 9);
    expect(p.pearson!, 'but not linear').toBeLessThan(0.95);
  });
  it('returns a symmetric matrix with a unit diagonal and sample sizes', () => {
    for (let i = 0; i < a.symbols.length; i++) {
      expect(a.pearson[i]![i], 'diagonal').toBe(1);
      expect(a.samples[i]![i], 'own returns in the window').toBe(168);
      for (let j = 0; j < a.symbols.length; j++) expect(a.pearson[i]![j], 'symmetric').toBe(a.pearson[j]![i]);
    }
    expect(a.baselineWindow, '4 × window').toBe(672);
    expect(a.warmingUp).toBe(false);
  });
  it('counts only overlapping returns when a bar is missing', () => {
    const s = series('GAPPY', base);
    const bars = s.bars.filter((_, i) => i !== 650); // removes the returns of slots 650 and 651
    const r = computeCorrelationAnalysis(input([series('BTCUSDT', base), { symbol: 'GAPPY', bars }]));
    expect(r.pairs[0]!.samples, 'one missing bar removes two returns').toBe(166);
    expect(r.pairs[0]!.pearson, 'the remaining returns are identical').toBeCloseTo(1, 9);
  });
});

describe('lead/lag', () => {
  it('finds A leading B by k bars when B is A shifted by k plus noise', () => {
    const k = 3;
    const ra = normals(3, 400);
    const noise = normals(4, 400, 0.003);
    const rb = ra.map((_, t) => (t >= k ? ra[t - k]! : 0) + noise[t]!);
    const r = computeCorrelationAnalysis(input([series('A', ra), series('B', rb)], { window: 200 }));
    const ll = r.pairs[0]!.leadLag!;
    expect(ll.leader, 'A moves first').toBe('A');
    expect(ll.follower).toBe('B');
    expect(ll.lagBars, 'shift').toBe(k);
    expect(ll.peakCorrelation, 'noise σ 0.3 of signal: r ≈ 1/√1.09').toBeGreaterThan(0.9);
    expect(ll.meaningful, 'lag 0 is near zero').toBe(true);
    expect(ll.profile.length, '−12..12').toBe(25);
    // Swapping the order flips the sign of the lag: B is then "a", led by "b" = A.
    const swapped = computeCorrelationAnalysis(input([series('B', rb), series('A', ra)], { window: 200 })).pairs[0]!.leadLag!;
    expect(swapped.leader, 'independent of argument order').toBe('A');
    expect(swapped.lagBars).toBe(k);
  });
  it('reports no leader when the series move together', () => {
    const ra = normals(5, 300);
    const r = computeCorrelationAnalysis(input([series('A', ra), series('B', ra.map((x) => x * 1.5))], { window: 100 }));
    expect(r.pairs[0]!.leadLag!.leader, 'peak at lag 0').toBeNull();
    expect(r.pairs[0]!.leadLag!.meaningful).toBe(false);
  });
});

describe('correlation breaks and divergences', () => {
  it('flags a HIGH weakening break when a correlated pair decouples over the window', () => {
    const ra = normals(6, 700);
    const noise = normals(7, 700, 0.001);
    const indep = normals(8, 700);
    // Correlated (B = A + small noise) until the last 168 returns, then independent.
    const rb = ra.map((x, t) => (t < 700 - 168 ? x + noise[t]! : indep[t]!));
    const r = computeCorrelationAnalysis(input([series('A', ra), series('B', rb)]));
    const brk = r.breaks[0]!;
    expect(brk.severity, 'window ≈ 0 vs baseline ≈ 0.75 (504 of 672 bars coupled)').toBe('HIGH');
    expect(brk.direction).toBe('WEAKENING');
    expect(brk.baselinePearson, 'three quarters of the baseline coupled').toBeGreaterThan(0.6);
    expect(brk.change, 'drop').toBeLessThan(-0.5);
  });
  it('reports no break for a stationary relationship', () => {
    const ra = normals(9, 700);
    const noise = normals(10, 700, 0.005);
    const r = computeCorrelationAnalysis(input([series('A', ra), series('B', ra.map((x, t) => x + noise[t]!))]));
    expect(r.breaks, 'same coupling throughout').toEqual([]);
  });
  it('grades severity by the documented thresholds on |window − baseline|', () => {
    const ra = normals(11, 700);
    const indep = normals(12, 700);
    // Identical before the window; in the window b = w·a + √(1−w²)·noise, so the window r ≈ w.
    const run = (w: number, thresholds = {}) => {
      const rb = ra.map((x, t) => (t < 700 - 168 ? x : w * x + Math.sqrt(1 - w * w) * indep[t]!));
      return computeCorrelationAnalysis(input([series('A', ra), series('B', rb)], { thresholds }));
    };
    const mild = run(0.8);
    expect(mild.pairs[0]!.change, 'window 0.82 vs baseline 0.95').toBeCloseTo(-0.131, 2);
    expect(mild.breaks, '|change| 0.13 < LOW 0.15').toEqual([]);
    expect(run(0.8, { breakLow: 0.1 }).breaks[0]?.severity, 'thresholds are inputs').toBe('LOW');
    const low = run(0.6);
    expect(low.pairs[0]!.change, 'window 0.64 vs baseline 0.91').toBeCloseTo(-0.271, 2);
    expect(low.breaks[0]?.severity, '0.15 ≤ 0.27 < 0.30').toBe('LOW');
    expect(run(0.4).breaks[0]?.severity, 'about 0.4 lower: 0.30 ≤ |change| < 0.50').toBe('MEDIUM');
  });
  it('signals a divergence when a highly correlated pair splits over the last bars', () => {
    const ra = normals(13, 700);
    const noise = normals(14, 700, 0.002);
    const rb = ra.map((x, t) => x + noise[t]! + (t >= 700 - 12 ? 0.004 : 0));
    const r = computeCorrelationAnalysis(input([series('A', ra), series('B', rb)]));
    const d = r.divergences[0]!;
    expect(d.outperformer, 'B got +0.4 % a bar').toBe('B');
    expect(d.spread, 'about −12 × 0.004 (a − b)').toBeLessThan(-0.03);
    expect(d.zScore, '0.048 against σ 0.002·√12 ≈ 0.007').toBeLessThan(-4);
  });
});

describe('cross-asset regime', () => {
  /** Returns ε_t = ±0.002 alternating (sums to 0 over an even window) plus a drift μ. */
  const drift = (mu: number, n = 700) => Array.from({ length: n }, (_, t) => (t % 2 === 0 ? 0.002 : -0.002) + mu);

  it('is RISK_OFF with BTC falling, fear and rising dominance (hand-computed score)', () => {
    const r = computeCorrelationAnalysis(
      input([series('BTCUSDT', drift(-0.05 / 168)), series('ETHUSDT', drift(-0.05 / 168))], {
        dominance: [
          { time: T0, btcDominance: 55 },
          { time: T0 + H, btcDominance: 56 },
        ],
        fearGreed: { value: 20, time: T0 },
      }),
    ).regime!;
    expect(r.btcReturn, '168 × −0.05/168').toBeCloseTo(-0.05, 9);
    expect(r.altVsBtcReturn, 'same drift').toBeCloseTo(0, 9);
    // 0.35·tanh(−1) + 0.25·tanh(0) + 0.15·(−tanh(1)) + 0.25·(20−50)/50
    const expected = 0.35 * Math.tanh(-1) + 0.15 * -Math.tanh(1) + 0.25 * -0.6;
    expect(r.score, 'weighted factors').toBeCloseTo(expected, 3);
    expect(r.regime).toBe('RISK_OFF');
    expect(r.missingInputs, 'everything present').toEqual([]);
    expect(r.averageCorrelationToBtc, 'identical noise').toBeCloseTo(1, 9);
  });
  it('is ALTSEASON when alts beat BTC by ≥ 5 % and says which inputs are missing', () => {
    const r = computeCorrelationAnalysis(input([series('BTCUSDT', drift(0)), series('SOLUSDT', drift(0.06 / 168))])).regime!;
    expect(r.regime, 'alt − BTC = 0.06 ≥ 0.05, no dominance history').toBe('ALTSEASON');
    expect(r.missingInputs.join(' '), 'no CoinGecko, no F&G').toMatch(/btcDominance.*fearGreed/);
    // Weights renormalised over btcReturn (0.35) and altVsBtc (0.25): 0.25/0.6 · tanh(1.2)
    expect(r.score, 'renormalised').toBeCloseTo((0.25 / 0.6) * Math.tanh(1.2), 3);
    expect(r.factors.map((f) => f.name)).toEqual(['btcReturn', 'altVsBtc', 'averageCorrelationToBtc']);
  });
  it('is not ALTSEASON while BTC dominance rises', () => {
    const r = computeCorrelationAnalysis(
      input([series('BTCUSDT', drift(0)), series('SOLUSDT', drift(0.06 / 168))], {
        dominance: [
          { time: T0, btcDominance: 55 },
          { time: T0 + H, btcDominance: 57 },
        ],
      }),
    ).regime!;
    // (0.25/0.75)·tanh(1.2) + (0.15/0.75)·(−tanh(2))
    expect(r.score, 'alt strength outweighs rising dominance').toBeCloseTo((0.25 / 0.75) * Math.tanh(1.2) - 0.2 * Math.tanh(2), 3);
    expect(r.regime).toBe('RISK_ON');
    expect(r.missingInputs.join(' ')).toMatch(/fearGreed/);
  });
  it('reports the dominance trend missing with a single observation', () => {
    const r = computeCorrelationAnalysis(
      input([series('BTCUSDT', drift(0.001)), series('ETHUSDT', drift(0.001))], { dominance: [{ time: T0, btcDominance: 58 }] }),
    ).regime!;
    expect(r.btcDominance).toBe(58);
    expect(r.dominanceChange, 'no history').toBeNull();
    expect(r.missingInputs.join(' ')).toMatch(/btcDominanceTrend/);
  });
});

describe('warm-up and preconditions', () => {
  it('warms up with nulls when there are too few bars', () => {
    const r = computeCorrelationAnalysis(input([series('BTCUSDT', normals(1, 10)), series('ETHUSDT', normals(2, 10))]));
    expect(r.warmingUp, '10 returns < minSamples 30').toBe(true);
    expect(r.pearson[0]![1], 'no fabricated number').toBeNull();
    expect(r.regime).toBeNull();
  });
  it('throws on bad input, quoting the value', () => {
    expect(() => computeCorrelationAnalysis(input([series('A', [0.01])]))).toThrow(/got 1/);
    expect(() => computeCorrelationAnalysis(input([series('A', [0.01]), series('A', [0.01])]))).toThrow(/"A"/);
    expect(() => computeCorrelationAnalysis(input([series('A', [0.01]), series('B', [0.01])], { window: 1 }))).toThrow(/got 1/);
    expect(() => computeCorrelationAnalysis(input([series('A', [0.01]), series('B', [0.01])], { thresholds: { maxLag: 500 } }))).toThrow(/got 500/);
  });
});

// --- Real recorded candles ---

const FUT = '/work/shared/data/binance-futures/klines/multi-15m-2025-08-29_2025-09-25';
const SPOT = '/work/shared/data/binance-spot/klines/2024-02-01_2024-03-15';

function checkMatrix(r: ReturnType<typeof computeCorrelationAnalysis>) {
  for (let i = 0; i < r.symbols.length; i++) {
    expect(r.pearson[i]![i], 'unit diagonal').toBe(1);
    for (let j = 0; j < r.symbols.length; j++) {
      const v = r.pearson[i]![j]!;
      expect(v, 'symmetric').toBe(r.pearson[j]![i]);
      expect(Math.abs(v), 'within [−1, 1]').toBeLessThanOrEqual(1);
      expect(Math.abs(r.spearman[i]![j]!), 'within [−1, 1]').toBeLessThanOrEqual(1);
    }
  }
}

describe.skipIf(!existsSync(FUT))('real Binance futures 15m candles (BTC, ETH, XRP, LTC, BCH)', () => {
  const symbols = ['BTCUSDT', 'ETHUSDT', 'XRPUSDT', 'LTCUSDT', 'BCHUSDT'];
  const all = symbols.map((symbol) => ({
    symbol,
    bars: (JSON.parse(readFileSync(`${FUT}/${symbol}-15m.freqtrade.json`, 'utf8')) as number[][]).map((r) => ({ openTime: r[0]!, close: r[4]! })),
  }));

  it('runs over four weeks with high positive BTC–ETH correlation of 15m returns', () => {
    const n = all[0]!.bars.length;
    const btcEth: number[] = [];
    let runs = 0;
    for (let end = 4 * 168 + 13; end <= n; end += 96) {
      const r = computeCorrelationAnalysis({
        key: 'ALL',
        series: all.map((s) => ({ symbol: s.symbol, bars: s.bars.slice(0, end) })),
        intervalMs: 900_000,
        window: 168,
        now: all[0]!.bars[end - 1]!.openTime + 900_000,
      });
      runs++;
      expect(r.warmingUp).toBe(false);
      checkMatrix(r);
      expect(r.samples[0]![1], 'no gaps in the recording').toBe(168);
      btcEth.push(r.pearson[0]![1]!);
      expect(r.regime, 'BTC present').not.toBeNull();
    }
    expect(runs, 'about 20 daily steps').toBeGreaterThan(15);
    const mean = btcEth.reduce((s, v) => s + v, 0) / btcEth.length;
    expect(mean, 'BTC and ETH move together on 15m').toBeGreaterThan(0.6);
    expect(Math.min(...btcEth), 'never decoupled').toBeGreaterThan(0.3);
  });
});

describe.skipIf(!existsSync(SPOT))('real Binance spot 1h candles (seven symbols)', () => {
  const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'ADAUSDT', 'DOGEUSDT'];
  const all = symbols.map((symbol) => ({
    symbol,
    bars: readFileSync(`${SPOT}/${symbol}-1h.csv`, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const cols = line.split(',');
        return { openTime: Date.parse(`${cols[0]!.replace(' ', 'T')}Z`), close: Number(cols[4]) };
      }),
  }));

  it('gives a sane 7 × 7 matrix with BTC–ETH strongly positive', () => {
    const r = computeCorrelationAnalysis({ key: 'ALL', series: all, intervalMs: H, window: 168, now: Date.UTC(2024, 2, 16) });
    checkMatrix(r);
    expect(r.symbols.length).toBe(7);
    expect(r.pearson[0]![1], 'BTC–ETH 1h').toBeGreaterThan(0.6);
    expect(r.averageCorrelation!, 'crypto moves as one').toBeGreaterThan(0.4);
    expect(r.regime!.missingInputs.length, 'no dominance, no F&G given').toBe(2);
  });
});
