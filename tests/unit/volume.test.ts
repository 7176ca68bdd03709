import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeVolumeAnalysis, createVwapAccumulator, VOLUME_METHODOLOGY_VERSION, volumeZScore } from '../../src/analyzers/volume.js';
import type { VolumeAnalysis, VolumeCandle, VolumeInput } from '../../src/analyzers/volume.types.js';

const MONDAY = Date.UTC(2026, 0, 5); // 00:00 UTC, a session start
const M5 = 300_000;

/** A 5m candle `i` bars after `start`; takerBuy defaults to half the volume (delta 0). */
function bar(i: number, o: Partial<VolumeCandle> & { close: number }, start = MONDAY): VolumeCandle {
  const close = o.close;
  return {
    openTime: start + i * M5,
    closeTime: start + (i + 1) * M5 - 1,
    open: o.open ?? close,
    high: o.high ?? close,
    low: o.low ?? close,
    close,
    volume: o.volume ?? 10,
    takerBuyVolume: o.takerBuyVolume ?? (o.volume ?? 10) / 2,
  };
}
const analyze = (candles: VolumeCandle[], extra: Partial<VolumeInput> = {}): VolumeAnalysis =>
  computeVolumeAnalysis({ symbol: 'BTCUSDT', interval: '5m', candles, ...extra });

