import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPubSub } from 'graphql-yoga';
import { computeEmergency, EMERGENCY_METHODOLOGY_VERSION } from '../../src/analyzers/emergency.js';
import { DEFAULT_EMERGENCY_THRESHOLDS, type EmergencyAnalysis, type EmergencyBar, type EmergencyInput } from '../../src/analyzers/emergency.types.js';
import type { AnalysisRecord } from '../../src/domain/analysis.js';
import { createAnalysisEngine } from '../../src/engine/analysis-engine.js';
import { emergencyDefinition, EMERGENCY_HEARTBEAT_MS } from '../../src/engine/definitions/emergency.js';
import type { DerivedDefinition } from '../../src/engine/definition.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import { createResultCache } from '../../src/engine/result-cache.js';
import type { Topics } from '../../src/pubsub.js';
import { sampleStdDev } from '../../src/math/statistics.js';

const M = 60_000;
const T0 = Date.UTC(2026, 0, 5);

/**
 * `n` 1 m bars whose closes alternate 100 and 100.1 (log returns ±ln 1.001, so σ is known exactly), volume 10,
 * high/low 0.02 around the close; `tail` replaces the last bars.
 */
function calmBars(n: number, tail: Array<Partial<EmergencyBar>> = []): EmergencyBar[] {
  const bars: EmergencyBar[] = [];
  for (let i = 0; i < n; i++) {
    const close = i % 2 === 0 ? 100 : 100.1;
    const openTime = T0 + i * M;
    bars.push({ openTime, closeTime: openTime + M - 1, open: close, high: close + 0.02, low: close - 0.02, close, volume: 10 });
  }
  tail.forEach((patch, k) => Object.assign(bars[n - tail.length + k]!, patch));
  return bars;
}

function input(bars: EmergencyBar[], extra: Partial<EmergencyInput> = {}): EmergencyInput {
  return { symbol: 'BTCUSDT', interval: '1m', intervalMs: M, bars, funding: null, mark: null, staleInputs: [], now: bars.at(-1)!.closeTime + 1, ...extra };
}

const run = (i: EmergencyInput): EmergencyAnalysis => computeEmergency(i)!;

