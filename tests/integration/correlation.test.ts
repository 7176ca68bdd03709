import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CorrelationsDocument,
  CorrelationsUpdatedDocument,
  type CorrelationsQuery,
  type CorrelationsUpdatedSubscription,
} from '../../generated/graphql/graphql.js';
import { waitFor, startIsolatedTestApp, type IsolatedTestApp } from '../support/harness.js';
import { run, collectEvents, wsClient } from '../support/ws.js';

const collect = <T>(client: Client, query: string, variables: Record<string, unknown>, count: number, timeoutMs = 20_000) => collectEvents<T>(client, query, variables, count, timeoutMs);

type Matrix = NonNullable<CorrelationsQuery['correlations']>;

function expectValidMatrix(c: Matrix) {
  const n = c.symbols.length;
  expect(c.pearson.length, 'one row per symbol').toBe(n);
  c.pearson.forEach((row, i) => {
    expect(row.symbol).toBe(c.symbols[i]);
    expect(row.values[i], 'unit diagonal').toBe(1);
    row.values.forEach((v, j) => {
      expect(v, 'symmetric').toBe(c.pearson[j]!.values[i]);
      expect(Math.abs(v!), 'within [−1, 1]').toBeLessThanOrEqual(1);
    });
  });
  expect(c.pairs.length, 'n(n−1)/2 pairs').toBe((n * (n - 1)) / 2);
  for (const p of c.pairs) {
    expect(p.samples, 'overlapping returns reported').toBeGreaterThanOrEqual(30);
    expect(p.leadLag!.profile.length, 'lags −12..12').toBe(25);
  }
}

describe('correlation engine end to end (simulated market)', () => {
  let app: IsolatedTestApp;

  beforeAll(async () => {
    app = await startIsolatedTestApp();
  });
  afterAll(() => app?.teardown());

  it('serves the default matrix (key ALL, I1H, window 168) with a regime and its factors', async () => {
    const res = await waitFor(async () => {
      const r = await run(app, CorrelationsDocument, {});
      return r.data ? r : undefined;
    });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const c = res.data!.correlations!;
    expect(c.key).toBe('ALL');
    expect(c.symbols, 'all configured symbols').toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);
    expect(c.interval).toBe('I1H');
    expect(c.window).toBe(168);
    expect(c.baselineWindow, '4 × window').toBe(672);
    expect(c.warmingUp, '500 backfilled 1h bars').toBe(false);
    expect(c.samples[0]!.values[1], 'full window of overlapping returns').toBe(168);
    expectValidMatrix(c);
    expect(c.regime!.benchmark).toBe('BTCUSDT');
    expect(['RISK_ON', 'RISK_OFF', 'ALTSEASON']).toContain(c.regime!.regime);
    expect(c.regime!.factors.map((f) => f.name)).toContain('altVsBtc');
    expect(c.regime!.missingInputs.join(' '), 'a single CoinGecko snapshot has no trend').toMatch(/btcDominanceTrend|btcDominance/);
    expect(c.meta.source).toBe('SIMULATED');
    expect(c.meta.methodologyVersion).toBe('correlation-1.0.0');
  });

  it('computes custom symbols, interval and window on demand', async () => {
    const res = await run(app, CorrelationsDocument, { symbols: ['ethusdt', 'BTCUSDT'], interval: 'I15M', window: 96 });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const c = res.data!.correlations!;
    expect(c.symbols, 'caller order, upper-cased').toEqual(['ETHUSDT', 'BTCUSDT']);
    expect(c.interval).toBe('I15M');
    expect(c.window).toBe(96);
    expect(c.baselineWindow).toBe(384);
    expect(c.pairs[0]!.samples).toBe(96);
    expectValidMatrix(c);
  });

  it('rejects invalid arguments with BAD_USER_INPUT', async () => {
    const unknown = await run(app, CorrelationsDocument, { symbols: ['BTCUSDT', 'NOPEUSDT'] });
    expect(unknown.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0]!.message).toContain('NOPEUSDT');
    const one = await run(app, CorrelationsDocument, { symbols: ['BTCUSDT', 'btcusdt'] });
    expect(one.errors![0]!.extensions!.code, 'duplicates collapse to one symbol').toBe('BAD_USER_INPUT');
    const small = await run(app, CorrelationsDocument, { window: 5 });
    expect(small.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const big = await run(app, CorrelationsDocument, { window: 10_000 });
    expect(big.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('streams the typed correlationsUpdated subscription over graphql-ws', async () => {
    const client = wsClient(app);
    try {
      const [event] = await collect<CorrelationsUpdatedSubscription>(client, print(CorrelationsUpdatedDocument), {}, 1);
      const c = event!.correlationsUpdated;
      expect(c.key).toBe('ALL');
      expect(c.symbols.length).toBe(3);
      expect(c.pearson[0]!.values[0], 'unit diagonal').toBe(1);
      expect(c.meta.source).toBe('SIMULATED');
    } finally {
      await client.dispose();
    }
  });
});
