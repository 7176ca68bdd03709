import { existsSync } from 'node:fs';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionsSurfaceDocument, OptionsSurfaceUpdatedDocument, type OptionsSurfaceQuery, type OptionsSurfaceUpdatedSubscription } from '../../generated/graphql/graphql.js';
import type { OptionsSurfaceAnalysis } from '../../src/analyzers/options-surface.types.js';
import { createReplaySource } from '../../src/datasources/replay/replay-source.js';
import { SHARED_REDIS_URL, startIsolatedTestApp, uniqueName, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { collectEvents, run, wsClient } from '../support/ws.js';

type Surface = NonNullable<OptionsSurfaceQuery['optionsSurface']>;
const DAY_MS = 86_400_000;

describe('options surface end to end (simulated market)', () => {
  let app: IsolatedTestApp;
  let btc: Surface;

  beforeAll(async () => {
    app = await startIsolatedTestApp({ REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('t')}:` });
    const res = await waitFor(async () => {
      const r = await run(app, OptionsSurfaceDocument, {});
      return r.data?.optionsSurface ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    btc = res.data!.optionsSurface!;
  }, 60_000);
  afterAll(() => app?.teardown());

  it('serves the BTC surface: SVI fits, delta IVs, term structure, arbitrage report and the volatility index', () => {
    expect(btc.currency).toBe('BTC');
    expect(btc.meta.source, 'simulated data is never LIVE').toBe('SIMULATED');
    expect(btc.meta.methodologyVersion).toBe('options-surface/1.0.0');
    expect(btc.warmingUp).toBe(false);
    const fitted = btc.expiries.filter((e) => e.svi !== null);
    expect(fitted.length, 'the simulated chain has dailies to quarterlies, each with a smile').toBeGreaterThanOrEqual(4);
    for (const e of fitted) {
      // The simulated smile is smooth (a quadratic in standardised moneyness): SVI reproduces it closely.
      expect(e.svi!.rmseVolPts, `${e.expiry}`).toBeLessThan(2);
      expect(e.svi!.b).toBeGreaterThanOrEqual(0);
      expect(Math.abs(e.svi!.rho)).toBeLessThan(1);
      expect(e.atmIv!).toBeGreaterThan(5);
      if (e.riskReversal25 !== null) expect(e.riskReversal25).toBeCloseTo(e.call25!.fittedIv - e.put25!.fittedIv, 9);
      expect(e.strikes.length).toBeGreaterThan(5);
    }
    expect(btc.termStructure.map((t) => t.days)).toEqual([7, 30, 60, 90, 180]);
    expect(btc.termStructure.find((t) => t.days === 30)!.atmIv, 'expiries on both sides of 30 days').not.toBeNull();
    expect(btc.arbitrage.expiriesChecked).toBe(fitted.length);
    const vi = btc.volatilityIndex;
    expect(vi.value, vi.note).not.toBeNull();
    expect(vi.nearTerm!.daysToExpiry).toBeLessThanOrEqual(30);
    expect(vi.nextTerm!.daysToExpiry).toBeGreaterThan(30);
    const total = (t: NonNullable<typeof vi.nearTerm>) => t.timeToExpiry * t.variance;
    const expected = 100 * Math.sqrt((total(vi.nearTerm!) * vi.nearWeight! + total(vi.nextTerm!) * (1 - vi.nearWeight!)) * (365 / 30));
    expect(vi.value!, 'the interpolation of the served terms').toBeCloseTo(expected, 9);
    expect(vi.dvol, 'no DVOL from a simulated market').toBeNull();
    expect(vi.dvolNote).toMatch(/publishes no DVOL/);
    const oi = btc.activityByStrike.reduce((s, a) => s + a.callOpenInterest + a.putOpenInterest, 0);
    expect(oi).toBeCloseTo(btc.expiries.reduce((s, e) => s + e.callOpenInterest + e.putOpenInterest, 0), 6);
  });

  it('reports ATM changes from stored results, serves `at` from them, and refuses a future or unknown `at`', async () => {
    const none = btc.atmChanges.find((c) => c.lag === 'ONE_DAY')!;
    expect(none.pastTime, 'a fresh server stored nothing a day ago').toBeNull();
    expect(none.tenors.every((t) => t.change === null)).toBe(true);
    expect(none.note).toMatch(/no stored OPTIONS_SURFACE result within ±3 h/);
    // A stored result of one day earlier, as the snapshot writer writes one (the analysis result itself): ATM 5 and
    // the index 3 points lower.
    const time = Date.parse(btc.time);
    const record = await app.app.services.latest('OPTIONS_SURFACE', 'BTC');
    const result = record!.result as OptionsSurfaceAnalysis;
    const past: OptionsSurfaceAnalysis = {
      ...result,
      time: time - DAY_MS,
      termStructure: result.termStructure.map((t) => ({ ...t, iv: t.iv === null ? null : t.iv - 5 })),
      volatilityIndex: { ...result.volatilityIndex, value: result.volatilityIndex.value! - 3 },
    };
    await app.app.services.snapshots.insertMany([{ kind: 'OPTIONS_SURFACE', symbol: 'BTC', asOf: time - DAY_MS, methodologyVersion: 'options-surface/1.0.0', source: 'SIMULATED', venue: 'simulated', payload: past }]);
    const at = new Date(time - DAY_MS + 60_000).toISOString();
    const res = await run(app, OptionsSurfaceDocument, { at });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const stored = res.data!.optionsSurface!;
    expect(stored.meta.asOf, 'the newest stored result at or before `at`').toBe(new Date(time - DAY_MS).toISOString());
    expect(stored.time).toBe(new Date(time - DAY_MS).toISOString());
    const live = (await run(app, OptionsSurfaceDocument, {})).data!.optionsSurface!;
    const day = live.atmChanges.find((c) => c.lag === 'ONE_DAY')!;
    // The live chain may have been repriced since: the stored result stays the one within ±3 h of a day earlier.
    expect(day.pastTime).toBe(new Date(time - DAY_MS).toISOString());
    for (const t of day.tenors) {
      const was = past.termStructure.find((p) => p.days === t.days)!.iv;
      expect(t.pastIv, `${t.days} d stored`).toBe(was);
      if (t.currentIv !== null && was !== null) expect(t.change!, `${t.days} d`).toBeCloseTo(t.currentIv - was, 9);
    }
    if (live.time === btc.time) expect(day.tenors.find((t) => t.days === 30)!.change!, 'same chain: exactly the 5 points taken off').toBeCloseTo(5, 9);
    expect(day.volatilityIndexChange!).toBeCloseTo(live.volatilityIndex.value! - past.volatilityIndex.value!, 9);
    expect(live.atmChanges.find((c) => c.lag === 'ONE_WEEK')!.pastTime, 'nothing a week ago').toBeNull();
    const future = await run(app, OptionsSurfaceDocument, { at: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const before = await run(app, OptionsSurfaceDocument, { at: '2020-01-01T00:00:00Z' });
    expect(before.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(before.errors![0]!.message).toMatch(/No stored OPTIONS_SURFACE for BTC at or before 2020-01-01/);
  });

  it('rejects an unknown currency with BAD_USER_INPUT naming the known ones', async () => {
    const res = await run(app, OptionsSurfaceDocument, { currency: 'DOGE' });
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toContain('Known option currencies: BTC, ETH');
  });

  it('streams optionsSurfaceUpdated over graphql-ws', async () => {
    const client = wsClient(app);
    try {
      const [event] = await collectEvents<OptionsSurfaceUpdatedSubscription>(client, print(OptionsSurfaceUpdatedDocument), { currency: 'eth' }, 1, 45_000);
      const u = event!.optionsSurfaceUpdated;
      expect(u.currency).toBe('ETH');
      expect(u.meta.source).toBe('SIMULATED');
      expect(u.termStructure.length).toBe(5);
    } finally {
      await client.dispose();
    }
  }, 60_000);
});

const DATA = ['../shared/data', '/work/shared/data'].find((d) => existsSync(`${d}/deribit/options-chain-2020-05`));

describe.skipIf(DATA === undefined)('options surface on a replay of the recorded 2020-05-21 Deribit chain', () => {
  if (DATA === undefined) return;
  let app: IsolatedTestApp;
  let s: Surface;

  beforeAll(async () => {
    const START = '2020-05-22T00:00:00Z';
    const source = createReplaySource({ dir: DATA, speed: 1, startAt: Date.parse(START) });
    app = await startIsolatedTestApp({ MARKET_SOURCE: 'replay', REPLAY_DIR: DATA, REPLAY_SPEED: '1', REPLAY_START: START, SYMBOLS: 'BTCUSDT', ROLE: 'all' }, source);
    const res = await waitFor(async () => {
      const r = await run(app, OptionsSurfaceDocument, {});
      return r.data?.optionsSurface?.time === '2020-05-21T23:22:35.277Z' ? r : undefined;
    }, 30_000, 250);
    s = res.data!.optionsSurface!;
  }, 60_000);
  afterAll(() => app?.teardown());

  it('serves the index and fits of the recording, equal to the hand computation (tests/unit/options-surface.test.ts)', () => {
    expect(s.meta.source).toBe('REPLAY');
    // The Python reference of the Cboe method on BTC-options-chain-2020-05-21T2319Z.csv: 102.60866473067543.
    expect(Math.abs(s.volatilityIndex.value! / 102.60866473067543 - 1)).toBeLessThan(1e-6);
    expect(s.volatilityIndex.nearTerm!.expiry).toBe('2020-06-05T08:00:00.000Z');
    expect(s.volatilityIndex.nextTerm!.expiry).toBe('2020-06-26T08:00:00.000Z');
    expect(s.volatilityIndex.nearTerm!.k0).toBe(9000);
    expect(s.volatilityIndex.dvol).toBeNull();
    const rmse = Object.fromEntries(s.expiries.filter((e) => e.svi).map((e) => [e.expiry.slice(0, 10), e.svi!.rmseVolPts]));
    // Measured on the recording (README): 1.04, 1.70, 0.52, 1.28, 0.21, 0.29 vol points.
    expect(Object.keys(rmse)).toEqual(['2020-05-23', '2020-05-29', '2020-06-05', '2020-06-26', '2020-09-25', '2020-12-25']);
    expect(rmse['2020-06-05']!).toBeCloseTo(0.52, 2);
    expect(rmse['2020-09-25']!).toBeCloseTo(0.21, 2);
    expect(s.arbitrage.arbitrageFree).toBe(true);
    expect(s.expiries[0]!.fitNote, 'the expiry 8.6 h out has 5 two-sided quotes').toMatch(/^5 OTM quote\(s\) with a two-sided IV market/);
  });
});