describe('computeEmergency (hand-computed)', () => {
  it('is NORMAL on a calm market, with σ equal to the sample σ of the baseline returns', () => {
    const bars = calmBars(200);
    const a = run(input(bars));
    // Baseline: bars closed at least an hour before the newest bar opened (199 − 60 = bars 0..138 → 138 returns).
    const baselineCloses = bars.filter((b) => b.closeTime <= bars.at(-1)!.openTime - 60 * M).map((b) => b.close);
    const returns = baselineCloses.slice(1).map((c, i) => Math.log(c / baselineCloses[i]!));
    expect(a.baselineBars).toBe(138);
    expect(a.baselineSigma).toBeCloseTo(sampleStdDev(returns), 15);
    expect(a.baselineSigma).toBeCloseTo(Math.log(1.001) * Math.sqrt(138 / 137), 12);
    expect(a.level).toBe('NORMAL');
    expect(a.triggers).toEqual([]);
    expect(a.windows.map((w) => w.windowMinutes)).toEqual([1, 5, 15, 60]);
    expect(a.advice).toEqual(['No emergency condition: ordinary risk management applies.']);
    expect(a.unavailable.map((u) => u.check).sort()).toEqual(['basis', 'funding', 'liquidationConfirmation']);
    expect(a.funding8h).toBeNull();
    expect(a.premium).toBeNull();
  });

  it('reads a confirmed 3 % fall in the last minute as an EMERGENCY flash crash, with z = ln(low/start) / σ', () => {
    // The last bar trades down to 97.1 from the previous close of 100 (bar 198 closes at 100), on 10× volume.
    const bars = calmBars(200, [{ open: 100, high: 100.02, low: 97.1, close: 97.2, volume: 100 }]);
    const a = run(input(bars));
    const sigma = a.baselineSigma!;
    const w1 = a.windows.find((w) => w.windowMinutes === 1)!;
    expect(w1.startPrice).toBe(100);
    expect(w1.drawdown).toBeCloseTo(97.1 / 100 - 1, 12);
    expect(w1.change).toBeCloseTo(97.2 / 100 - 1, 12);
    expect(w1.zScore).toBeCloseTo(Math.log(0.971) / sigma, 9);
    expect(w1.volumeRatio).toBeCloseTo(100 / 10, 12);
    expect(w1.confirmedBy).toEqual(['VOLUME']);
    const w5 = a.windows.find((w) => w.windowMinutes === 5)!;
    // Five bars: four calm ones (10 each) and the crash bar; the start is bar 194's close (100).
    expect(w5.zScore).toBeCloseTo(Math.log(97.1 / 100) / (sigma * Math.sqrt(5)), 9);
    expect(w5.volumeRatio).toBeCloseTo(140 / 50, 12);
    expect(a.level).toBe('EMERGENCY');
    const flash = a.triggers.find((t) => t.type === 'FLASH_CRASH')!;
    expect(flash).toMatchObject({ level: 'EMERGENCY', windowMinutes: 1, threshold: DEFAULT_EMERGENCY_THRESHOLDS.flashEmergencySigma });
    expect(flash.value).toBeCloseTo(w1.zScore!, 12);
    // −2.9 % within 15 minutes is below the 3 % circuit-breaker bound.
    expect(a.triggers.some((t) => t.type === 'CIRCUIT_BREAKER_MOVE')).toBe(false);
    expect(a.triggers[0]!.type, 'most severe first').toBe('FLASH_CRASH');
    expect(a.advice[0]).toMatch(/^Emergency: reduce exposure/);
    expect(a.advice).toContain('Flash crash: long liquidations can chain; market orders fill far from the last price.');
  });

  it('is one level lower when neither volume nor liquidations confirm the move', () => {
    const bars = calmBars(200, [{ open: 100, high: 100.02, low: 97.1, close: 97.2, volume: 10 }]);
    const a = run(input(bars));
    expect(a.windows[0]!.confirmedBy).toEqual([]);
    expect(a.level).toBe('ELEVATED');
    expect(a.triggers.find((t) => t.type === 'FLASH_CRASH')).toMatchObject({ level: 'ELEVATED', threshold: DEFAULT_EMERGENCY_THRESHOLDS.flashEmergencySigma });
  });

  it('takes liquidations of the side the move hurts as confirmation; shorts liquidated in a fall do not count', () => {
    const bars = calmBars(200, [{ open: 100, high: 100.02, low: 97.1, close: 97.2, volume: 10 }]);
    const crashAt = bars.at(-1)!.openTime + 30_000;
    const baselineAt = T0 + 10 * M;
    const longs = run(input(bars, { liquidations: [{ liquidatedSide: 'LONG', notional: 1_000, time: baselineAt }, { liquidatedSide: 'LONG', notional: 500_000, time: crashAt }] }));
    const w1 = longs.windows[0]!;
    expect(w1.liquidatedUsd).toBe(500_000);
    // Baseline: 1 000 USD over the baseline span (bar 0 open to bar 138 close: 139 minutes less 1 ms).
    expect(w1.liquidationRatio).toBeCloseTo(500_000 / (1_000 * (M / (139 * M - 1))), 6);
    expect(w1.confirmedBy).toEqual(['LIQUIDATIONS']);
    expect(longs.level).toBe('EMERGENCY');
    const shorts = run(input(bars, { liquidations: [{ liquidatedSide: 'SHORT', notional: 500_000, time: crashAt }] }));
    expect(shorts.windows[0]!.liquidatedUsd).toBe(0);
    expect(shorts.windows[0]!.confirmedBy).toEqual([]);
    expect(shorts.level).toBe('ELEVATED');
  });

  it('needs the absolute move too: 12 σ that is 0.6 % is not a flash crash', () => {
    // σ = ln(1.0005)·√(138/137): closes alternate 100 and 100.05; a 0.6 % fall on 10× volume is ≈ 12 σ.
    const bars = calmBars(200).map((b, i) => ({ ...b, close: i % 2 === 0 ? 100 : 100.05, high: (i % 2 === 0 ? 100 : 100.05) + 0.01, low: (i % 2 === 0 ? 100 : 100.05) - 0.01 }));
    Object.assign(bars[199]!, { low: 99.4, close: 99.5, volume: 100 });
    const a = run(input(bars));
    expect(Math.abs(a.windows[0]!.zScore!)).toBeGreaterThan(DEFAULT_EMERGENCY_THRESHOLDS.flashEmergencySigma);
    expect(a.triggers.find((t) => t.type === 'FLASH_CRASH')).toBeUndefined();
    expect(a.factors.find((f) => f.name === 'flashCrashSigma')!.contribution).toBe(0);
  });

  it('trips the circuit breaker on 5 % within 15 minutes whatever σ says', () => {
    // A steady slide of 1.1 % a bar over the last 5 bars: −5.4 % from bar 194's close, every bar on 10× volume.
    const tail = [0.989, 0.978, 0.967, 0.956, 0.946].map((f) => ({ open: 100, high: 100, low: 100 * f, close: 100 * f, volume: 100 }));
    const a = run(input(calmBars(200, tail)));
    const breaker = a.triggers.find((t) => t.type === 'CIRCUIT_BREAKER_MOVE' && t.windowMinutes === 15)!;
    expect(breaker.level).toBe('EMERGENCY');
    expect(breaker.value).toBeCloseTo(0.946 - 1, 12);
    expect(breaker.threshold).toBe(0.05);
    expect(a.triggers.find((t) => t.type === 'CIRCUIT_BREAKER_MOVE' && t.windowMinutes === 60)).toMatchObject({ level: 'ELEVATED', threshold: 0.05 });
  });

  it('reports stale data: ELEVATED while overdue, EMERGENCY once silent for haltedAfterMs; whole minutes', () => {
    const bars = calmBars(200);
    const now = bars.at(-1)!.closeTime + 1;
    const overdue = run(input(bars, { now, staleInputs: [{ type: 'trade', interval: null, lastAt: now - 150_000 }] }));
    expect(overdue.level).toBe('ELEVATED');
    expect(overdue.triggers[0]).toMatchObject({ type: 'DATA_STALE', level: 'ELEVATED', value: 2 });
    expect(overdue.advice).toContain('Venue data is stale or halted: do not act on these analyses until the feed resumes.');
    const halted = run(input(bars, { now, staleInputs: [{ type: 'trade', interval: null, lastAt: now - 301_000 }, { type: 'candle', interval: '1m', lastAt: now - 400_000 }] }));
    expect(halted.triggers[0]).toMatchObject({ type: 'DATA_STALE', level: 'EMERGENCY', value: 6, threshold: 5 });
    expect(halted.triggers[0]!.note).toBe('trade, candle 1m overdue, silent for 6 min (≥ 5 min: venue halted or unreachable)');
  });

  it('normalises funding to 8 h and measures the premium of mark over index', () => {
    const a = run(input(calmBars(200), { funding: { rate: 0.0015, intervalHours: 4, predicted: true }, mark: { markPrice: 101, indexPrice: 100, time: T0 } }));
    expect(a.funding8h).toBeCloseTo(0.003, 15);
    expect(a.premium).toBeCloseTo(0.01, 15);
    expect(a.triggers.map((t) => [t.type, t.level])).toEqual([
      ['FUNDING_DISLOCATION', 'EMERGENCY'],
      ['BASIS_DISLOCATION', 'ELEVATED'],
    ]);
    const noIndex = run(input(calmBars(200), { mark: { markPrice: 101, indexPrice: null, time: T0 } }));
    expect(noIndex.premium).toBeNull();
    expect(noIndex.unavailable).toContainEqual({ check: 'basis', reason: 'the source gives no index price' });
  });

  it('says why instead of guessing when the history is short', () => {
    const a = run(input(calmBars(30, [{ low: 90, close: 91, volume: 100 }])));
    expect(a.baselineSigma).toBeNull();
    expect(a.unavailable.find((u) => u.check === 'flash')!.reason).toBe('baseline of 0 1m returns, fewer than 60: σ unknown');
    expect(a.unavailable.find((u) => u.check === 'window60m')!.reason).toBe('30 1m bars, the 60 min window needs 61');
    expect(a.windows.every((w) => w.zScore === null)).toBe(true);
    // The circuit breaker needs no σ: −9.1 % within 15 minutes.
    expect(a.triggers.find((t) => t.type === 'CIRCUIT_BREAKER_MOVE')).toMatchObject({ level: 'EMERGENCY', windowMinutes: 15 });
    expect(computeEmergency({ ...input(calmBars(1)), bars: [] })).toBeNull();
  });

  it('weights its factors 1/n and is a pure function', () => {
    const i = input(calmBars(200, [{ low: 97.1, close: 97.2, volume: 100 }]), { funding: { rate: 0.0001, intervalHours: 8, predicted: false } });
    const a = run(i);
    expect(a.factors.reduce((s, f) => s + f.weight, 0)).toBeCloseTo(1, 12);
    expect(a.factors.find((f) => f.name === 'flashCrashSigma')!.contribution).toBeCloseTo(1 / a.factors.length, 12);
    expect(a.factors.find((f) => f.name === 'funding8h')!.contribution).toBe(0);
    expect(run(i)).toEqual(a);
    expect(EMERGENCY_METHODOLOGY_VERSION).toMatch(/^emergency\/\d+\.\d+\.\d+$/);
  });
});

