import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionsFlowDocument, OptionsFlowUpdatedDocument, type OptionsFlowQuery, type OptionsFlowUpdatedSubscription } from '../../generated/graphql/graphql.js';
import { uniqueName, waitFor, SHARED_REDIS_URL, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';
import { run, collectEvents, wsClient } from '../support/ws.js';

const collect = <T>(client: Client, query: string, variables: Record<string, unknown>, count: number, timeoutMs = 45_000) => collectEvents<T>(client, query, variables, count, timeoutMs);

describe('options flow end to end (simulated market)', () => {
  let app: IsolatedTestApp;
  let btc: NonNullable<OptionsFlowQuery['optionsFlow']>;

  beforeAll(async () => {
    app = await startIsolatedTestApp({ REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('t')}:` });
    const res = await waitFor(async () => {
      const r = await run(app, OptionsFlowDocument, {});
      return r.data ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    btc = res.data!.optionsFlow!;
  });
  afterAll(() => app?.teardown());

  it('serves the BTC chain by default: put/call, max pain, term structure, skew and GEX', () => {
    expect(btc.currency).toBe('BTC');
    expect(btc.meta.source, 'simulated data is never LIVE').toBe('SIMULATED');
    expect(btc.meta.methodologyVersion).toBe('options-flow/1.0.0');
    expect(btc.warmingUp).toBe(false);
    expect(btc.spot).toBeGreaterThan(0);
    const pc = btc.putCall;
    expect(pc.openInterestRatio!, 'put OI / call OI').toBeCloseTo(pc.putOpenInterest / pc.callOpenInterest, 9);
    expect(pc.volumeRatio!, 'put volume / call volume').toBeCloseTo(pc.putVolume / pc.callVolume, 9);
    expect(btc.expiries.length, 'dailies, weeklies, monthlies and quarterlies').toBeGreaterThanOrEqual(5);
    const days = btc.expiries.map((e) => e.daysToExpiry);
    expect(days, 'soonest first').toEqual([...days].sort((a, b) => a - b));
    for (const e of btc.expiries) {
      expect(e.maxPain, 'every simulated expiry has open interest').not.toBeNull();
      expect(Math.abs(e.maxPainDistancePct!), 'max pain within 50 % of spot').toBeLessThan(50);
      expect(e.atmIv!, 'simulated ATM IV in percent').toBeGreaterThan(5);
      expect(e.atmIv!).toBeLessThan(300);
      if (e.riskReversal25 !== null) expect(e.riskReversal25).toBeCloseTo(e.iv25Call! - e.iv25Put!, 9);
    }
    expect(btc.expiries.some((e) => e.riskReversal25 !== null), '±3 SD strikes bracket 25 delta').toBe(true);
    expect(btc.termStructure.shape).toMatch(/^(CONTANGO|BACKWARDATION|FLAT)$/);
    expect(btc.termStructure.slope!).toBeCloseTo(btc.termStructure.backAtmIv! - btc.termStructure.frontAtmIv!, 9);

    const g = btc.gex;
    expect(g.dealerPositioning, 'default convention').toBe('LONG_CALLS_SHORT_PUTS');
    expect(g.greeksComputed, 'simulated quotes carry IVs').toBeGreaterThan(0);
    expect(Math.abs(g.totalUsd)).toBeLessThanOrEqual(g.grossUsd);
    expect(g.totalUsd, 'Σ per-expiry GEX = total').toBeCloseTo(btc.expiries.reduce((s, e) => s + e.gexUsd, 0), 0);
    expect(g.byStrike.length).toBeGreaterThan(0);
    for (const s of g.byStrike) {
      expect(s.callGexUsd, 'dealers long calls: call GEX ≥ 0').toBeGreaterThanOrEqual(0);
      expect(s.putGexUsd, 'dealers short puts: put GEX ≤ 0').toBeLessThanOrEqual(0);
    }
    expect(g.callWall).not.toBeNull();
    expect(g.putWall).not.toBeNull();
    const sq = btc.gammaSqueeze;
    expect(sq.factors.map((f) => f.name)).toEqual(['negativeDealerGamma', 'callWallProximity', 'callFlow']);
    expect(sq.confidence).toBeCloseTo(sq.factors.reduce((s, f) => s + f.contribution, 0), 12);
  });

  it('applies a custom dealer positioning and serves ETH', async () => {
    const res = await run(app, OptionsFlowDocument, { currency: 'eth', dealerPositioning: 'SHORT_CALLS_LONG_PUTS' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const eth = res.data!.optionsFlow!;
    expect(eth.currency, 'currency normalised to upper case').toBe('ETH');
    expect(eth.gex.dealerPositioning).toBe('SHORT_CALLS_LONG_PUTS');
    for (const s of eth.gex.byStrike) {
      expect(s.callGexUsd).toBeLessThanOrEqual(0);
      expect(s.putGexUsd).toBeGreaterThanOrEqual(0);
    }
    const def = (await run(app, OptionsFlowDocument, { currency: 'ETH' })).data!.optionsFlow!;
    if (def.time === eth.time) expect(eth.gex.totalUsd, 'the mirror convention flips the sign').toBeCloseTo(-def.gex.totalUsd, 3);
  });

  it('rejects an unknown currency with BAD_USER_INPUT naming the known ones', async () => {
    const res = await run(app, OptionsFlowDocument, { currency: 'DOGE' });
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toContain('Known option currencies: BTC, ETH');
  });

  it('streams the typed optionsFlowUpdated subscription over graphql-ws', async () => {
    const client = wsClient(app);
    try {
      const [event] = await collect<OptionsFlowUpdatedSubscription>(client, print(OptionsFlowUpdatedDocument), { currency: 'btc' }, 1);
      const u = event!.optionsFlowUpdated;
      expect(u.currency).toBe('BTC');
      expect(u.meta.source).toBe('SIMULATED');
      expect(u.meta.methodologyVersion).toBe('options-flow/1.0.0');
      expect(u.spot).toBeGreaterThan(0);
    } finally {
      await client.dispose();
    }
  }, 60_000);
});
