import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyOpenInterestQuadrant, computeOpenInterestAnalysis, OPEN_INTEREST_METHODOLOGY_VERSION } from '../../src/analyzers/open-interest.js';
import type {
  OpenInterestAnalysis,
  OpenInterestChange,
  OpenInterestHorizon,
  OpenInterestInput,
  OpenInterestObservation,
  PricePoint,
} from '../../src/analyzers/open-interest.types.js';

const T = Date.UTC(2025, 0, 2);
const MIN = 60_000;
const HOUR = 60 * MIN;

const obs = (minutesAgo: number, openInterest: number | null, openInterestValue: number | null = null): OpenInterestObservation => ({
  time: T - minutesAgo * MIN,
  openInterest,
  openInterestValue,
});
const px = (minutesAgo: number, price: number): PricePoint => ({ time: T - minutesAgo * MIN, price });

function analyze(points: OpenInterestObservation[], prices: PricePoint[] = [], overrides: Partial<OpenInterestInput> = {}): OpenInterestAnalysis {
  return computeOpenInterestAnalysis({ symbol: 'BTCUSDT', points, prices, ...overrides });
}
const change = (a: OpenInterestAnalysis, h: OpenInterestHorizon): OpenInterestChange => a.changes.find((c) => c.horizon === h)!;
const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

