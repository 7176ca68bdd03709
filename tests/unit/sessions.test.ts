import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { activeSessionsAt, computeSessionsAnalysis, sessionPhaseOf } from '../../src/analyzers/sessions.js';
import type { SessionCandle, SessionsInput } from '../../src/analyzers/sessions.types.js';

const H = 3_600_000;
const DAY = 86_400_000;
const D0 = Date.UTC(2025, 9, 1); // today 00:00 UTC

/** Hourly bar i (hours since yesterday 00:00): open 100 + i, high open + 2, low open − 1, close open + 1. */
function bar(i: number): SessionCandle {
  const open = 100 + i;
  return { openTime: D0 - DAY + i * H, open, high: open + 2, low: open - 1, close: open + 1, volume: 10, quoteVolume: 1_000 * (i + 1) };
}
/** Hourly bars from yesterday 00:00 up to and including the one containing `now`. */
function barsUntil(now: number): SessionCandle[] {
  const out: SessionCandle[] = [];
  for (let i = 0; D0 - DAY + i * H <= now; i += 1) out.push(bar(i));
  return out;
}

function input(now: number, overrides: Partial<SessionsInput> = {}): SessionsInput {
  return { symbol: 'BTCUSDT', now, candles: barsUntil(now), intervalMs: H, nextFundingTime: null, ...overrides };
}

describe('session phases', () => {
  it('names the phase from the fixed UTC hours, overlaps included, closes exclusive', () => {
    const at = (h: number, m = 0) => sessionPhaseOf(activeSessionsAt(D0 + h * H + m * 60_000));
    expect(at(3), '00-07: Asia only').toBe('ASIA');
    expect(at(7), 'London opens at 07:00 while Asia trades until 09:00').toBe('ASIA_LONDON_OVERLAP');
    expect(at(9), 'Asia closes at 09:00 (exclusive)').toBe('LONDON');
    expect(at(12, 59)).toBe('LONDON');
    expect(at(13), 'New York opens at 13:00').toBe('LONDON_NEW_YORK_OVERLAP');
    expect(at(16), 'London closes at 16:00').toBe('NEW_YORK');
    expect(at(22), 'New York closes at 22:00').toBe('OFF_HOURS');
    expect(at(23, 59)).toBe('OFF_HOURS');
    expect(activeSessionsAt(D0 + 14 * H)).toEqual(['LONDON', 'NEW_YORK']);
  });
});

