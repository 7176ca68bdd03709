import { describe, expect, it } from 'vitest';
import { computeLiquidationCascades, severityLevel } from '../../src/analyzers/liquidation-cascades.js';
import {
  DEFAULT_CASCADE_OPTIONS,
  type CascadeLiquidation,
  type LiquidationCascadeInput,
} from '../../src/analyzers/liquidation-cascades.types.js';
import { createSeverityChangeDetector } from '../../src/engine/definitions/liquidation-cascades.js';

const H = 3_600_000;
const MIN = 60_000;
const NOW = 1_000 * H;

function liq(side: 'BUY' | 'SELL', notional: number, time: number, price = 100, complete = true): CascadeLiquidation {
  return { side, price, notional, time, complete };
}

function input(overrides: Partial<LiquidationCascadeInput> = {}): LiquidationCascadeInput {
  return { symbol: 'BTCUSDT', liquidations: [], observedSince: NOW - 10 * H, typicalHourlyVolumeUsd: 1_000_000, now: NOW, ...overrides };
}

const factor = (result: ReturnType<typeof computeLiquidationCascades>, name: string) => {
  const f = result.factors.find((x) => x.name === name);
  if (!f) throw new Error(`no factor ${name}`);
  return f;
};

describe('computeLiquidationCascades: velocity', () => {
  it('sums notional over half-open windows and scales it to USD per hour', () => {
    const r = computeLiquidationCascades(
      input({
        liquidations: [
          liq('SELL', 3_000, NOW - 2 * H),
          liq('SELL', 1_000, NOW - H), // exactly at the window start: baseline, not window
          liq('SELL', 6_000, NOW - 30 * MIN),
          liq('BUY', 1_500, NOW - 3 * MIN),
          liq('BUY', 500, NOW),
        ],
      }),
    );
    expect(r.velocityUsdPerHour, '6000 + 1500 + 500 in the last hour').toBe(8_000);
    expect(r.shortVelocityUsdPerHour, '(1500 + 500) per 5 min = 2000 × 12 per hour').toBeCloseTo(24_000, 9);
    expect(r.baselineVelocityUsdPerHour, '(3000 + 1000) over the 9 h observed before the window').toBeCloseTo(4_000 / 9, 9);
    expect(r.baselineRatio, '8000 / (4000 / 9)').toBeCloseTo(18, 9);
    expect(r.volumeShare, '8000 / 1 000 000').toBeCloseTo(0.008, 12);
    expect(r.severity, 'ratio 18 is level 5, share 0.8 % level 3: the lower wins').toBe(3);
    expect(r.level).toBe('CASCADE');
    expect(r.notionalUsd).toBe(8_000);
    expect(r.count).toBe(3);
    expect(r.longNotionalUsd, 'SELL orders close longs').toBe(6_000);
    expect(r.shortNotionalUsd).toBe(2_000);
    expect(r.longShare).toBe(0.75);
    expect(r.dominance).toBe('LONGS_LIQUIDATED');
    expect(r.warmingUp).toBe(false);
    expect(r.lastLiquidationTime).toBe(NOW);
    expect(factor(r, 'acceleration').value, '5 min pace 24000/h is 3× the 1 h pace').toBeCloseTo(3, 9);
    expect(factor(r, 'volumeShare').weight, 'the deciding (lower) measure carries the weight').toBe(1);
    expect(factor(r, 'baselineRatio').weight).toBe(0);
    const sum = r.factors.reduce((s, f) => s + f.contribution, 0);
    expect(1 + 4 * sum, 'severity = 1 + 4 × Σ contributions').toBeCloseTo(3, 12);
  });

  it('ignores events at or before observedSince and counts events stamped after now as now', () => {
    const r = computeLiquidationCascades(
      input({
        observedSince: NOW - 5 * H,
        liquidations: [liq('SELL', 9_999, NOW - 5 * H), liq('SELL', 4_000, NOW - 4 * H), liq('BUY', 700, NOW + 1_500)],
      }),
    );
    expect(r.baselineVelocityUsdPerHour, 'only 4000 over the 4 h baseline').toBe(1_000);
    expect(r.velocityUsdPerHour, 'a venue clock 1.5 s ahead still lands in the window').toBe(700);
    expect(r.shortVelocityUsdPerHour).toBeCloseTo(700 * 12, 9);
    expect(r.lastLiquidationTime).toBe(NOW + 1_500);
  });

  it('reports velocity for a caller-chosen window', () => {
    const r = computeLiquidationCascades(
      input({ liquidations: [liq('SELL', 4_000, NOW - 3 * H), liq('SELL', 2_000, NOW - 10 * MIN)], options: { windowMs: 4 * H } }),
    );
    expect(r.windowMs).toBe(4 * H);
    expect(r.velocityUsdPerHour, '6000 over 4 h').toBe(1_500);
    expect(r.baselineVelocityUsdPerHour, 'nothing in the 6 h before the window').toBe(0);
    expect(r.baselineRatio, 'a zero baseline has no multiple').toBeNull();
    expect(factor(r, 'baselineRatio').note).toContain('no liquidations in the 6 h baseline');
  });
});

