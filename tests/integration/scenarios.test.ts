import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenariosDocument, SnapshotsDocument, type ScenariosQuery } from '../../generated/graphql/graphql.js';
import { liquidationPrice, bracketFor } from '../../src/analyzers/liquidation-heatmap.js';
import { BTCUSDT_BRACKETS } from '../../src/analyzers/liquidation-brackets.js';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { collectEvents, run, wsClient } from '../support/ws.js';

type Set = NonNullable<NonNullable<ScenariosQuery['market']>['scenarios']>;

/** Market.scenarios over real HTTP and graphql-ws on the simulated market, checked against the analyses it reads. */
describe('trade scenarios end to end (simulated market)', () => {
  let app: IsolatedTestApp;
  let set: Set;

  beforeAll(async () => {
    app = await startIsolatedTestApp();
    set = await waitFor(async () => {
      const r = await run(app, ScenariosDocument, { symbol: 'BTCUSDT' });
      return r.data?.market?.scenarios ?? undefined;
    }, 40_000, 200);
  }, 60_000);
  afterAll(() => app?.teardown());

  it('builds two or three scenarios whose stops, entries and targets keep their order', () => {
    expect(set.symbol).toBe('BTCUSDT');
    expect(set.interval).toBe('I1H');
    expect(set.scenarios.length).toBeGreaterThanOrEqual(2);
    expect(set.meta.source).toBe('SIMULATED');
    expect(set.meta.methodologyVersion).toBe('scenarios-1');
    for (const s of set.scenarios) {
      expect(s.targets.length).toBeGreaterThan(0);
      if (s.bias === 'LONG') {
        expect(s.stopLoss.price).toBeLessThan(s.entry.priceMin);
        for (const t of s.targets) expect(t.price).toBeGreaterThan(s.entry.priceMax);
      } else {
        expect(s.stopLoss.price).toBeGreaterThan(s.entry.priceMax);
        for (const t of s.targets) expect(t.price).toBeLessThan(s.entry.priceMin);
      }
      const mid = (s.entry.priceMin + s.entry.priceMax) / 2;
      for (const t of s.targets) expect(t.rr).toBeCloseTo(Math.abs(t.price - mid) / Math.abs(mid - s.stopLoss.price), 4);
      // The liquidation price at maxSafe, recomputed from the Binance BTCUSDT bracket of the 10 000 USDT reference.
      const bracket = bracketFor(BTCUSDT_BRACKETS, 10_000);
      expect(s.leverage.liquidationPrice).toBeCloseTo(liquidationPrice(s.bias, mid, s.leverage.maxSafe, bracket, 10_000), 2);
      if (s.bias === 'LONG') expect(s.leverage.liquidationPrice).toBeLessThan(s.stopLoss.price);
      else expect(s.leverage.liquidationPrice).toBeGreaterThan(s.stopLoss.price);
      expect(s.leverage.recommended).toBe(Math.max(1, Math.floor(s.leverage.maxSafe / 2)));
      expect(s.horizonMs).toBe(24 * 3_600_000);
    }
    const confidences = set.scenarios.map((s) => s.confidence);
    expect(confidences, 'most confident first').toEqual([...confidences].sort((a, b) => b - a));
  });

  it('measures zones and stops in the 1 h ATR of the volatility analysis', async () => {
    const r = await gql<{ market: { volatility: { atr: number } } }>(app.url, '{ market(symbol: "BTCUSDT") { volatility { atr } } }');
    const atr = r.data!.market.volatility.atr;
    // Both are the latest 1 h ATR; they agree unless a bar closed between the two reads.
    expect(Math.abs(set.atr / atr - 1)).toBeLessThan(0.2);
    const breakoutOrFade = set.scenarios.find((s) => s.kind === 'BREAKOUT' || s.kind === 'RANGE_FADE')!;
    // Prices are rounded to 8 significant digits: each zone edge by up to half a unit of the 8th digit.
    const digit = 10 ** (Math.floor(Math.log10(breakoutOrFade.entry.priceMax)) - 7);
    expect(breakoutOrFade.entry.priceMax - breakoutOrFade.entry.priceMin).toBeLessThanOrEqual(0.25 * set.atr + digit);
  });

  it('limits the list by maxScenarios and refuses out-of-range values with BAD_USER_INPUT', async () => {
    const one = await run(app, ScenariosDocument, { symbol: 'BTCUSDT', maxScenarios: 1 });
    expect(one.data!.market!.scenarios!.scenarios).toHaveLength(1);
    const bad = await run(app, ScenariosDocument, { symbol: 'BTCUSDT', maxScenarios: 4 });
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toMatch(/maxScenarios must be at most 3/);
  });

  it('computes another interval on demand', async () => {
    const r = await waitFor(async () => {
      const res = await run(app, ScenariosDocument, { symbol: 'ETHUSDT', interval: 'I4H' });
      return res.data?.market?.scenarios ?? undefined;
    }, 20_000, 200);
    expect(r.interval).toBe('I4H');
    expect(r.scenarios[0]!.horizonMs).toBe(24 * 4 * 3_600_000);
  });

  it('streams the latest set on subscribe and keeps snapshots of kind SCENARIOS', async () => {
    const client = wsClient(app);
    try {
      const events = await collectEvents<{ scenariosUpdated: { symbol: string; scenarios: unknown[] } }>(
        client,
        'subscription { scenariosUpdated(symbol: "btcusdt") { symbol scenarios { name } } }',
        {},
        1,
        10_000,
      );
      expect(events[0]!.scenariosUpdated.symbol).toBe('BTCUSDT');
      expect(events[0]!.scenariosUpdated.scenarios.length).toBeGreaterThanOrEqual(2);
    } finally {
      await client.dispose();
    }
    const snaps = await waitFor(async () => {
      const res = await run(app, SnapshotsDocument, { kind: 'SCENARIOS', symbol: 'BTCUSDT', limit: 1 });
      return res.data?.snapshots?.length ? res.data.snapshots : undefined;
    }, 10_000, 200);
    const payload = snaps[0]!.payload as { scenarios: { bias: string }[]; confirmationScore: number };
    expect(payload.scenarios.length).toBeGreaterThanOrEqual(2);
    expect(payload.confirmationScore).toBeGreaterThanOrEqual(0);
  });
});