describe('computeVolumeAnalysis', () => {
  it('exposes the methodology version', () => {
    expect(VOLUME_METHODOLOGY_VERSION, 'consumers pin results to this version').toBe('volume/1.1.1');
  });

  describe('session VWAP by hand', () => {
    // typical prices (H+L+C)/3: 10, 11.5, 13.5 with volumes 1, 2, 1
    const candles = [
      bar(0, { high: 12, low: 8, close: 10, volume: 1 }),
      bar(1, { high: 13, low: 10, close: 11.5, volume: 2 }),
      bar(2, { high: 15, low: 12, close: 13.5, volume: 1 }),
    ];
    const a = analyze(candles);

    it('is Σ typical × volume / Σ volume', () => {
      expect(a.session!.vwap, '(10×1 + 11.5×2 + 13.5×1) / 4 = 46.5 / 4').toBeCloseTo(11.625, 12);
    });
    it('has bands at ±1σ and ±2σ of the volume-weighted deviation', () => {
      // σ² = (1×1.625² + 2×0.125² + 1×1.875²) / 4 = 6.1875 / 4 = 1.546875
      const sd = Math.sqrt(1.546875);
      expect(a.session!.stdDev, 'weighted population σ of the typical price').toBeCloseTo(sd, 12);
      expect(a.session!.upper1, 'vwap + σ').toBeCloseTo(11.625 + sd, 12);
      expect(a.session!.lower2, 'vwap − 2σ').toBeCloseTo(11.625 - 2 * sd, 12);
      expect(a.session!.closeZ, '(13.5 − 11.625) / σ').toBeCloseTo(1.875 / sd, 12);
      expect(a.session!.sessionStart, 'the UTC day of the latest bar').toBe(MONDAY);
    });
    it('charts the running session VWAP per bar', () => {
      expect(a.series.map((b) => b.sessionVwap), 'running VWAPs 10, 33/3, 46.5/4').toEqual([10, 11, 11.625]);
    });
    it('anchors a VWAP at the candle containing the anchor', () => {
      const anchored = analyze(candles, { anchor: MONDAY + M5 + 60_000 }).anchored!;
      expect(anchored.source).toBe('ARGUMENT');
      expect(anchored.startTime, 'the bar open at 00:05 contains 00:06').toBe(MONDAY + M5);
      expect(anchored.vwap, '(11.5×2 + 13.5×1) / 3').toBeCloseTo(36.5 / 3, 12);
      expect(anchored.bars).toBe(2);
    });
    it('gives no anchored VWAP when the candles held start after the anchor', () => {
      const anchored = analyze(candles, { anchor: MONDAY - 3_600_000 }).anchored!;
      expect(anchored.vwap, 'the bars before the first one held are unknown').toBeNull();
      expect(anchored.note).toContain('after the anchor');
    });
    it('does not pass a partial day off as the session', () => {
      const late = [bar(0, { close: 10 }, MONDAY + M5), bar(1, { close: 11 }, MONDAY + M5)];
      expect(analyze(late).session, 'the 00:00 bar is not held').toBeNull();
    });
    it('has no cancellation noise in σ at BTC prices', () => {
      const acc = createVwapAccumulator();
      for (let i = 0; i < 1000; i += 1) acc.add({ high: 100_000.5, low: 100_000.3, close: 100_000.4, volume: 1 + (i % 3) });
      expect(acc.bands()!.stdDev, 'identical typical prices have no dispersion (no cancellation noise)').toBeCloseTo(0, 9);
    });
  });

  describe('delta and CVD on a constructed series', () => {
    // volume 10 each, taker buys 7, 3, 5, 10, 0 → delta 4, −4, 0, 10, −10
    const candles = [7, 3, 5, 10, 0].map((buy, i) => bar(i, { close: 100 + i, volume: 10, takerBuyVolume: buy }));
    const a = analyze(candles);
    it('is taker buy − taker sell per bar and its running sum', () => {
      expect(a.series.map((b) => b.delta), '2 × takerBuy − volume').toEqual([4, -4, 0, 10, -10]);
      expect(a.series.map((b) => b.cvd), 'cumulative').toEqual([4, 0, 0, 10, 0]);
      expect(a.delta).toBe(-10);
      expect(a.cvd).toBe(0);
    });
    it('is warming up with fewer bars than the baseline needs', () => {
      expect(a.warmingUp).toBe(true);
      expect(a.flow, 'never a fabricated classification').toBeNull();
      expect(a.volumeZ).toBeNull();
      expect(a.score, 'an unknown score is null, not 0').toBeNull();
      expect(a.unavailable.some((u) => u.startsWith('warming up: 5 of the')), a.unavailable.join('; ')).toBe(true);
    });
  });

  it('computes OBV with trading-signals from the second bar', () => {
    const closes = [10, 11, 11, 10.5, 12];
    const a = analyze(closes.map((close, i) => bar(i, { close, volume: 10 * (i + 1) })));
    expect(a.series.map((b) => b.obv), '+20 (up), +0 (flat), −40 (down), +50 (up)').toEqual([null, 20, 20, -20, 30]);
  });

  describe('volume spikes', () => {
    // Baseline: 20 bars alternating 90 / 110 → mean 100, population σ 10.
    const baseline = Array.from({ length: 20 }, (_, i) => bar(i, { close: 100, volume: i % 2 === 0 ? 90 : 110 }));
    it('flags a z-score exactly at spikeZ (inclusive boundary)', () => {
      const a = analyze([...baseline, bar(20, { close: 100, volume: 125, takerBuyVolume: 100 })]);
      expect(a.baselineMean).toBe(100);
      expect(a.baselineStdDev).toBe(10);
      expect(a.volumeZ, '(125 − 100) / 10').toBe(2.5);
      expect(a.spike, 'z = 2.5 reaches spikeZ = 2.5').toBe(true);
      expect(a.spikes.at(-1), 'takers bought 100 of 125: a buy spike').toMatchObject({ volumeZ: 2.5, delta: 75, side: 'BUY' });
    });
    it('does not flag a z-score just below spikeZ', () => {
      const a = analyze([...baseline, bar(20, { close: 100, volume: 124.99 })]);
      expect(a.volumeZ!, 'just under 2.5').toBeLessThan(2.5);
      expect(a.spike).toBe(false);
    });
    it('honours a caller-chosen spikeZ and lookback', () => {
      const a = analyze([...baseline, bar(20, { close: 100, volume: 125 })], { thresholds: { spikeZ: 3 } });
      expect(a.spike, '2.5 < 3').toBe(false);
      const b = analyze([...baseline, bar(20, { close: 100, volume: 125 })], { thresholds: { lookback: 2 } });
      expect(b.volumeZ, 'baseline 90, 110 → (125 − 100) / 10').toBe(2.5);
    });
    it('has no z-score against a flat baseline', () => {
      expect(volumeZScore([5, 5, 5, 9], 3, 3), 'σ = 0').toEqual({ z: null, mean: 5, stdDev: 0 });
    });
  });

  describe('flow classification', () => {
    const rising = Array.from({ length: 30 }, (_, i) => bar(i, { close: 100 + i, high: 100.5 + i, low: 99.5 + i, volume: 10, takerBuyVolume: 8 }));
    const falling = Array.from({ length: 30 }, (_, i) => bar(i, { close: 200 - i, high: 200.5 - i, low: 199.5 - i, volume: 10, takerBuyVolume: 2 }));
    const flat = Array.from({ length: 30 }, (_, i) => bar(i, { close: 100, volume: 10, takerBuyVolume: 5 }));
    it('sees buyers in control when takers buy 80 %, CVD rises and price is above VWAP', () => {
      const a = analyze(rising);
      expect(a.deltaImbalance, '(8 − 2) / 10').toBeCloseTo(0.6, 12);
      expect(a.cvdSlope, 'CVD rises 6 per bar, mean volume 10').toBeCloseTo(0.6, 12);
      expect(a.flow).toBe('BUYERS_IN_CONTROL');
      expect(a.score, 'delta and CVD saturate (0.4 + 0.3) plus the price factor').toBeGreaterThan(70);
      expect(a.factors.map((f) => f.name)).toEqual(['deltaImbalance', 'cvdSlope', 'priceVsVwap']);
      expect(a.factors.reduce((s, f) => s + f.weight, 0), 'weights sum to 1').toBeCloseTo(1, 12);
    });
    it('mirrors to sellers in control', () => {
      const a = analyze(falling);
      expect(a.flow).toBe('SELLERS_IN_CONTROL');
      expect(a.score).toBeLessThan(-70);
    });
    it('is balanced when neither side is aggressive and price is flat', () => {
      const a = analyze(flat);
      expect(a.flow).toBe('BALANCED');
      expect(a.score, 'no imbalance, no slope, σ = 0 → no price factor').toBe(0);
    });
    it('anchors the default VWAP at the latest confirmed swing', () => {
      // A V: down 10 bars to a low at bar 10, then up 10 bars; the low is confirmed 5 bars later.
      const v = Array.from({ length: 21 }, (_, i) => {
        const c = 100 + Math.abs(i - 10);
        return bar(i, { close: c, high: c + 0.5, low: c - 0.5 });
      });
      const anchored = analyze(v).anchored!;
      expect(anchored.source).toBe('SWING_LOW');
      expect(anchored.anchorPrice, 'low of bar 10').toBe(99.5);
      expect(anchored.startTime).toBe(MONDAY + 10 * M5);
      expect(anchored.bars, 'bars 10..20').toBe(11);
    });
  });

  it('keeps the charting series bounded', () => {
    const many = Array.from({ length: 250 }, (_, i) => bar(i, { close: 100 + (i % 7) }));
    const a = analyze(many);
    expect(a.series.length, 'seriesLength default 100').toBe(100);
    expect(a.series.at(-1)!.time).toBe(many.at(-1)!.openTime);
    expect(a.bars).toBe(250);
  });

  it('rejects invalid input quoting the value', () => {
    expect(() => analyze([bar(0, { close: 10, volume: 1, takerBuyVolume: 2 })]), 'taker buys above volume').toThrow(/takerBuyVolume .* got 2/);
    expect(() => analyze([bar(1, { close: 10 }), bar(0, { close: 10 })]), 'order').toThrow(/strictly ascending/);
    expect(() => analyze([], { thresholds: { spikeZ: -1 } })).toThrow(/spikeZ .* got -1/);
    expect(() => analyze([], { thresholds: { lookback: 1.5 } })).toThrow(/lookback .* got 1.5/);
  });

  it('returns nulls without candles', () => {
    const a = analyze([]);
    expect(a).toMatchObject({ warmingUp: true, time: null, close: null, cvd: null, session: null, anchored: null, flow: null, series: [] });
  });
});