describe('computeOpenInterestAnalysis', () => {
  it('a value-only source (no contracts) keeps contract changes and the quadrant unknown, measures USD changes', () => {
    // Binance daily openInterestHist keeps sumOpenInterestValue only: 8,336,692,202.36 → 8,969,884,426.81 USD.
    const a = analyze([obs(1440, null, 8_336_692_202.3616), obs(0, null, 8_969_884_426.8117)], [px(1440, 100), px(0, 103)]);
    expect(a.openInterest, 'contracts were not recorded: null, never 0').toBeNull();
    expect(a.openInterestValue).toBe(8_969_884_426.8117);
    const d = change(a, 'H24');
    expect(d.oiChange).toBeNull();
    expect(d.oiChangePct).toBeNull();
    expect(d.quadrant, 'a quadrant needs the contract change').toBeNull();
    expect(d.valueChange).toBeCloseTo(633_192_224.4501, 3);
    expect(d.valueChangePct).toBeCloseTo((8_969_884_426.8117 / 8_336_692_202.3616 - 1) * 100, 9);
    expect(d.note).toMatch(/OI in contracts not reported by the source \(value \+7\.6/);
    expect(a.warmingUp).toBe(true);
    expect(() => analyze([obs(0, null, null)]), 'a point must carry one of the two').toThrow(/neither openInterest nor openInterestValue/);
  });

  it('exposes the methodology version', () => {
    expect(OPEN_INTEREST_METHODOLOGY_VERSION, 'consumers pin results to this version').toBe('open-interest/1.0.0');
  });

  describe('changes per horizon', () => {
    // Observations (minutes before T: contracts, USD) and prices at the same times:
    //   24 h: 800, 40 M, 100 | 4 h: 1000, 50 M, 110 | 1 h: 900, 45 M, 120 | 5 m: 990, null, 118 | T: 1080, 54 M, 123
    const points = [obs(1440, 800, 40e6), obs(240, 1000, 50e6), obs(60, 900, 45e6), obs(5, 990), obs(0, 1080, 54e6)];
    const prices = [px(1440, 100), px(240, 110), px(60, 120), px(5, 118), px(0, 123)];
    const a = analyze(points, prices);

    it('reports the current open interest in contracts and USD', () => {
      expect(a.openInterest, 'latest contracts').toBe(1080);
      expect(a.openInterestValue, 'latest USD value').toBe(54e6);
      expect(a.time, 'T is the latest observation').toBe(T);
      expect(a.price, 'price at T').toBe(123);
      expect(a.changes.map((c) => c.horizon), 'one entry per horizon, shortest first').toEqual(['M5', 'H1', 'H4', 'H24']);
    });

    it('computes absolute and percent changes in contracts and USD', () => {
      expect(change(a, 'M5').oiChange, '1080 − 990').toBe(90);
      expect(change(a, 'M5').oiChangePct, '90 / 990 × 100').toBeCloseTo(9.090909090909, 10);
      expect(change(a, 'M5').valueChange, 'no USD value 5 minutes ago').toBeNull();
      expect(change(a, 'M5').valueChangePct, 'no USD value 5 minutes ago').toBeNull();
      expect(change(a, 'H1').oiChange, '1080 − 900').toBe(180);
      expect(change(a, 'H1').oiChangePct, '180 / 900 × 100').toBeCloseTo(20, 12);
      expect(change(a, 'H1').valueChange, '54 M − 45 M').toBe(9e6);
      expect(change(a, 'H1').valueChangePct, '9 / 45 × 100').toBeCloseTo(20, 12);
      expect(change(a, 'H4').oiChangePct, '80 / 1000 × 100').toBeCloseTo(8, 12);
      expect(change(a, 'H4').valueChange, '54 M − 50 M').toBe(4e6);
      expect(change(a, 'H24').oiChange, '1080 − 800').toBe(280);
      expect(change(a, 'H24').oiChangePct, '280 / 800 × 100').toBeCloseTo(35, 12);
      expect(change(a, 'H24').fromTime, 'measured from the observation 24 h earlier').toBe(T - 24 * HOUR);
    });

    it('measures the price change over the same spans', () => {
      expect(change(a, 'M5').priceChangePct, '(123 − 118) / 118 × 100').toBeCloseTo(4.237288135593, 10);
      expect(change(a, 'H1').priceChangePct, '(123 − 120) / 120 × 100').toBeCloseTo(2.5, 12);
      expect(change(a, 'H4').priceChangePct, '(123 − 110) / 110 × 100').toBeCloseTo(11.818181818182, 10);
      expect(change(a, 'H24').priceChangePct, '(123 − 100) / 100 × 100').toBeCloseTo(23, 12);
      for (const c of a.changes) expect(c.quadrant, `${c.horizon}: price and OI both up`).toBe('NEW_LONGS');
      expect(a.quadrant, 'the 1 h quadrant by default').toBe('NEW_LONGS');
      expect(a.warmingUp, 'the 1 h horizon is measured').toBe(false);
    });
  });

  describe('aligning the start of a horizon', () => {
    it('takes the observation nearest to T − h within ±10 % of h', () => {
      const a = analyze([obs(65, 1000), obs(0, 1010)]);
      expect(change(a, 'H1').fromTime, '5 min from the 1 h target is within the 6 min tolerance').toBe(T - 65 * MIN);
      expect(change(a, 'H1').oiChangePct, '10 / 1000 × 100').toBeCloseTo(1, 12);
    });

    it('says how far history reaches when it does not reach back', () => {
      const a = analyze([obs(50, 1000), obs(0, 1010)]);
      const h1 = change(a, 'H1');
      expect(h1.oiChange, '10 min from the target exceeds 6 min: not a 1 h change').toBeNull();
      expect(h1.fromTime).toBeNull();
      expect(h1.note, 'the reason names the reach of the history').toContain('history reaches back 50 min only');
      expect(change(a, 'H24').note, 'and the tolerance asked for').toContain('within ±2 h 24 min');
      expect(a.warmingUp, 'the quadrant horizon is unmeasured').toBe(true);
      expect(a.quadrant, 'no quadrant without the 1 h change').toBeNull();
      expect(a.score, 'nothing measured, nothing scored').toBe(0);
    });

    it('distinguishes a gap in the history from a short history', () => {
      const a = analyze([obs(120, 1000), obs(30, 1005), obs(0, 1010)]);
      expect(change(a, 'H1').oiChange, 'nearest observations are 60 and 30 min from the target').toBeNull();
      expect(change(a, 'H1').note).toContain('gap in the history');
      const justOut = analyze([obs(67, 1000), obs(0, 1010)]);
      expect(change(justOut, 'H1').oiChange, '7 min from the target exceeds the 6 min tolerance').toBeNull();
      expect(change(justOut, 'H1').note, 'history reaches past the target, but not near it').toContain('no observation within ±6 min');
    });

    it('prefers the earlier observation when two are equally near', () => {
      const a = analyze([obs(63, 1000), obs(57, 2000), obs(0, 1100)]);
      expect(change(a, 'H1').fromTime, '3 min either side: the earlier wins').toBe(T - 63 * MIN);
    });

    it('never measures from the latest observation itself', () => {
      const a = analyze([obs(0, 1000)]);
      expect(a.changes.every((c) => c.oiChange === null), 'one observation has no change').toBe(true);
      expect(change(a, 'M5').note).toContain('only one observation');
      expect(a.price, 'no price path').toBeNull();
    });

    it('leaves the percent change null when open interest was 0, keeping the absolute change', () => {
      const a = analyze([obs(60, 0, 0), obs(0, 50, 5000)]);
      expect(change(a, 'H1').oiChange, '50 − 0').toBe(50);
      expect(change(a, 'H1').oiChangePct, 'no percent change from 0').toBeNull();
      expect(change(a, 'H1').valueChangePct, 'likewise for USD').toBeNull();
    });
  });

  describe('price path', () => {
    it('takes prices within priceToleranceMs (2.5 min) of each end, else leaves the price change null', () => {
      const points = [obs(60, 1000), obs(0, 1100)];
      const near = analyze(points, [px(62, 100), px(1, 101)]);
      expect(change(near, 'H1').priceChangePct, 'prices 2 and 1 min off are accepted: (101 − 100) / 100').toBeCloseTo(1, 12);
      const far = analyze(points, [px(63, 100), px(0, 101)]);
      expect(change(far, 'H1').priceChangePct, 'a price 3 min off the start is too far').toBeNull();
      expect(change(far, 'H1').quadrant, 'no quadrant without the price change').toBeNull();
      expect(change(far, 'H1').note).toContain('no price within 2.5 min');
      expect(far.warmingUp, 'the quadrant horizon lacks its price change').toBe(true);
    });

    it('refuses to measure a span from a single price point', () => {
      const a = analyze([obs(5, 1000), obs(0, 1100)], [px(2.5, 100)]);
      expect(change(a, 'M5').priceChangePct, 'the same point is nearest to both ends').toBeNull();
      expect(change(a, 'M5').note).toContain('too sparse');
    });
  });

  describe('quadrants', () => {
    it('classifies the four quadrants with inclusive flat bands', () => {
      const table: [number, number, string][] = [
        [1, 1, 'NEW_LONGS'],
        [1, -1, 'SHORT_COVERING'],
        [-1, 1, 'NEW_SHORTS'],
        [-1, -1, 'LONG_LIQUIDATION'],
        [0.1, 5, 'FLAT'], // |price| = 0.1 is inside the default ±0.1 % band
        [0.1000001, 5, 'NEW_LONGS'],
        [-0.1, -5, 'FLAT'],
        [5, 0.25, 'FLAT'], // |OI| = 0.25 is inside the default ±0.25 % band
        [5, -0.25, 'FLAT'],
        [5, 0.2500001, 'NEW_LONGS'],
        [-5, -0.2500001, 'LONG_LIQUIDATION'],
        [0, 0, 'FLAT'],
      ];
      for (const [price, oi, quadrant] of table) expect(classifyOpenInterestQuadrant(price, oi), `price ${price} %, OI ${oi} %`).toBe(quadrant);
      expect(classifyOpenInterestQuadrant(0.1, 5, { priceFlatPct: 0.05, oiFlatPct: 0.25 }), 'bands are inputs').toBe('NEW_LONGS');
    });

    it('hits the band boundaries exactly through the analyzer', () => {
      // OI 1000 → 1002.5 = +0.25 % and price 1000 → 1001 = +0.1 %: both exactly on their band edge.
      const points = [obs(60, 1000), obs(0, 1002.5)];
      const prices = [px(60, 1000), px(0, 1001)];
      const a = analyze(points, prices);
      expect(change(a, 'H1').oiChangePct, '2.5 / 1000 × 100').toBe(0.25);
      expect(change(a, 'H1').priceChangePct, '1 / 1000 × 100').toBe(0.1);
      expect(a.quadrant, 'on the edge is flat').toBe('FLAT');
      expect(analyze(points, prices, { thresholds: { priceFlatPct: 0.09, oiFlatPct: 0.24 } }).quadrant, 'narrower bands').toBe('NEW_LONGS');
    });

    it('classifies the quadrant of the chosen horizon', () => {
      // 4 h: price 100 → 110, OI 1000 → 900 (short covering); 1 h: price 112 → 110, OI 800 → 900 (new shorts)
      const points = [obs(240, 1000), obs(60, 800), obs(0, 900)];
      const prices = [px(240, 100), px(60, 112), px(0, 110)];
      expect(analyze(points, prices).quadrant, 'default 1 h').toBe('NEW_SHORTS');
      const h4 = analyze(points, prices, { thresholds: { quadrantHorizon: 'H4' } });
      expect(h4.quadrant, '4 h: price up, OI down').toBe('SHORT_COVERING');
      expect(h4.quadrantHorizon).toBe('H4');
    });
  });

  describe('divergences', () => {
    const falling = [obs(60, 1000), obs(0, 990)]; // OI −1 %, beyond the −0.25 % band

    it('flags a new price high while open interest falls', () => {
      const a = analyze(falling, [px(60, 100), px(40, 104), px(20, 102), px(0, 105)]);
      expect(a.divergences, 'one divergence').toHaveLength(1);
      const d = a.divergences[0]!;
      expect(d.kind, '105 > every earlier price in the hour, OI −1 %').toBe('PRICE_HIGH_OI_FALLING');
      expect(d.previousExtreme, 'the previous high').toBe(104);
      expect(d.price).toBe(105);
      expect(d.oiChangePct, '−10 / 1000 × 100').toBeCloseTo(-1, 12);
      expect(a.quadrant, 'price +5 %, OI −1 %').toBe('SHORT_COVERING');
    });

    it('flags a new price low while open interest falls', () => {
      const a = analyze(falling, [px(60, 100), px(40, 96), px(20, 98), px(0, 95)]);
      expect(a.divergences.map((d) => d.kind), '95 < 96, OI −1 %').toEqual(['PRICE_LOW_OI_FALLING']);
      expect(a.divergences[0]!.previousExtreme).toBe(96);
      expect(a.quadrant).toBe('LONG_LIQUIDATION');
    });

    it('needs a strictly new extreme and a fall beyond the flat band', () => {
      expect(analyze(falling, [px(60, 100), px(40, 104), px(0, 104)]).divergences, 'equal to the high is not a new high').toEqual([]);
      const slight = [obs(60, 1000), obs(0, 997.5)]; // −0.25 %: inside the band
      expect(analyze(slight, [px(60, 100), px(40, 104), px(0, 105)]).divergences, 'OI −0.25 % is flat').toEqual([]);
      const rising = [obs(60, 1000), obs(0, 1010)];
      expect(analyze(rising, [px(60, 100), px(40, 104), px(0, 105)]).divergences, 'a high on rising OI confirms').toEqual([]);
    });
  });

  describe('score and factors', () => {
    const score = (priceTo: number, oiTo: number, extra: PricePoint[] = []) =>
      analyze([obs(60, 1000), obs(0, oiTo)], [px(60, 100), ...extra, px(0, priceTo)]);

    // priceMove 0.4 × (1 / 2) = 0.2; oiConfirmation 0.4 × (+1 × 2.5 / 5) = 0.2; divergence 0 → 40
    it('scores new longs high and new shorts low', () => {
      const longs = score(101, 1025);
      expect(longs.quadrant).toBe('NEW_LONGS');
      expect(longs.factors.map((f) => f.contribution), 'hand-computed contributions').toEqual([0.2, 0.2, 0]);
      expect(longs.score, '100 × (0.2 + 0.2)').toBe(40);
      const shorts = score(99, 1025);
      expect(shorts.quadrant).toBe('NEW_SHORTS');
      expect(shorts.score, '100 × (−0.2 − 0.2)').toBe(-40);
    });

    // price 100 → 105 (+5 %, clamps to 1 → 0.4); OI −1 % against the rise: 0.4 × (−1 / 5) = −0.08;
    // PRICE_HIGH_OI_FALLING: 0.2 × −1 = −0.2 → 100 × 0.12 = 12
    it('scores short covering near zero and counts the divergence against it', () => {
      const a = score(105, 990, [px(40, 104)]);
      expect(a.quadrant).toBe('SHORT_COVERING');
      expect(a.factors.map((f) => f.name)).toEqual(['priceMove', 'oiConfirmation', 'divergence']);
      expect(a.factors.map((f) => f.weight), 'documented weights').toEqual([0.4, 0.4, 0.2]);
      expect(a.factors[0]!.contribution, '5 % saturates at 2 %').toBe(0.4);
      expect(a.factors[1]!.contribution, '0.4 × −1 / 5').toBeCloseTo(-0.08, 15);
      expect(a.factors[2]!.contribution, 'bearish divergence').toBe(-0.2);
      expect(a.score, '100 × (0.4 − 0.08 − 0.2)').toBe(12);
      expect(a.factors[1]!.note, 'note says OI does not confirm').toContain('does not confirm the rise');
    });

    it('ignores the OI change when price is flat', () => {
      const a = score(100.05, 1100); // price +0.05 %: inside the band
      expect(a.quadrant).toBe('FLAT');
      expect(a.factors[1]!.contribution, 'no direction to confirm').toBe(0);
      expect(a.factors[1]!.note).toContain('no direction to confirm');
      expect(a.score, 'only the tiny price move: 100 × 0.4 × 0.025').toBe(1);
      expect(sum(a.factors.map((f) => f.weight)), 'weights sum to 1').toBeCloseTo(1, 15);
    });
  });

  describe('preconditions', () => {
    it('throws on missing or disordered observations, quoting the value', () => {
      expect(() => analyze([]), 'nothing to analyze').toThrow('computeOpenInterestAnalysis: points must not be empty');
      expect(() => analyze([obs(0, 1), obs(5, 1)]), 'descending').toThrow(`points must be strictly ascending by time, but points[1].time ${T - 5 * MIN} <= ${T}`);
      expect(() => analyze([obs(0, -5)]), 'negative OI').toThrow('points[0].openInterest must be null or a finite number >= 0, got -5');
      expect(() => analyze([obs(0, Number.NaN)]), 'NaN OI').toThrow('got NaN');
      expect(() => analyze([obs(0, 1, -1)]), 'negative value').toThrow('points[0].openInterestValue must be null or a finite number >= 0, got -1');
    });

    it('throws on invalid prices and thresholds, quoting the value', () => {
      expect(() => analyze([obs(0, 1)], [px(0, 0)]), 'zero price').toThrow('prices[0].price must be a finite number > 0, got 0');
      expect(() => analyze([obs(0, 1)], [px(0, 1), px(0, 2)]), 'duplicate price time').toThrow('prices must be strictly ascending');
      expect(() => analyze([obs(0, 1)], [], { thresholds: { alignmentTolerance: 0 } }), 'no tolerance').toThrow(
        'thresholds.alignmentTolerance must be in (0, 1], got 0',
      );
      expect(() => analyze([obs(0, 1)], [], { thresholds: { priceFlatPct: -1 } })).toThrow('thresholds.priceFlatPct must be a finite number >= 0, got -1');
      expect(() => analyze([obs(0, 1)], [], { thresholds: { oiScalePct: 0 } })).toThrow('thresholds.oiScalePct must be a finite number > 0, got 0');
      expect(() => analyze([obs(0, 1)], [], { thresholds: { quadrantHorizon: 'H2' as OpenInterestHorizon } })).toThrow(
        'thresholds.quadrantHorizon must be one of M5, H1, H4, H24, got "H2"',
      );
    });
  });
});

// --- Real recorded data (read from ../shared/data when present; never copied into the repository) ---

const SHARED = new URL('../../../shared/data/', import.meta.url);
const BINANCE_OI = new URL('binance-futures/open-interest/openInterestHist-1d-sumOpenInterestValue-BTCUSDT-ETHUSDT-2025-11-07_2025-12-06.csv', SHARED);
const OKX_DIR = new URL('okx/SOL-USDT-SWAP-1h-2026-06-11_2026-06-26/', SHARED);

function csv(url: URL): Record<string, string>[] {
  const [header, ...lines] = readFileSync(url, 'utf8').trim().split('\n');
  const keys = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i]!, v])));
}