describe('computeLiquidationCascades: severity boundaries', () => {
  it('levels each measure by inclusive lower bounds', () => {
    const b = DEFAULT_CASCADE_OPTIONS.baselineRatioBoundaries;
    const cases: [number, number][] = [
      [0, 1],
      [1.999, 1],
      [2, 2],
      [3.999, 2],
      [4, 3],
      [7.999, 3],
      [8, 4],
      [15.999, 4],
      [16, 5],
      [1e9, 5],
    ];
    for (const [value, level] of cases) expect(severityLevel(value, b), `ratio ${value}`).toBe(level);
  });

  it('relative to the baseline alone: ×2, ×4, ×8, ×16, each boundary on both sides', () => {
    // Baseline: 4000 over the 4 h before the window = exactly 1000 per hour; no typical volume.
    const expected: [number, number][] = [
      [1_999, 1],
      [2_000, 2],
      [3_999, 2],
      [4_000, 3],
      [7_999, 3],
      [8_000, 4],
      [15_999, 4],
      [16_000, 5],
    ];
    for (const [windowSum, severity] of expected) {
      const r = computeLiquidationCascades(
        input({
          observedSince: NOW - 5 * H,
          typicalHourlyVolumeUsd: null,
          liquidations: [liq('SELL', 4_000, NOW - 3 * H), liq('SELL', windowSum, NOW - 10 * MIN)],
        }),
      );
      expect(r.baselineRatio, `${windowSum} / 1000`).toBe(windowSum / 1_000);
      expect(r.severity, `velocity ${windowSum}/h against a 1000/h baseline`).toBe(severity);
      expect(factor(r, 'baselineRatio').weight, 'the only measure decides').toBe(1);
      expect(factor(r, 'volumeShare').note).toContain('no typical volume');
    }
  });

  it('relative to typical volume alone: 0.25 %, 0.5 %, 1 %, 2 %, each boundary on both sides', () => {
    // Exactly one window observed: no baseline yet (warming up), typical volume 1 000 000 per hour.
    const expected: [number, number][] = [
      [2_499, 1],
      [2_500, 2],
      [4_999, 2],
      [5_000, 3],
      [9_999, 3],
      [10_000, 4],
      [19_999, 4],
      [20_000, 5],
    ];
    for (const [windowSum, severity] of expected) {
      const r = computeLiquidationCascades(input({ observedSince: NOW - H, liquidations: [liq('BUY', windowSum, NOW - MIN)] }));
      expect(r.warmingUp, 'the 3 h minimum baseline is not observed').toBe(true);
      expect(r.baselineVelocityUsdPerHour).toBeNull();
      expect(r.severity, `share ${windowSum / 1e6}`).toBe(severity);
      expect(factor(r, 'baselineRatio').note).toContain('warming up');
    }
  });

  it('takes the lower of the two levels, splitting the weight on a tie', () => {
    const baseline = [liq('SELL', 4_000, NOW - 3 * H)]; // 1000 per hour over 4 h
    const at = (windowSum: number, volume: number) =>
      computeLiquidationCascades(
        input({ observedSince: NOW - 5 * H, typicalHourlyVolumeUsd: volume, liquidations: [...baseline, liq('SELL', windowSum, NOW - MIN)] }),
      );
    const quietVolume = at(16_000, 1e9);
    expect(quietVolume.severity, 'ratio 16 (level 5) but 0.0016 % of volume (level 1)').toBe(1);
    const quietBaseline = at(2_000, 100_000);
    expect(quietBaseline.severity, 'share 2 % (level 5) but only 2× the baseline (level 2)').toBe(2);
    expect(factor(quietBaseline, 'baselineRatio').weight).toBe(1);
    const tie = at(8_000, 800_000);
    expect(tie.severity, 'ratio 8 and share 1 % are both level 4').toBe(4);
    expect(factor(tie, 'baselineRatio').weight).toBe(0.5);
    expect(factor(tie, 'volumeShare').weight).toBe(0.5);
    expect(tie.level).toBe('SEVERE');
  });

  it('says nothing it cannot know: null velocity and severity until the window is observed', () => {
    const r = computeLiquidationCascades(input({ observedSince: NOW - 30 * MIN, liquidations: [liq('SELL', 50_000, NOW - MIN)] }));
    expect(r.warmingUp).toBe(true);
    expect(r.velocityUsdPerHour).toBeNull();
    expect(r.volumeShare).toBeNull();
    expect(r.severity).toBeNull();
    expect(r.level).toBeNull();
    expect(r.shortVelocityUsdPerHour, 'the 5 min window is observed').toBeCloseTo(600_000, 6);
    expect(r.notionalUsd, 'what was seen is still reported').toBe(50_000);
    expect(factor(r, 'baselineRatio').note).toContain('window not fully observed yet (30 min of 1 h)');
    expect(r.factors.every((f) => f.weight === 0 && f.contribution === 0)).toBe(true);
  });

  it('calls a fully observed window without liquidations calm even without references, but not a burst', () => {
    const calm = computeLiquidationCascades(input({ observedSince: NOW - H, typicalHourlyVolumeUsd: null, liquidations: [liq('SELL', 10, NOW - 2 * H)] }));
    expect(calm.velocityUsdPerHour).toBe(0);
    expect(calm.severity).toBe(1);
    const burst = computeLiquidationCascades(input({ observedSince: NOW - H, typicalHourlyVolumeUsd: null, liquidations: [liq('SELL', 10, NOW - MIN)] }));
    expect(burst.severity, 'no baseline and no volume: nothing to judge 10/h against').toBeNull();
  });
});

