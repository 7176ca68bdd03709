import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeSessionsAt, sessionPhaseOf } from '../../src/analyzers/sessions.js';
import {
  MarketSessionsDocument,
  MarketWhalesDocument,
  MarketWhalesSessionsDocument,
  SessionsUpdatedDocument,
  WhaleTradeDocument,
  type SessionsUpdatedSubscription,
  type WhaleTradeSubscription,
} from '../../generated/graphql/graphql.js';
import { uniqueName, waitFor, SHARED_REDIS_URL, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';
import { run, collectEvents, wsClient } from '../support/ws.js';

const collect = <T>(client: Client, query: string, variables: Record<string, unknown>, count: number, timeoutMs = 15_000) => collectEvents<T>(client, query, variables, count, timeoutMs);

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);

describe('whales and sessions end to end (simulated market)', () => {
  let app: IsolatedTestApp;

  beforeAll(async () => {
    app = await startIsolatedTestApp({ REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('t')}:` });
  });
  afterAll(() => app?.teardown());

  it('serves whale activity with default arguments, honestly warming up after start', async () => {
    const res = await waitFor(async () => {
      const r = await run(app, MarketWhalesSessionsDocument, { symbol: 'BTCUSDT' });
      // Before the first trade the result says "no trades observed yet" (from null); wait for one.
      return r.data?.market.whales?.from ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const w = res.data!.market.whales!;
    expect(w.meta.source, 'simulated data is never LIVE').toBe('SIMULATED');
    expect(w.meta.methodologyVersion).toBe('whales/1.1.0');
    expect([w.window, w.minNotional], 'documented defaults').toEqual(['H1', 100_000]);
    expect(w.warmingUp, 'no trade history before start: a 1 h window cannot be covered yet').toBe(true);
    expect(w.pattern, 'no pattern from a partial window').toBeNull();
    expect(w.signal, 'no signal from a partial window').toBeNull();
    expect(w.score).toBe(0);
    expect(w.coveredMs, 'covered part is shorter than the window').toBeLessThan(w.windowMs);
    expect(w.note).toContain('observed for');
    expect(w.factors.map((f) => f.name)).toEqual(['netFlowRatio', 'countImbalance', 'netFlowShare']);
    expect(sum(w.factors.map((f) => f.weight)), 'weights sum to 1').toBeCloseTo(1, 12);
  });

  it('computes whales for a custom threshold and window', async () => {
    const w = await waitFor(async () => {
      const r = await run(app, MarketWhalesDocument, { symbol: 'BTCUSDT', minNotional: 10_000, window: 'M15' });
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      const x = r.data!.market.whales!;
      return x.buyCount > 0 && x.sellCount > 0 ? x : undefined;
    }, 15_000, 200);
    expect([w.window, w.minNotional], 'arguments echoed').toEqual(['M15', 10_000]);
    expect(w.netFlow, 'net flow = buy − sell').toBeCloseTo(w.buyNotional - w.sellNotional, 6);
    expect(w.buyPressurePct! + w.sellPressurePct!, 'pressures split the gross').toBeCloseTo(100, 9);
    expect(w.netFlowRatio!).toBeCloseTo(w.netFlow / (w.buyNotional + w.sellNotional), 12);
    expect(w.largestTrades.length).toBeLessThanOrEqual(10);
    const notionals = w.largestTrades.map((t) => t.notional);
    expect(notionals, 'largest first').toEqual([...notionals].sort((a, b) => b - a));
    for (const t of w.largestTrades) {
      expect(t.notional, 'every listed trade meets the threshold').toBeGreaterThanOrEqual(10_000);
      expect(t.notional).toBeCloseTo(t.price * t.qty, 6);
    }
    expect(new Set(w.largestTrades.map((t) => t.id)).size, 'deduplicated by id').toBe(w.largestTrades.length);
  });

  it('rejects a whale threshold below the tracked floor and invalid session arguments', async () => {
    const low = await run(app, MarketWhalesDocument, { symbol: 'BTCUSDT', minNotional: 5_000 });
    expect(low.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(low.errors![0]!.message).toContain('minNotional must be at least 10000');

    const coarse = await run(app, MarketSessionsDocument, { symbol: 'BTCUSDT', interval: 'I4H' });
    expect(coarse.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(coarse.errors![0]!.message).toContain('interval must divide one hour');

    const long = await run(app, MarketSessionsDocument, { symbol: 'BTCUSDT', lookbackDays: 61 });
    expect(long.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('serves today’s sessions, the phase and the timers', async () => {
    const res = await run(app, MarketWhalesSessionsDocument, { symbol: 'ETHUSDT' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const s = res.data!.market.sessions!;
    expect(s.meta.methodologyVersion).toBe('sessions/1.1.0');
    const now = Date.parse(s.now);
    expect(s.phase, 'phase follows the fixed UTC hours').toBe(sessionPhaseOf(activeSessionsAt(now)));
    expect(s.interval, '500 backfilled 5m bars (41 h) always reach midnight; 1m (8 h) only early in the day').toMatch(/^I(1|5)M$/);
    expect(s.warmingUp, 'the chosen interval covers the whole day').toBe(false);
    expect(s.sessions.map((x) => x.session)).toEqual(['ASIA', 'LONDON', 'NEW_YORK']);
    for (const x of s.sessions) {
      if (x.status === 'UPCOMING') {
        expect(x.rangePct, 'nothing measured before the open').toBeNull();
        continue;
      }
      expect(x.covered).toBe(true);
      expect(x.rangePct!, 'range = (high − low) / open × 100').toBeCloseTo(((x.high! - x.low!) / x.open!) * 100, 9);
      expect(x.returnPct!).toBeCloseTo(((x.close! - x.open!) / x.open!) * 100, 9);
      expect(x.quoteVolume!).toBeGreaterThan(0);
    }
    expect(Date.parse(s.nextSessionOpen.opensAt) - now).toBe(s.nextSessionOpen.inMs);
    expect(s.nextSessionOpen.inMs).toBeGreaterThan(0);
    expect(s.nextFunding.source, 'the simulated mark price announces the next funding time').toBe('MARK_PRICE');
    expect(s.nextFunding.inMs).toBeGreaterThan(0);
    expect(s.nextFunding.inMs).toBeLessThanOrEqual(8 * 3_600_000);

    const custom = await run(app, MarketSessionsDocument, { symbol: 'ETHUSDT', interval: 'I1H', lookbackDays: 0 });
    expect(custom.errors, JSON.stringify(custom.errors)).toBeUndefined();
    const c = custom.data!.market.sessions!;
    expect(c.interval).toBe('I1H');
    for (const x of c.sessions) expect(x.sampleDays, 'lookbackDays 0 averages nothing').toBe(0);
  });

  it('streams qualifying trades over the typed whaleTrade subscription', async () => {
    const client = wsClient(app);
    try {
      const events = await collect<WhaleTradeSubscription>(client, print(WhaleTradeDocument), { symbol: 'btcusdt', minNotional: 20_000 }, 3, 30_000);
      const ids = events.map((e) => e.whaleTrade.id);
      for (const { whaleTrade: t } of events) {
        expect(t.symbol).toBe('BTCUSDT');
        expect(t.notional, 'filtered per subscriber').toBeGreaterThanOrEqual(20_000);
        expect(t.notional).toBeCloseTo(t.price * t.qty, 6);
        expect(t.side).toMatch(/^(BUY|SELL)$/);
        expect(t.meta, 'provenance on every event: the simulated market is never LIVE').toEqual({ source: 'SIMULATED', venue: 'simulated', asOf: t.time });
      }
      expect(ids, 'in order, each once').toEqual([...new Set(ids)].sort((a, b) => a - b));

      const sessions = await collect<SessionsUpdatedSubscription>(client, print(SessionsUpdatedDocument), { symbol: 'SOLUSDT' }, 1, 30_000);
      expect(sessions[0]!.sessionsUpdated.symbol).toBe('SOLUSDT');
      expect(sessions[0]!.sessionsUpdated.sessions).toHaveLength(3);
    } finally {
      await client.dispose();
    }
  });
});
