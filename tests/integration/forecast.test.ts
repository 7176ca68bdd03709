import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnalysisHistoryDocument,
  ForecastUpdatedDocument,
  MarketConfirmationDocument,
  MarketForecastDocument,
  type ForecastUpdatedSubscription,
  type MarketForecastQuery,
} from '../../generated/graphql/graphql.js';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { collectEvents, run, wsClient } from '../support/ws.js';

type Forecast = NonNullable<MarketForecastQuery['market']['forecast']>;

describe('forecast end to end (simulated market)', () => {
  let app: IsolatedTestApp;

  beforeAll(async () => {
    app = await startIsolatedTestApp();
  });
  afterAll(() => app?.teardown());

  const forecast = async (variables: { symbol: string; horizons?: ('H1' | 'H4' | 'D1')[] }): Promise<Forecast> => {
    const res = await waitFor(async () => {
      const r = await run(app, MarketForecastDocument, variables);
      return r.data?.market.forecast ? r : undefined;
    }, 30_000);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    return res.data!.market.forecast!;
  };

  it('serves H1/H4/D1 forecasts with nested price intervals and an out-of-sample evaluation', async () => {
    const f = await forecast({ symbol: 'BTCUSDT' });
    expect(f.meta.source).toBe('SIMULATED');
    expect(f.meta.methodologyVersion).toBe('forecast/1.0.0');
    expect([f.interval, f.warmingUp, f.reason]).toEqual(['I1H', false, null]);
    expect(f.returns, '500 backfilled 1 h bars: 499 returns at least').toBeGreaterThanOrEqual(499);
    expect(f.horizons.map((h) => [h.horizon, h.steps])).toEqual([
      ['H1', 1],
      ['H4', 4],
      ['D1', 24],
    ]);
    for (const h of f.horizons) {
      expect(h.intervals.map((i) => i.level)).toEqual([0.5, 0.8, 0.95]);
      const [i50, i80, i95] = h.intervals;
      expect(i95!.low <= i80!.low && i80!.low <= i50!.low && i50!.high <= i80!.high && i80!.high <= i95!.high, `${h.horizon} nested`).toBe(true);
      expect(i50!.low).toBeLessThan(f.close!);
      expect(i50!.high).toBeGreaterThan(f.close!);
      expect(h.upProbability).toBeGreaterThan(0);
      expect(h.upProbability).toBeLessThan(1);
      expect(Date.parse(h.targetTime) - Date.parse(f.time!), 'target = last close + steps hours').toBe(h.steps * 3_600_000);
      expect(h.factors.map((x) => x.name)).toEqual(['drift', 'residualSkew', 'volatilityState', 'persistence']);
    }
    expect(f.model!.persistence).toBeLessThan(1);
    const e = f.evaluation!;
    expect(f.evaluationReason).toBeNull();
    expect(e.coverage, 'three horizons × three levels').toHaveLength(9);
    expect(e.horizons.map((h) => [h.horizon, h.samples]), 'origins 300 .. returns − steps').toEqual([
      ['H1', f.returns - 300],
      ['H4', f.returns - 303],
      ['D1', f.returns - 323],
    ]);
    for (const h of f.horizons) {
      const score = e.logScoreVsBaseline.find((s) => s.horizon === h.horizon)!;
      expect(h.beatsBaseline, `${h.horizon}: the horizon carries the evaluation verdict`).toBe(score.beatsBaseline);
      expect(score.beatsBaseline).toBe(score.difference > 1.96 * score.standardError);
      expect(h.calibrated).toBe(e.coverage.find((c) => c.horizon === h.horizon && c.level === 0.8)!.calibrated);
    }
    expect(f.beatsBaseline).toBe(e.logScoreVsBaseline.every((s) => s.beatsBaseline));
    for (const hit of e.directionalHitRate) expect(hit.low <= hit.rate && hit.rate <= hit.high, `${hit.horizon} Wilson interval`).toBe(true);
  });

  it('restricts horizons (and the verdict) to those asked for, in horizon order', async () => {
    const f = await forecast({ symbol: 'ETHUSDT', horizons: ['D1', 'H1'] });
    expect(f.horizons.map((h) => h.horizon)).toEqual(['H1', 'D1']);
    expect(f.evaluation!.horizons.map((h) => h.horizon)).toEqual(['H1', 'D1']);
    expect(f.evaluation!.coverage.map((c) => c.horizon)).toEqual(['H1', 'H1', 'H1', 'D1', 'D1', 'D1']);
    expect(f.beatsBaseline).toBe(f.evaluation!.horizons.every((h) => h.beatsBaseline === true));
  });

  it('rejects an unknown horizon and an unknown symbol with coded errors', async () => {
    const bad = await gql(app.url, `{ market(symbol: "BTCUSDT") { forecast(horizons: [H2]) { symbol } } }`);
    expect(bad.errors?.[0]?.message).toMatch(/H2/);
    const unknown = await run(app, MarketForecastDocument, { symbol: 'NOPEUSDT' });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('the confirmation forecast layer votes exactly when H4 beats its baseline', async () => {
    const f = await forecast({ symbol: 'BTCUSDT', horizons: ['H4'] });
    const res = await waitFor(async () => {
      const r = await run(app, MarketConfirmationDocument, { symbol: 'BTCUSDT' });
      const layer = r.data?.market.confirmation?.layers.find((l) => l.name === 'FORECAST');
      return layer && !layer.reading.includes('FORECAST absent') ? layer : undefined;
    }, 30_000);
    expect(res.available, res.reading).toBe(f.horizons[0]!.beatsBaseline === true);
    if (!res.available) {
      expect(res.missingInputs).toEqual(['FORECAST']);
      expect(res.reading).toMatch(/does not beat its random-walk baseline out of sample at H4/);
    }
  });

  it('is snapshotted and served typed by analysisHistory(kind: FORECAST)', async () => {
    const live = await forecast({ symbol: 'BTCUSDT' });
    const edge = await waitFor(async () => {
      const r = await run(app, AnalysisHistoryDocument, { kind: 'FORECAST', symbol: 'BTCUSDT', first: 1 });
      return r.data?.analysisHistory?.edges[0];
    }, 30_000);
    expect(edge.methodologyVersion).toBe('forecast/1.0.0');
    const node = edge.node as Extract<typeof edge.node, { __typename: 'Forecast' }>;
    expect(node.__typename).toBe('Forecast');
    expect(node.horizons.map((h) => h.horizon)).toEqual(['H1', 'H4', 'D1']);
    if (node.meta.asOf === live.meta.asOf) {
      expect(node.horizons[1]!.intervals, 'the stored result is the served one (prices on the same tick grid)').toEqual(live.horizons[1]!.intervals.map(({ level, low, high }) => ({ level, low, high })));
    }
  });

  it('streams forecastUpdated: the latest result at once on subscribe', async () => {
    await forecast({ symbol: 'BTCUSDT' });
    const client = wsClient(app);
    try {
      const [first] = await collectEvents<ForecastUpdatedSubscription>(client, print(ForecastUpdatedDocument), { symbol: 'BTCUSDT' }, 1, 20_000);
      expect(first!.forecastUpdated.symbol).toBe('BTCUSDT');
      expect(first!.forecastUpdated.horizons).toHaveLength(3);
      expect(first!.forecastUpdated.meta.source).toBe('SIMULATED');
    } finally {
      await client.dispose();
    }
  });
});