describe('computeLiquidationCascades: dominance', () => {
  const at = (longNotional: number, shortNotional: number) =>
    computeLiquidationCascades(
      input({ liquidations: [liq('SELL', longNotional, NOW - 20 * MIN), liq('BUY', shortNotional, NOW - 10 * MIN)].filter((l) => l.notional > 0) }),
    );

  it('is LONGS_LIQUIDATED from 60 % longs, SHORTS_LIQUIDATED from 60 % shorts, BALANCED between', () => {
    expect(at(600, 400).dominance, 'exactly 60 % longs').toBe('LONGS_LIQUIDATED');
    expect(at(599, 401).dominance).toBe('BALANCED');
    expect(at(401, 599).dominance).toBe('BALANCED');
    expect(at(400, 600).dominance, 'exactly 60 % shorts').toBe('SHORTS_LIQUIDATED');
    expect(at(0, 5).dominance).toBe('SHORTS_LIQUIDATED');
    expect(at(600, 400).longShare).toBe(0.6);
    expect(factor(at(400, 600), 'dominance').note).toContain('shorts are being squeezed');
  });

  it('is NONE without liquidations in the window', () => {
    const r = computeLiquidationCascades(input({ liquidations: [liq('SELL', 100, NOW - 2 * H)] }));
    expect(r.dominance).toBe('NONE');
    expect(r.longShare).toBeNull();
    expect(r.count).toBe(0);
  });
});