const KLINES = ['../shared/data', '/work/shared/data'].map((d) => `${d}/binance-futures/klines`).find((d) => existsSync(`${d}/BTCUSDT-5m.freqtrade.json`));

function recorded(file: string): EmergencyBar[] {
  const rows = JSON.parse(readFileSync(`${KLINES}/${file}`, 'utf8')) as number[][];
  return rows.map((r) => ({ openTime: r[0]!, closeTime: r[0]! + 300_000 - 1, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! }));
}

describe.skipIf(!KLINES)('the 2025-10-10 crash on the recorded Binance 5 m candles', () => {
  const at = (bars: EmergencyBar[], iso: string) => {
    const end = bars.findIndex((b) => b.openTime === Date.parse(iso));
    const window = bars.slice(end - 300, end + 1);
    return run({ symbol: 'BTCUSDT', interval: '5m', intervalMs: 300_000, bars: window, funding: null, mark: null, staleInputs: [], now: window.at(-1)!.closeTime + 1 });
  };

  it('is an EMERGENCY in the crash bar (BTC −4.7 % in 5 min) and NORMAL all through a calm day', () => {
    const btc = recorded('BTCUSDT-5m.freqtrade.json');
    const crash = at(btc, '2025-10-10T21:10:00Z');
    expect(crash.level).toBe('EMERGENCY');
    const flash = crash.triggers.find((t) => t.type === 'FLASH_CRASH')!;
    expect(flash.level).toBe('EMERGENCY');
    expect(flash.value).toBeLessThan(-20);
    expect(crash.windows.find((w) => w.windowMinutes === 5)!.confirmedBy).toContain('VOLUME');
    expect(crash.unavailable.map((u) => u.check)).toContain('liquidationConfirmation');
    // 2025-09-27: BTC traded in a 0.6 % range all day.
    const calmDay = btc.filter((b) => b.openTime >= Date.UTC(2025, 8, 27) && b.openTime < Date.UTC(2025, 8, 28));
    expect(calmDay).toHaveLength(288);
    for (const bar of calmDay) expect(at(btc, new Date(bar.openTime).toISOString()).level, new Date(bar.openTime).toISOString()).toBe('NORMAL');
  });

  it('is EMERGENCY for ETH too, and back to NORMAL two hours after the crash ended', () => {
    const eth = recorded('ETHUSDT-5m.freqtrade.json');
    expect(at(eth, '2025-10-10T21:15:00Z').level).toBe('EMERGENCY');
    expect(at(eth, '2025-10-11T00:30:00Z').level).toBe('NORMAL');
  });
});

