import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyCrowding, computeLongShortAnalysis, contrarianBiasOf, LONG_SHORT_METHODOLOGY_VERSION } from '../../src/analyzers/long-short.js';
import type { LongShortAnalysis, LongShortInput, RatioObservation, TakerObservation } from '../../src/analyzers/long-short.types.js';
import { percentileRank } from '../../src/math/statistics.js';

const T0 = Date.UTC(2025, 0, 1);
const M5 = 300_000;

/** One reading every 5 minutes, oldest first; the last is the current one. */
const ratios = (values: readonly number[]): RatioObservation[] => values.map((ratio, i) => ({ time: T0 + i * M5, ratio }));
const taker = (values: readonly number[]): TakerObservation[] =>
  values.map((ratio, i) => ({ time: T0 + i * M5, buyVolume: ratio * 100, sellVolume: 100, ratio }));
const repeat = (value: number, n: number) => Array.from({ length: n }, () => value);

function analyze(overrides: Partial<LongShortInput> = {}): LongShortAnalysis {
  return computeLongShortAnalysis({
    symbol: 'BTCUSDT',
    globalAccounts: ratios([...repeat(1, 10), 1]),
    topAccounts: ratios([...repeat(1, 10), 1]),
    topPositions: ratios([...repeat(1, 10), 1]),
    takerVolume: taker([...repeat(1, 10), 1]),
    historyWindow: 288,
    ...overrides,
  });
}

describe('percentileRank', () => {
  it('counts readings below and half of the ties', () => {
    expect(percentileRank([1, 2, 2, 3], 2), '(1 below + 2 ties / 2) / 4 = 50 %').toBe(50);
    expect(percentileRank([1, 2, 2, 3], 2.5), '3 below of 4').toBe(75);
    expect(percentileRank([1, 2, 3, 4], 5), 'above every reading').toBe(100);
    expect(percentileRank([1, 2, 3, 4], 0), 'below every reading').toBe(0);
    expect(percentileRank([2], 2), 'equal to the only reading').toBe(50);
    expect(percentileRank([2, 2, 2], 2), 'all ties').toBe(50);
    expect(percentileRank([], 1), 'no history, no percentile').toBeNull();
  });
});