describe('computeLiquidationCascades: price zones', () => {
  // Listed in time order; prices are clustered independently of time.
  const events: CascadeLiquidation[] = [
    liq('SELL', 9_000, NOW - 25 * H, 100.1), // outside the 24 h lookback
    liq('SELL', 500, NOW - 20 * H, 105.0), // zone C: 105.0 … 106.0, 0.19 % steps
    liq('SELL', 500, NOW - 20 * H + 1, 105.2),
    liq('SELL', 500, NOW - 20 * H + 2, 105.4),
    liq('SELL', 500, NOW - 20 * H + 3, 105.6),
    liq('SELL', 500, NOW - 20 * H + 4, 105.8),
    liq('SELL', 500, NOW - 20 * H + 5, 106.0),
    liq('SELL', 100, NOW - 20 * H + 6, 106.2), // gap 0.19 %, but 1.14 % above 105.0: new zone D of 1 (dropped)
    liq('BUY', 3_000, NOW - 10 * H, 101.0), // zone B
    liq('BUY', 2_000, NOW - 10 * H + 1, 101.1),
    liq('BUY', 1_000, NOW - 10 * H + 2, 101.2),
    liq('SELL', 400, NOW - 9 * H, 90), // zone E: only 2 liquidations (dropped)
    liq('SELL', 400, NOW - 9 * H + 1, 90.1),
    liq('BUY', 10, NOW - 8 * H, 120), // zone F: 30 of 12 930 = 0.2 % of the notional (dropped)
    liq('BUY', 10, NOW - 8 * H + 1, 120),
    liq('BUY', 10, NOW - 8 * H + 2, 120),
    liq('SELL', 1_000, NOW - 2 * H, 100.0), // zone A: 100.0 … 100.2, gaps 0.1 %, newest
    liq('SELL', 1_000, NOW - 2 * H + 1, 100.1),
    liq('SELL', 1_000, NOW - 2 * H + 2, 100.2),
  ];

  it('cuts at gaps above 0.2 % and widths above 1 %, keeps zones of ≥ 3 events and ≥ 5 % of the notional', () => {
    const r = computeLiquidationCascades(input({ observedSince: NOW - 30 * H, liquidations: events }));
    expect(r.zones.map((z) => [z.low, z.high, z.count]), 'B (6000) first, then A and C (3000 each, A newer)').toEqual([
      [101.0, 101.2, 3],
      [100.0, 100.2, 3],
      [105.0, 106.0, 6],
    ]);
    const [b, a, c] = r.zones;
    expect(b!.notionalUsd).toBe(6_000);
    expect(b!.vwap, '(101.0×3000 + 101.1×2000 + 101.2×1000) / 6000').toBeCloseTo(606_400 / 6_000, 9);
    expect(b!.shortNotionalUsd).toBe(6_000);
    expect(b!.longNotionalUsd).toBe(0);
    expect(b!.firstTime).toBe(NOW - 10 * H);
    expect(b!.lastTime).toBe(NOW - 10 * H + 2);
    expect(a!.vwap, 'equal notionals: the mean price').toBeCloseTo(100.1, 9);
    expect(a!.notionalUsd, 'the 25 h old 9000 at 100.1 is outside the lookback').toBe(3_000);
    expect(c!.longNotionalUsd).toBe(3_000);
  });

  it('reports at most maxZones and none without liquidations', () => {
    const r = computeLiquidationCascades(input({ observedSince: NOW - 30 * H, liquidations: events, options: { maxZones: 1 } }));
    expect(r.zones.map((z) => z.low)).toEqual([101.0]);
    expect(computeLiquidationCascades(input()).zones).toEqual([]);
  });
});