describe.skipIf(!existsSync(BINANCE_OI))('real Binance daily open-interest value (BTCUSDT, ETHUSDT)', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(BINANCE_OI)) return;
  // The file holds only sumOpenInterestValue (USD) per UTC day, no contract count: the USD value stands in
  // for both fields here, so contract and USD changes must agree.
  it.each(['btc_oi_value_usd', 'eth_oi_value_usd'])('maps each day and measures the 24 h change exactly (%s)', (column) => {
    const rows = csv(BINANCE_OI);
    const points = rows.map((r) => ({ time: Date.parse(`${r.date}T00:00:00Z`), openInterest: Number(r[column]), openInterestValue: Number(r[column]) }));
    expect(points, '30 consecutive days').toHaveLength(30);
    for (let i = 1; i < points.length; i++) {
      const a = computeOpenInterestAnalysis({ symbol: 'X', points: points.slice(0, i + 1), prices: [] });
      const before = points[i - 1]!.openInterestValue;
      const now = points[i]!.openInterestValue;
      const h24 = change(a, 'H24');
      expect(a.openInterestValue, `${rows[i]!.date}: value as in the file`).toBe(now);
      expect(h24.fromTime, `${rows[i]!.date}: measured from the day before`).toBe(points[i - 1]!.time);
      expect(h24.valueChange, `${rows[i]!.date}: USD change`).toBe(now - before);
      expect(h24.valueChangePct, `${rows[i]!.date}: USD % change`).toBeCloseTo(((now - before) / before) * 100, 10);
      expect(h24.oiChangePct, 'same series, same change').toBe(h24.valueChangePct);
      expect(h24.priceChangePct, 'no price path given').toBeNull();
      expect(change(a, 'H1').note, 'daily data cannot give an hourly change').toContain('gap in the history');
    }
    const last = computeOpenInterestAnalysis({ symbol: 'X', points, prices: [] });
    // BTC 2025-12-05 → 12-06 and ETH likewise, straight from the file's last two rows.
    const [prev, final] = [Number(rows[28]![column]), Number(rows[29]![column])];
    expect(change(last, 'H24').valueChangePct, 'last day').toBeCloseTo(((final - prev) / prev) * 100, 10);
  });
});

