import { print, type DocumentNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionsFlowDocument, OptionsFlowUpdatedDocument, type OptionsFlowQuery, type OptionsFlowUpdatedSubscription } from '../../src/graphql/graphql.js';
import { gql, isolatedDatabase, startTestApp, tempDir, testEnv, uniqueName, waitFor, SHARED_REDIS_URL, type TestApp } from '../support/harness.js';

type Typed<R, V> = DocumentNode & { __apiType?: (variables: V) => R };
async function run<R, V>(app: TestApp, doc: Typed<R, V>, variables?: V) {
  return gql<R>(app.url, print(doc), variables as Record<string, unknown>);
}

/** Resolves with the first `count` events of one subscription, then unsubscribes. */
function collect<T>(client: Client, query: string, variables: Record<string, unknown>, count: number, timeoutMs = 45_000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const events: T[] = [];
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`only ${events.length}/${count} events within ${timeoutMs} ms`));
    }, timeoutMs);
    const dispose = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) {
            clearTimeout(timer);
            dispose();
            reject(new Error(JSON.stringify(result.errors)));
            return;
          }
          events.push(result.data as T);
          if (events.length === count) {
            clearTimeout(timer);
            dispose();
            resolve(events);
          }
        },
        error: (error) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => {},
      },
    );
  });
}

describe('options flow end to end (simulated market)', () => {
  let app: TestApp;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let btc: OptionsFlowQuery['optionsFlow'];

  beforeAll(async () => {
    dir = await tempDir();
    db = await isolatedDatabase();
    app = await startTestApp(testEnv({ DATA_DIR: dir.path, DATABASE_URL: db.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('t')}:` }));
    const res = await waitFor(async () => {
      const r = await run(app, OptionsFlowDocument, {});
      return r.data ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    btc = res.data!.optionsFlow;
  });
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
    await dir?.remove();
  });

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
    const eth = res.data!.optionsFlow;
    expect(eth.currency, 'currency normalised to upper case').toBe('ETH');
    expect(eth.gex.dealerPositioning).toBe('SHORT_CALLS_LONG_PUTS');
    for (const s of eth.gex.byStrike) {
      expect(s.callGexUsd).toBeLessThanOrEqual(0);
      expect(s.putGexUsd).toBeGreaterThanOrEqual(0);
    }
    const def = (await run(app, OptionsFlowDocument, { currency: 'ETH' })).data!.optionsFlow;
    if (def.time === eth.time) expect(eth.gex.totalUsd, 'the mirror convention flips the sign').toBeCloseTo(-def.gex.totalUsd, 3);
  });

  it('rejects an unknown currency with BAD_USER_INPUT naming the known ones', async () => {
    const res = await run(app, OptionsFlowDocument, { currency: 'DOGE' });
    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toContain('Known option currencies: BTC, ETH');
  });

  it('streams the typed optionsFlowUpdated subscription over graphql-ws', async () => {
    const client = createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
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