describe('computeLiquidationCascades: feed completeness', () => {
  it('is COMPLETE when every observed liquidation is', () => {
    const r = computeLiquidationCascades(input({ liquidations: [liq('SELL', 5_000, NOW - MIN)] }));
    expect(r.feed).toBe('COMPLETE');
    expect(factor(r, 'feed').value).toBe(1);
    expect(factor(r, 'feed').note).toContain('complete feed');
    expect(factor(r, 'volumeShare').note).not.toContain('lower bound');
  });

  it('is SAMPLED when any one is not, and the notes call the velocity a lower bound', () => {
    const r = computeLiquidationCascades(input({ liquidations: [liq('SELL', 5_000, NOW - 2 * H), liq('SELL', 5_000, NOW - MIN, 100, false)] }));
    expect(r.feed).toBe('SAMPLED');
    expect(factor(r, 'feed').value).toBe(0);
    expect(factor(r, 'feed').note).toContain('velocities and notionals are lower bounds');
    expect(factor(r, 'volumeShare').note).toContain('sampled feed, so a lower bound');
    expect(r.velocityUsdPerHour, 'the number itself is what was seen').toBe(5_000);
  });

  it('is UNKNOWN before the first observed liquidation', () => {
    const r = computeLiquidationCascades(input({ liquidations: [liq('SELL', 5_000, NOW - 11 * H)] }));
    expect(r.feed).toBe('UNKNOWN');
    expect(r.lastLiquidationTime).toBeNull();
  });
});

describe('computeLiquidationCascades: preconditions', () => {
  it.each([
    [{ liquidations: [liq('SELL', 1, NOW - MIN), liq('SELL', 1, NOW - 2 * MIN)] }, `liquidations[1].time ${NOW - 2 * MIN} < liquidations[0].time ${NOW - MIN}`],
    [{ liquidations: [liq('SELL', -5, NOW)] }, 'liquidations[0].notional must be a finite number >= 0, got -5'],
    [{ liquidations: [liq('SELL', 5, NOW, 0)] }, 'liquidations[0].price must be a finite number > 0, got 0'],
    [{ liquidations: [{ ...liq('SELL', 5, NOW), side: 'LONG' as 'BUY' }] }, 'liquidations[0].side must be "BUY" or "SELL", got "LONG"'],
    [{ observedSince: NOW + 1 }, `observedSince ${NOW + 1} must not be after now ${NOW}`],
    [{ now: Number.NaN }, 'now must be a finite epoch ms'],
    [{ typicalHourlyVolumeUsd: 0 }, 'typicalHourlyVolumeUsd must be null or a finite number > 0, got 0'],
    [{ options: { shortWindowMs: 2 * H } }, `options.shortWindowMs must be <= windowMs 3600000, got ${2 * H}`],
    [{ options: { baselineRatioBoundaries: [2, 8, 4, 16] as const } }, 'options.baselineRatioBoundaries must be four finite numbers > 0 in strictly ascending order, got [2,8,4,16]'],
    [{ options: { dominanceShare: 0.5 } }, 'options.dominanceShare must be in (0.5, 1], got 0.5'],
    [{ options: { windowMs: 0 } }, 'options.windowMs must be a finite number of ms > 0, got 0'],
  ] as [Partial<LiquidationCascadeInput>, string][])('throws quoting the offending value (%#)', (overrides, message) => {
    expect(() => computeLiquidationCascades(input(overrides))).toThrow(message);
  });

  it('keeps defaults for options passed as undefined', () => {
    const r = computeLiquidationCascades(input({ options: { windowMs: undefined } }));
    expect(r.windowMs).toBe(H);
  });
});

describe('createSeverityChangeDetector', () => {
  it('reports a change only when the severity differs from the last known one, per symbol', () => {
    const changed = createSeverityChangeDetector();
    expect(changed('BTCUSDT', 1), 'a calm start is not news').toBe(false);
    expect(changed('BTCUSDT', 1)).toBe(false);
    expect(changed('BTCUSDT', 3)).toBe(true);
    expect(changed('BTCUSDT', null), 'nothing to judge: no change').toBe(false);
    expect(changed('BTCUSDT', 3), 'compared with the last known severity, not the null').toBe(false);
    expect(changed('BTCUSDT', 2), 'falling severity is a change too').toBe(true);
    expect(changed('ETHUSDT', 4), 'a first severity above calm is announced').toBe(true);
    expect(changed('ETHUSDT', 4)).toBe(false);
  });
});