describe('EMERGENCY in the engine (heartbeat, staleness)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0 + 200 * M);
  });
  afterEach(() => vi.useRealTimers());

  it('notices a feed that stopped: the heartbeat re-runs it with no store change, DATA_STALE ELEVATED then EMERGENCY', async () => {
    const store = createMarketStore(['BTCUSDT']);
    const pubsub = createPubSub<Topics>();
    const engine = createAnalysisEngine({
      store,
      definitions: [],
      derivedDefinitions: [emergencyDefinition as DerivedDefinition],
      settings: { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 },
      cache: createResultCache(),
      pubsub,
      snapshots: { enqueue: () => {} },
      origin: 'SIMULATED',
      venue: 'simulated',
      minIntervalMs: 1_000,
      snapshotEveryMs: 10_000,
      staleAfterMs: 30_000,
      now: () => Date.now(),
    });
    const published: AnalysisRecord<EmergencyAnalysis>[] = [];
    void (async () => {
      for await (const record of pubsub.subscribe('analysis:updated', 'EMERGENCY:BTCUSDT')) published.push(record as AnalysisRecord<EmergencyAnalysis>);
    })();
    // 200 closed 1 m bars up to now, the last closing at T0 + 200 min − 1.
    for (const bar of calmBars(200)) store.apply({ type: 'candle', candle: { symbol: 'BTCUSDT', interval: '1m', ...bar, quoteVolume: null, takerBuyVolume: null, trades: null, closed: true } });
    engine.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(published.at(-1)!.result).toMatchObject({ level: 'NORMAL', interval: '1m', staleInputs: [] });
    // No more data: the next 1 m bar is due at +1 min, overdue after the 30 s grace; halted after 5 min of silence.
    await vi.advanceTimersByTimeAsync(2 * M);
    const stale = published.at(-1)!.result;
    expect(stale.level).toBe('ELEVATED');
    expect(stale.triggers[0]).toMatchObject({ type: 'DATA_STALE', level: 'ELEVATED' });
    expect(stale.staleInputs).toEqual([{ type: 'candle', interval: '1m', lastAt: T0 + 200 * M - 1 }]);
    await vi.advanceTimersByTimeAsync(4 * M);
    expect(published.at(-1)!.result.triggers[0]).toMatchObject({ type: 'DATA_STALE', level: 'EMERGENCY', value: 6 });
    const count = published.length;
    // Whole minutes: heartbeats within the same minute republish nothing.
    await vi.advanceTimersByTimeAsync(EMERGENCY_HEARTBEAT_MS * 2);
    expect(published.length - count).toBeLessThanOrEqual(1);
    engine.stop();
  });
});