describe('computeSessionsAnalysis', () => {
  const now = D0 + 14.5 * H; // 14:30 UTC

  it('aggregates each session of today from its bars, the forming one included', () => {
    const s = computeSessionsAnalysis(input(now));
    expect(s.phase).toBe('LONDON_NEW_YORK_OVERLAP');
    expect(s.warmingUp).toBe(false);
    const [asia, london, ny] = s.sessions;
    // Today's bar at hour h is bar(24 + h).
    expect(asia!.status).toBe('CLOSED');
    expect([asia!.open, asia!.high, asia!.low, asia!.close], 'bars 00..08: first open, max high, min low, last close').toEqual([124, 134, 123, 133]);
    expect(asia!.rangePct!).toBeCloseTo(((134 - 123) / 124) * 100, 12);
    expect(asia!.returnPct!).toBeCloseTo(((133 - 124) / 124) * 100, 12);
    expect(asia!.volume, '9 bars × 10').toBe(90);
    expect(asia!.candles).toBe(9);
    expect(london!.status).toBe('OPEN');
    expect([london!.candles, london!.expectedCandles], '07:00..14:00, the 14:00 bar forming').toEqual([8, 8]);
    expect([london!.open, london!.close]).toEqual([131, 139]);
    expect(ny!.status).toBe('OPEN');
    expect([ny!.open, ny!.high, ny!.candles]).toEqual([137, 140, 2]);
  });

  it('compares each session with the same session on past days', () => {
    const s = computeSessionsAnalysis(input(now));
    const asia = s.sessions[0]!;
    expect(asia.sampleDays, 'yesterday is the only complete past day held').toBe(1);
    expect(asia.averageRangePct!, 'yesterday bars 0..8: (10 − (−1)) / 100').toBeCloseTo(((110 - 99) / 100) * 100, 12);
    expect(asia.averageQuoteVolume, 'Σ 1000 × (1..9)').toBe(45_000);
    expect(asia.rangeVsAverage!).toBeCloseTo(asia.rangePct! / asia.averageRangePct!, 12);
    expect(computeSessionsAnalysis(input(now, { lookbackDays: 0 })).sessions[0]!.sampleDays).toBe(0);
  });

  it('times the next session open, the phase change and the next funding', () => {
    const s = computeSessionsAnalysis(input(now));
    expect(s.nextSessionOpen, 'London and New York already opened today: Asia tomorrow').toEqual({ session: 'ASIA', opensAt: D0 + DAY, inMs: 9.5 * H });
    expect(s.phaseEndsAt, 'London closes at 16:00').toBe(D0 + 16 * H);
    expect(s.nextFunding, '8-hourly schedule: 16:00').toEqual({ time: D0 + 16 * H, inMs: 1.5 * H, source: 'SCHEDULE' });
    const announced = computeSessionsAnalysis(input(now, { nextFundingTime: D0 + 15 * H }));
    expect(announced.nextFunding, 'the venue announcement wins').toEqual({ time: D0 + 15 * H, inMs: 0.5 * H, source: 'MARK_PRICE' });
    const passed = computeSessionsAnalysis(input(now, { nextFundingTime: D0 + 8 * H }));
    expect(passed.nextFunding.source, 'an announcement in the past falls back to the schedule').toBe('SCHEDULE');
    const hourly = computeSessionsAnalysis(input(now, { fundingIntervalHours: 1 }));
    expect(hourly.nextFunding.time).toBe(D0 + 15 * H);
    const early = computeSessionsAnalysis(input(D0 + 5 * H));
    expect(early.nextSessionOpen).toEqual({ session: 'LONDON', opensAt: D0 + 7 * H, inMs: 2 * H });
    expect(early.sessions[1]!.status).toBe('UPCOMING');
    expect(early.sessions[1]!.rangePct, 'nothing measured before the open').toBeNull();
  });

  it('quote volume not recorded by the source (freqtrade replay): null with the reason, never a sum of 0s', () => {
    const candles = barsUntil(now).map((c) => ({ ...c, quoteVolume: null }));
    const s = computeSessionsAnalysis(input(now, { candles }));
    const asia = s.sessions[0]!;
    expect(asia.covered, 'prices and base volume are still recorded').toBe(true);
    expect(asia.volume).toBe(90);
    expect(asia.quoteVolume, 'was 0').toBeNull();
    expect(asia.averageQuoteVolume, 'was 0 over the past day').toBeNull();
    expect(asia.note).toMatch(/quote volume not recorded by the source/);
    // One bar of the session without it is enough: a partial sum is no session total.
    const oneMissing = barsUntil(now).map((c, i) => (i === 26 ? { ...c, quoteVolume: null } : c));
    expect(computeSessionsAnalysis(input(now, { candles: oneMissing })).sessions[0]!.quoteVolume).toBeNull();
  });

  it('reports a session without its opening bar as not covered, never a partial range', () => {
    const candles = barsUntil(now).filter((c) => c.openTime >= D0 + 3 * H);
    const s = computeSessionsAnalysis(input(now, { candles }));
    expect(s.warmingUp).toBe(true);
    const asia = s.sessions[0]!;
    expect([asia.covered, asia.rangePct, asia.open]).toEqual([false, null, null]);
    expect(asia.note).toContain('after the open');
    expect(s.sessions[1]!.covered, 'London is fully held').toBe(true);
  });

  it('tolerates the newest two bars not having arrived yet, but not gaps', () => {
    const behind = barsUntil(now).slice(0, -2);
    expect(computeSessionsAnalysis(input(now, { candles: behind })).sessions[1]!.covered, 'feed two bars behind').toBe(true);
    const gap = barsUntil(now).filter((c) => c.openTime !== D0 + 10 * H);
    const s = computeSessionsAnalysis(input(now, { candles: gap }));
    expect(s.sessions[1]!.covered, 'the 10:00 bar is missing inside London').toBe(false);
    expect(s.sessions[1]!.note).toContain('7 of 8 bars');
  });

  it('throws on precondition violations, quoting the value', () => {
    expect(() => computeSessionsAnalysis(input(now, { intervalMs: 4 * H }))).toThrow('intervalMs must be a positive divisor of 1 hour (3600000), got 14400000');
    expect(() => computeSessionsAnalysis(input(now, { lookbackDays: 61 }))).toThrow('lookbackDays must be an integer in 0..60, got 61');
    const reversed = barsUntil(now).reverse();
    expect(() => computeSessionsAnalysis(input(now, { candles: reversed }))).toThrow('candles must be strictly ascending');
  });
});