// --- Real recorded candles ---

const FUTURES_5M = '../shared/data/binance-futures/klines/BTCUSDT-5m.freqtrade.json';
const SPOT_1H = '../shared/data/binance-spot/klines/2024-02-01_2024-03-15/BTCUSDT-1h.csv';

describe.skipIf(!existsSync(FUTURES_5M))('computeVolumeAnalysis on recorded BTCUSDT 5m futures candles (5 weeks)', () => {
  if (!existsSync(FUTURES_5M)) return;
  // freqtrade rows have no taker column: taker buys are set to half the volume (delta 0) so only VWAP, spikes and OBV are checked.
  const rows = JSON.parse(readFileSync(FUTURES_5M, 'utf8')) as [number, number, number, number, number, number][];
  const candles: VolumeCandle[] = rows.map(([t, o, h, l, c, v]) => ({ openTime: t, closeTime: t + M5 - 1, open: o, high: h, low: l, close: c, volume: v, takerBuyVolume: v / 2 }));

  it('runs over every 1000-bar window with session VWAPs inside the day range and a plausible spike rate', () => {
    let spikes = 0;
    let scored = 0;
    for (let end = 1000; end <= candles.length; end += 500) {
      const window = candles.slice(end - 1000, end);
      const a = analyze(window, { thresholds: { seriesLength: 1000 } });
      expect(a.warmingUp).toBe(false);
      const last = window.at(-1)!;
      const day = window.filter((c) => c.openTime >= a.session!.sessionStart);
      expect(a.session!.vwap, 'VWAP lies within the session range').toBeGreaterThanOrEqual(Math.min(...day.map((c) => c.low)));
      expect(a.session!.vwap).toBeLessThanOrEqual(Math.max(...day.map((c) => c.high)));
      expect(a.session!.lower2).toBeLessThanOrEqual(a.session!.vwap);
      expect(a.anchored!.startTime === null || a.anchored!.startTime <= last.openTime).toBe(true);
      spikes += a.series.filter((b) => b.spike).length;
      scored += a.series.filter((b) => b.volumeZ !== null).length;
    }
    const rate = spikes / scored;
    expect(rate, `spike rate ${rate}: volume is fat-tailed, so above the Gaussian 0.6 % but far from common`).toBeGreaterThan(0.005);
    expect(rate).toBeLessThan(0.1);
  });
});