describe.skipIf(!existsSync(new URL('open_interest.csv', OKX_DIR)))('real OKX SOL-USDT-SWAP hourly open interest and candles', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(new URL('open_interest.csv', OKX_DIR))) return;
  it('measures 1 h, 4 h and 24 h changes and quadrants that match an independent computation', () => {
    const oi = csv(new URL('open_interest.csv', OKX_DIR)).map((r) => ({ time: Number(r.ts), openInterest: Number(r.oi), openInterestValue: Number(r.oi_value) }));
    // A 1 h candle opened at ts closes at ts + 1 h: that close is the price at ts + 1 h.
    const candles = csv(new URL('ohlcv_1h.csv', OKX_DIR)).map((r) => ({ time: Number(r.ts) + HOUR, price: Number(r.close) }));
    const closeAt = new Map(candles.map((c) => [c.time, c.price]));
    expect(oi, '360 hourly rows').toHaveLength(360);

    const seen = new Set<string>();
    for (let i = 24; i < oi.length; i++) {
      const a = computeOpenInterestAnalysis({ symbol: 'SOLUSDT', points: oi.slice(0, i + 1), prices: candles.filter((c) => c.time <= oi[i]!.time) });
      for (const [h, back] of [['H1', 1], ['H4', 4], ['H24', 24]] as const) {
        const from = oi[i - back]!;
        const to = oi[i]!;
        const c = change(a, h);
        const oiPct = ((to.openInterest - from.openInterest) / from.openInterest) * 100;
        expect(c.fromTime, `${h} @${i}`).toBe(from.time);
        expect(c.oiChangePct, `${h} @${i}: OI %`).toBeCloseTo(oiPct, 10);
        const p0 = closeAt.get(from.time);
        const p1 = closeAt.get(to.time);
        if (p0 === undefined || p1 === undefined) {
          expect(c.priceChangePct, `${h} @${i}: no candle close at an end`).toBeNull();
          continue;
        }
        const pricePct = ((p1 - p0) / p0) * 100;
        expect(c.priceChangePct, `${h} @${i}: price %`).toBeCloseTo(pricePct, 10);
        const expected =
          Math.abs(pricePct) <= 0.1 || Math.abs(oiPct) <= 0.25
            ? 'FLAT'
            : pricePct > 0
              ? oiPct > 0
                ? 'NEW_LONGS'
                : 'SHORT_COVERING'
              : oiPct > 0
                ? 'NEW_SHORTS'
                : 'LONG_LIQUIDATION';
        expect(c.quadrant, `${h} @${i}: price ${pricePct.toFixed(3)} %, OI ${oiPct.toFixed(3)} %`).toBe(expected);
        seen.add(expected);
      }
      expect(change(a, 'M5').oiChange, 'hourly data has no 5-minute change').toBeNull();
    }
    expect([...seen].sort(), 'two weeks of a real market visit every quadrant').toEqual(['FLAT', 'LONG_LIQUIDATION', 'NEW_LONGS', 'NEW_SHORTS', 'SHORT_COVERING']);
  });
});