// --- Real recorded data (read from ../shared/data when present; never copied into the repository) ---

const KLINES = new URL('../../../shared/data/binance-futures/klines/BTCUSDT-5m.freqtrade.json', import.meta.url);

describe.skipIf(!existsSync(KLINES))('real Binance BTCUSDT 5m candles (2025-09-19 → 2025-10-27)', () => {
  it('runs every hour over five weeks with covered sessions and plausible values', () => {
    const rows = JSON.parse(readFileSync(KLINES, 'utf8')) as [number, number, number, number, number, number][];
    // freqtrade rows carry base volume only; quote volume ≈ volume × close.
    const candles: SessionCandle[] = rows.map(([t, o, h, l, c, v]) => ({ openTime: t, open: o, high: h, low: l, close: c, volume: v, quoteVolume: v * c }));
    const closed = { ASIA: [] as number[], LONDON: [] as number[], NEW_YORK: [] as number[] };
    let runs = 0;
    let uncovered = 0;
    let firstIndex = 0;
    const start = Math.ceil(candles[0]!.openTime / DAY) * DAY + DAY; // skip the first partial day
    for (let now = start + 23.5 * H; now < candles.at(-1)!.openTime; now += DAY) {
      for (let h = 0; h < 24; h += 1) {
        const t = now - 23 * H + h * H; // HH:30 of the day
        while (candles[firstIndex]!.openTime < t - 8 * DAY) firstIndex += 1;
        let end = firstIndex;
        while (end < candles.length && candles[end]!.openTime <= t) end += 1;
        const s = computeSessionsAnalysis({ symbol: 'BTCUSDT', now: t, candles: candles.slice(firstIndex, end), intervalMs: 300_000, nextFundingTime: null });
        runs += 1;
        expect(s.nextFunding.inMs).toBeGreaterThan(0);
        expect(s.nextFunding.inMs).toBeLessThanOrEqual(8 * H);
        for (const x of s.sessions) {
          if (x.status === 'UPCOMING') continue;
          if (!x.covered) {
            uncovered += 1;
            continue;
          }
          expect(x.rangePct!, 'a 9-hour BTC range is between 0 and 20 %').toBeGreaterThanOrEqual(0);
          expect(x.rangePct!).toBeLessThan(20);
          expect(Math.abs(x.returnPct!)).toBeLessThanOrEqual(x.rangePct! + 1e-9);
          if (h === 23 && x.status === 'CLOSED') closed[x.session].push(x.quoteVolume!);
        }
      }
    }
    expect(runs).toBeGreaterThan(800);
    expect(uncovered, 'the recording has (almost) no gaps').toBeLessThan(runs * 0.01);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(closed.LONDON), 'London trades more than Asia (well-known session effect)').toBeGreaterThan(median(closed.ASIA));
    expect(median(closed.NEW_YORK), 'New York trades more than Asia').toBeGreaterThan(median(closed.ASIA));
  });
});