describe('computeLongShortAnalysis', () => {
  it('exposes the methodology version', () => {
    expect(LONG_SHORT_METHODOLOGY_VERSION, 'consumers pin results to this version').toBe('long-short/1.0.0');
  });

  describe('readings and percentiles', () => {
    // History [1, 1.2, 1.2, 1.5, 0.8, 1.2, 1.0, 0.9, 1.1, 1.3], current 1.2:
    // below = {1, 0.8, 1.0, 0.9, 1.1} = 5, equal = 3 → 100 × (5 + 1.5) / 10 = 65
    const history = [1, 1.2, 1.2, 1.5, 0.8, 1.2, 1.0, 0.9, 1.1, 1.3];

    it('ranks each ratio against its own earlier readings, the current one excluded', () => {
      const a = analyze({ globalAccounts: ratios([...history, 1.2]) });
      const g = a.globalAccounts!;
      expect(g.ratio, 'current ratio').toBe(1.2);
      expect(g.longShare, '1.2 / 2.2').toBeCloseTo(1.2 / 2.2, 15);
      expect(g.time, 'time of the current reading').toBe(T0 + 10 * M5);
      expect(g.sampleSize, 'ten earlier readings').toBe(10);
      expect(g.percentile, '(5 + 3 / 2) / 10').toBe(65);
      expect(a.warmingUp, 'every series has 10 earlier readings').toBe(false);
    });

    it('limits the comparison to historyWindow earlier readings', () => {
      // Last 4 earlier readings: [1.0, 0.9, 1.1, 1.3] vs 1.2 → 3 below → 75
      const a = analyze({ globalAccounts: ratios([...history, 1.2]), historyWindow: 4, thresholds: { minHistory: 4 } });
      expect(a.globalAccounts!.sampleSize, 'window of 4').toBe(4);
      expect(a.globalAccounts!.percentile, '3 of 4 below').toBe(75);
    });

    it('ranks the taker buy/sell ratio the same way', () => {
      const a = analyze({ takerVolume: taker([...repeat(1, 5), ...repeat(2, 5), 1.5]) });
      const t = a.takerBuySell!;
      expect([t.ratio, t.buyVolume, t.sellVolume], 'current period as given').toEqual([1.5, 150, 100]);
      expect(t.percentile, '5 of 10 below').toBe(50);
    });

    it('warms up with fewer than minHistory earlier readings and leaves the percentile null', () => {
      const a = analyze({ topAccounts: ratios([...repeat(1, 9), 1.1]) });
      expect(a.topAccounts!.percentile, '9 earlier readings < 10').toBeNull();
      expect(a.topAccounts!.sampleSize, 'but they are counted').toBe(9);
      expect(a.warmingUp, 'one series is warming up').toBe(true);
      const warm = analyze({ globalAccounts: ratios([...repeat(1, 9), 1.1]) });
      expect(warm.factors[1]!.note, 'the percentile factor says why it is 0').toContain('warming up: 9 earlier readings');
      expect(warm.factors[1]!.contribution).toBe(0);
    });

    it('reports a missing series as null and counts it as 0', () => {
      const a = analyze({ topPositions: [] });
      expect(a.topPositions, 'no data, no reading').toBeNull();
      expect(a.retailWhaleDivergence, 'divergence needs both sides').toBeNull();
      expect(a.retailWhale).toBeNull();
      expect(a.factors[2]!.note).toContain('missing');
      expect(a.warmingUp, 'a missing series counts as warming up').toBe(true);
    });
  });

  describe('retail vs whales', () => {
    // ratio 3 → long share 3/4 = 0.75 exactly; ratio 1 → 0.5: a divergence of exactly 0.25.
    it('classifies the divergence with an inclusive threshold', () => {
      const retailLonger = analyze({ globalAccounts: ratios([...repeat(1, 10), 3]), thresholds: { divergenceShare: 0.25 } });
      expect(retailLonger.retailWhaleDivergence, '0.75 − 0.5').toBe(0.25);
      expect(retailLonger.retailWhale, '0.25 >= 0.25').toBe('RETAIL_MORE_LONG');
      const whalesLonger = analyze({ topPositions: ratios([...repeat(1, 10), 3]), thresholds: { divergenceShare: 0.25 } });
      expect(whalesLonger.retailWhaleDivergence, '0.5 − 0.75').toBe(-0.25);
      expect(whalesLonger.retailWhale, '−0.25 <= −0.25').toBe('WHALES_MORE_LONG');
      const aligned = analyze({ globalAccounts: ratios([...repeat(1, 10), 3]), thresholds: { divergenceShare: 0.2500001 } });
      expect(aligned.retailWhale, 'just inside the band').toBe('ALIGNED');
      expect(analyze().retailWhale, 'default threshold 0.1; both at 0.5').toBe('ALIGNED');
    });
  });

  describe('crowding score and contrarian bias', () => {
    // Retail ratio 2 (long share 2/3) above a history of 1s; whales' positions at 0.5 (1/3); taker at its median:
    //   retailLevel            0.25 × ln 2 / ln 2 = 1          → 0.25
    //   retailPercentile       0.25 × (100 − 50) / 50 = 1      → 0.25
    //   retailWhaleDivergence  0.3  × (1/3) / 0.2 = 1.67 → 1    → 0.3
    //   takerPercentile        0.2  × (50 − 50) / 50 = 0       → 0
    //   score = 100 × 0.8 = 80 → CROWDED_LONGS → contrarian BEARISH
    it('scores crowded longs from hand-computed factors', () => {
      const a = analyze({
        globalAccounts: ratios([...repeat(1, 10), 2]),
        topPositions: ratios([...repeat(1, 10), 0.5]),
        takerVolume: taker([...repeat(1, 5), ...repeat(2, 5), 1.5]),
      });
      expect(a.factors.map((f) => f.name), 'stable factor names').toEqual(['retailLevel', 'retailPercentile', 'retailWhaleDivergence', 'takerPercentile']);
      expect(a.factors.map((f) => f.weight), 'documented weights').toEqual([0.25, 0.25, 0.3, 0.2]);
      expect(a.factors[0]!.contribution, 'ln 2 / ln 2 = 1').toBeCloseTo(0.25, 15);
      expect(a.factors[1]!.value, 'the 100th percentile').toBe(100);
      expect(a.factors[1]!.contribution, '(100 − 50) / 50 = 1').toBe(0.25);
      expect(a.factors[2]!.value, '2/3 − 1/3').toBeCloseTo(1 / 3, 15);
      expect(a.factors[2]!.contribution, 'saturates at 0.2').toBe(0.3);
      expect(a.factors[3]!.contribution, 'median taker flow').toBe(0);
      expect(a.score, '100 × 0.8').toBe(80);
      expect(a.signal, '80 >= 50').toBe('CROWDED_LONGS');
      expect(a.contrarianBias, 'crowded longs are fuel for a drop').toBe('BEARISH');
      expect(a.retailWhale, 'retail longer by 33 points').toBe('RETAIL_MORE_LONG');
    });

    it('is symmetric for crowded shorts', () => {
      const a = analyze({
        globalAccounts: ratios([...repeat(1, 10), 0.5]),
        topPositions: ratios([...repeat(1, 10), 2]),
        takerVolume: taker([...repeat(1, 5), ...repeat(2, 5), 1.5]),
      });
      expect(a.score, 'mirror image: −80').toBe(-80);
      expect(a.signal).toBe('CROWDED_SHORTS');
      expect(a.contrarianBias, 'crowded shorts are fuel for a squeeze').toBe('BULLISH');
      expect(a.retailWhale).toBe('WHALES_MORE_LONG');
    });

    // Retail 1.25 with a history of 1.25s (50th percentile), whales equal, taker at its median:
    // only retailLevel counts: 100 × 0.25 × ln 1.25 / ln 2 = 8.048... → 8.05 → BALANCED
    it('rounds to 2 decimals and stays BALANCED for a mild lean', () => {
      const a = analyze({
        globalAccounts: ratios(repeat(1.25, 11)),
        topPositions: ratios(repeat(1.25, 11)),
        takerVolume: taker(repeat(1, 11)),
      });
      expect(a.globalAccounts!.percentile, 'all ties: 50').toBe(50);
      expect(a.score, '100 × 0.25 × 0.321928').toBe(8.05);
      expect(a.signal).toBe('BALANCED');
      expect(a.contrarianBias, 'no contrarian call short of crowding').toBe('NEUTRAL');
    });

    it('maps scores to signals with inclusive boundaries on the crowded side', () => {
      const table: [number, string][] = [
        [100, 'CROWDED_LONGS'],
        [50, 'CROWDED_LONGS'],
        [49.99, 'LONG_LEAN'],
        [20, 'LONG_LEAN'],
        [19.99, 'BALANCED'],
        [-19.99, 'BALANCED'],
        [-20, 'SHORT_LEAN'],
        [-49.99, 'SHORT_LEAN'],
        [-50, 'CROWDED_SHORTS'],
      ];
      for (const [score, signal] of table) expect(classifyCrowding(score), `score ${score}`).toBe(signal);
      expect(classifyCrowding(45, { crowdedScore: 40, leanScore: 10 }), 'cut-offs are inputs').toBe('CROWDED_LONGS');
      expect(contrarianBiasOf('LONG_LEAN'), 'a lean is not a contrarian call').toBe('NEUTRAL');
    });
  });

  describe('preconditions', () => {
    it('throws on invalid readings and parameters, quoting the value', () => {
      expect(() => analyze({ globalAccounts: ratios([1, 0]) }), 'a zero ratio').toThrow('computeLongShortAnalysis: globalAccounts[1].ratio must be a finite number > 0, got 0');
      expect(() => analyze({ topAccounts: [{ time: 2, ratio: 1 }, { time: 1, ratio: 1 }] }), 'descending').toThrow(
        'topAccounts must be strictly ascending by time, but topAccounts[1].time 1 <= 2',
      );
      expect(() => analyze({ takerVolume: [{ time: 1, buyVolume: -1, sellVolume: 1, ratio: 1 }] }), 'negative volume').toThrow(
        'takerVolume[0].buyVolume must be a finite number >= 0, got -1',
      );
      expect(() => analyze({ historyWindow: 0 }), 'empty window').toThrow('historyWindow must be an integer >= 1, got 0');
      expect(() => analyze({ thresholds: { crowdedRatio: 1 } }), 'ln 1 = 0').toThrow('thresholds.crowdedRatio must be a finite number > 1, got 1');
      expect(() => analyze({ thresholds: { crowdedScore: 10 } }), 'crowded below lean').toThrow('thresholds.crowdedScore must be between leanScore (20) and 100, got 10');
    });
  });
});

