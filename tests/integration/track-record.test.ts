import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfirmationTrackRecordDocument, ScenarioTrackRecordDocument } from '../../generated/graphql/graphql.js';
import { CONFIRMATION_METHODOLOGY_VERSION } from '../../src/analyzers/confirmation.js';
import { SCENARIOS_METHODOLOGY_VERSION } from '../../src/analyzers/scenarios.js';
import type { SnapshotRow } from '../../src/db/snapshot-repository.js';
import type { Candle } from '../../src/domain/market.js';
import { closedCandles } from '../../src/engine/definitions/volume.js';
import { startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { run } from '../support/ws.js';

const H = 3_600_000;
const SYMBOL = 'SOLUSDT';
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The track record on the simulated market: crafted CONFIRMATION and SCENARIOS snapshots are written through
 * the repository at past bars the store holds, then graded over HTTP; every expected value is worked out here
 * from the store's own 1 h candles.
 */
describe('track record end to end (simulated market)', () => {
  let app: IsolatedTestApp;
  let bars: Candle[];
  /** Index of the first crafted bar and how many. */
  let first: number;
  const count = 30;
  let to: number;

  beforeAll(async () => {
    app = await startIsolatedTestApp();
    bars = await waitFor(async () => {
      const data = app.app.services.marketData(SYMBOL);
      const closed = data ? closedCandles(data.market, '1h') : [];
      return closed.length > 60 ? closed : undefined;
    }, 40_000, 200);
    first = bars.length - 45;
    const rows: SnapshotRow[] = [];
    const signals = ['BULLISH', 'BEARISH', 'NEUTRAL'] as const;
    const qualities = ['EXCELLENT', 'GOOD', 'MODERATE', 'POOR'] as const;
    for (let k = first; k < first + count; k++) {
      const asOf = bars[k]!.openTime + 1_000;
      const base = { kind: 'CONFIRMATION', symbol: SYMBOL, methodologyVersion: CONFIRMATION_METHODOLOGY_VERSION, source: 'SIMULATED', venue: 'simulated' };
      rows.push({ ...base, asOf, payload: { interval: '1h', signal: signals[k % 3], quality: qualities[k % 4], score: 50 } });
      // Republished 5 s later in the same bar with another reading: one record per bar keeps the first.
      rows.push({ ...base, asOf: asOf + 5_000, payload: { interval: '1h', signal: 'BULLISH', quality: 'EXCELLENT', score: 90 } });
    }
    rows.push(...scenarioRows());
    await app.app.services.snapshots.insertMany(rows);
    to = bars.at(-1)!.openTime + 10_000;
  }, 60_000);
  afterAll(() => app?.teardown());

  /** Four scenarios at bar s whose outcomes over bars s+1..s+3 follow from the candles, and one still pending. */
  const s = () => first + 2;
  function scenarioRows(): SnapshotRow[] {
    const k = s();
    const window = bars.slice(k + 1, k + 4);
    const fill = bars[k + 1]!;
    const minLow = Math.min(...window.map((b) => b.low));
    const maxHigh = Math.max(...window.map((b) => b.high));
    const long = (kind: string, zoneTop: number, stop: number, target: number, rr: number) => ({
      kind,
      bias: 'LONG',
      entry: { priceMin: zoneTop - 0.01, priceMax: zoneTop, type: 'LIMIT' },
      stopLoss: { price: stop },
      targets: [{ level: 1, price: target, rr }],
      horizonMs: 3 * H,
    });
    const base = { kind: 'SCENARIOS', symbol: SYMBOL, methodologyVersion: SCENARIOS_METHODOLOGY_VERSION, source: 'SIMULATED', venue: 'simulated' };
    return [
      {
        ...base,
        asOf: bars[k]!.openTime + 1_000,
        payload: {
          interval: '1h',
          scenarios: [
            // fills in bar s+1 (its low is the zone top), whose high is the target, stop never reached: TARGET_FIRST
            long('PULLBACK', fill.low, minLow - 1, fill.high, 2),
            // the same fill bar reaches the stop (its low) and the target (its high): the tie rule says STOP_FIRST
            long('BREAKOUT', fill.low, fill.low, fill.high, 1.5),
            // the zone lies under every low of the horizon: NOT_FILLED
            long('REJECTION', minLow - 1, minLow - 2, maxHigh, 1),
            // fills, but neither the stop nor the target trade within the horizon: NEITHER
            long('RANGE_FADE', fill.low, minLow - 1, maxHigh + 1, 3),
          ],
        },
      },
      // republished later in the same bar: one record per bar drops it (it would be a target first)
      { ...base, asOf: bars[k]!.openTime + 2_000, payload: { interval: '1h', scenarios: [long('PULLBACK', fill.low, minLow - 1, fill.high, 5)] } },
      // the next bar, graded over bars s+2..s+4: NEITHER again
      { ...base, asOf: bars[k + 1]!.openTime + 1_000, payload: { interval: '1h', scenarios: [{ ...long('RANGE_FADE', bars[k + 2]!.low, Math.min(...bars.slice(k + 2, k + 5).map((b) => b.low)) - 1, Math.max(...bars.slice(k + 2, k + 5).map((b) => b.high)) + 1, 3), bias: 'LONG' }] } },
      // at the newest closed bar with a day of horizon: PENDING
      { ...base, asOf: bars.at(-1)!.openTime + 1_000, payload: { interval: '1h', scenarios: [long('PULLBACK', 1, 0.5, 2, 2)] } },
    ];
  }

  it('grades one confirmation per bar on the closes of the store, per quality and per signal', async () => {
    const from = bars[first]!.openTime;
    const last = bars[first + count - 1]!.openTime + 10_000;
    const r = await run(app, ConfirmationTrackRecordDocument, { symbol: SYMBOL, from: iso(from), to: iso(last), horizonBars: 3 });
    expect(r.errors).toBeUndefined();
    const tr = r.data!.confirmationTrackRecord!;
    expect(tr.horizonMs).toBe(3 * H);
    expect(tr.sample).toMatchObject({ records: count, graded: count, pending: 0, ungradable: 0 });
    // By hand: the record at bar k saw bar k-1 close; 3 h after asOf (1 s into bar k) the first bar closing is k+3.
    const expected = { hits: 0, n: 0, byQuality: new Map<string, { hits: number; n: number }>(), sumDirectional: 0 };
    for (let k = first; k < first + count; k++) {
      const ret = bars[k + 3]!.close / bars[k - 1]!.close - 1;
      const signal = ['BULLISH', 'BEARISH', 'NEUTRAL'][k % 3]!;
      if (signal === 'NEUTRAL') continue;
      const hit = signal === 'BULLISH' ? ret > 0 : ret < 0;
      expected.n += 1;
      expected.hits += hit ? 1 : 0;
      expected.sumDirectional += signal === 'BULLISH' ? ret : -ret;
      const q = ['EXCELLENT', 'GOOD', 'MODERATE', 'POOR'][k % 4]!;
      const b = expected.byQuality.get(q) ?? { hits: 0, n: 0 };
      b.n += 1;
      b.hits += hit ? 1 : 0;
      expected.byQuality.set(q, b);
    }
    expect(tr.overall.hitRate).toMatchObject({ n: expected.n, hits: expected.hits });
    expect(tr.overall.hitRate.rate).toBeCloseTo(expected.hits / expected.n, 12);
    expect(tr.overall.meanDirectionalReturn).toBeCloseTo(expected.sumDirectional / expected.n, 10);
    for (const g of tr.byQuality) expect(g.hitRate, g.group).toMatchObject(expected.byQuality.get(g.group) ?? { n: 0, hits: 0 });
    expect(tr.bySignal.find((g) => g.group === 'NEUTRAL')!.neutral).toBe(count / 3);
    expect(tr.notes.join(' ')).toMatch(/SIMULATED/);
  });

  it('grades scenarios target first, stop first on a same-bar tie, not filled, neither and pending', async () => {
    const r = await run(app, ScenarioTrackRecordDocument, { symbol: SYMBOL, from: iso(bars[first]!.openTime), to: iso(to) });
    expect(r.errors).toBeUndefined();
    const tr = r.data!.scenarioTrackRecord!;
    // Bars s, s+1 and the newest: three of the four snapshots (one per bar).
    expect(tr.sample).toMatchObject({ records: 3, graded: 5, pending: 1 });
    expect(tr.overall.outcomes).toEqual({ targetFirst: 1, stopFirst: 1, notFilled: 1, neither: 2 });
    expect(tr.overall.filled).toBe(4);
    expect(tr.overall.targetFirstRate).toMatchObject({ n: 4, hits: 1 });
    expect(tr.overall.meanR).toBeCloseTo((2 - 1 + 0 + 0) / 4, 12);
    const kind = Object.fromEntries(tr.byKind.map((g) => [g.group, g]));
    expect(kind.PULLBACK).toMatchObject({ graded: 1, meanR: 2 });
    expect(kind.BREAKOUT!.outcomes.stopFirst).toBe(1);
    expect(kind.REJECTION!.outcomes.notFilled).toBe(1);
    expect(kind.RANGE_FADE).toMatchObject({ graded: 2, meanR: 0, outcomes: { neither: 2 } });
    expect(tr.byBias.find((g) => g.group === 'SHORT')!.graded).toBe(0);
    expect(tr.notes.join(' ')).toMatch(/1 scenarios wait for their horizon/);
  });

  it('says why another interval has no records and refuses bad windows with BAD_USER_INPUT', async () => {
    const h4 = await run(app, ScenarioTrackRecordDocument, { symbol: SYMBOL, interval: 'I4H' });
    expect(h4.data!.scenarioTrackRecord!.sample.records).toBe(0);
    expect(h4.data!.scenarioTrackRecord!.notes[0]).toMatch(/no snapshots for I4H: only the default interval \(I1H\) is snapshotted/);
    const backwards = await run(app, ScenarioTrackRecordDocument, { symbol: SYMBOL, from: iso(to), to: iso(to - H) });
    expect(backwards.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const huge = await run(app, ConfirmationTrackRecordDocument, { symbol: SYMBOL, from: iso(to - 600 * H), to: iso(to) });
    expect(huge.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(huge.errors![0]!.message).toMatch(/at most 500 bars/);
    const horizon = await run(app, ConfirmationTrackRecordDocument, { symbol: SYMBOL, horizonBars: 0 });
    expect(horizon.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('counts the live snapshots of the running engine as pending until their horizon passes', async () => {
    const live = await waitFor(async () => {
      const r = await run(app, ConfirmationTrackRecordDocument, { symbol: 'BTCUSDT' });
      const tr = r.data?.confirmationTrackRecord;
      return tr && tr.sample.records > 0 ? tr : undefined;
    }, 20_000, 200);
    expect(live.sample.pending).toBe(live.sample.records);
    expect(live.overall.graded).toBe(0);
    expect(live.overall.hitRate.rate).toBeNull();
  });
});