describe.skipIf(!existsSync(SPOT_1H))('computeVolumeAnalysis on recorded BTCUSDT 1h spot candles with taker buys', () => {
  if (!existsSync(SPOT_1H)) return;
  const lines = readFileSync(SPOT_1H, 'utf8').trim().split('\n').slice(1);
  const candles: VolumeCandle[] = lines.map((line) => {
    const f = line.split(',');
    const openTime = Date.parse(`${f[0]!.replace(' ', 'T')}Z`);
    return { openTime, closeTime: Number(f[6]), open: Number(f[1]), high: Number(f[2]), low: Number(f[3]), close: Number(f[4]), volume: Number(f[5]), takerBuyVolume: Number(f[9]) };
  });

  it('keeps delta within ±volume and CVD equal to the summed deltas over six weeks', () => {
    const a = analyze(candles, { interval: '1h', thresholds: { seriesLength: candles.length } });
    expect(a.bars).toBe(1033);
    for (const b of a.series) expect(Math.abs(b.delta!)).toBeLessThanOrEqual(b.volume * (1 + 1e-12));
    const total = candles.reduce((s, c) => s + 2 * c.takerBuyVolume! - c.volume, 0);
    expect(a.cvd!, 'CVD is the running sum of deltas').toBeCloseTo(total, 6);
    expect(a.flow, 'classified once warmed up').not.toBeNull();
    expect(Math.abs(a.deltaImbalance!), 'taker imbalance over 20 h of BTC stays well inside ±1').toBeLessThan(0.5);
  });
});