// --- Real recorded data: OKX SOL (read from ../shared/data when present; never copied into the repo) ---

const OKX_DIR = new URL('../../../shared/data/okx/SOL-USDT-SWAP-1h-2026-06-11_2026-06-26/', import.meta.url);

function csv(url: URL): Record<string, string>[] {
  const [header, ...lines] = readFileSync(url, 'utf8').trim().split('\n');
  const keys = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i]!, v])));
}

describe.skipIf(!existsSync(new URL('long_short_ratio.csv', OKX_DIR)))('real OKX SOL long/short ratio and taker volume (hourly)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(new URL('long_short_ratio.csv', OKX_DIR))) return;
  // OKX publishes one account ratio per currency (no top-trader split): it stands in for the global
  // series; the top-trader series are left empty.
  const longShort = () => csv(new URL('long_short_ratio.csv', OKX_DIR)).map((r) => ({ time: Number(r.ts), ratio: Number(r.ratio) }));
  const takerFlow = () =>
    csv(new URL('taker_volume.csv', OKX_DIR)).map((r) => {
      const buyVolume = Number(r.buyVol);
      const sellVolume = Number(r.sellVol);
      return { time: Number(r.ts), buyVolume, sellVolume, ratio: buyVolume / sellVolume };
    });

  /** Independent percentile: binary search in the sorted history for the first ≥ and the first > value. */
  function sortedPercentile(history: number[], value: number): number {
    const sorted = [...history].sort((a, b) => a - b);
    const bound = (pred: (x: number) => boolean) => {
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (pred(sorted[mid]!)) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const below = bound((x) => x >= value);
    const notAbove = bound((x) => x > value);
    return (100 * (below + (notAbove - below) / 2)) / sorted.length;
  }

  it('matches an independent percentile of every reading against the previous day', () => {
    const ls = longShort();
    const tv = takerFlow();
    expect(ls, '360 hourly readings').toHaveLength(360);
    const window = 24;
    let ties = 0;
    for (let i = window; i < ls.length; i++) {
      const a = computeLongShortAnalysis({
        symbol: 'SOLUSDT',
        globalAccounts: ls.slice(0, i + 1),
        topAccounts: [],
        topPositions: [],
        takerVolume: tv.slice(0, i + 1),
        historyWindow: window,
      });
      const lsHistory = ls.slice(i - window, i).map((x) => x.ratio);
      const tvHistory = tv.slice(i - window, i).map((x) => x.ratio);
      if (lsHistory.includes(ls[i]!.ratio)) ties += 1;
      expect(a.globalAccounts!.percentile, `ratio @${i}`).toBeCloseTo(sortedPercentile(lsHistory, ls[i]!.ratio), 10);
      expect(a.takerBuySell!.percentile, `taker @${i}`).toBeCloseTo(sortedPercentile(tvHistory, tv[i]!.ratio), 10);
      expect(a.takerBuySell!.ratio, `taker @${i}: buy / sell`).toBe(tv[i]!.buyVolume / tv[i]!.sellVolume);
      expect(a.retailWhaleDivergence, 'no top-trader series from OKX').toBeNull();
      expect(a.score, 'score = 100 × Σ contributions').toBeCloseTo(100 * a.factors.reduce((s, f) => s + f.contribution, 0), 1);
      expect(Math.abs(a.score)).toBeLessThanOrEqual(100);
    }
    expect(ties, 'OKX rounds the ratio to 2 decimals, so ties are common: the half-tie rule matters').toBeGreaterThan(50);
  });
});
