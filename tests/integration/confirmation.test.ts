import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnalysisUpdatedDocument,
  ConfirmationMatrixDocument,
  ConfirmationUpdatedDocument,
  MarketConfirmationDocument,
  SnapshotsDocument,
  type AnalysisUpdatedSubscription,
  type ConfirmationUpdatedSubscription,
  type MarketConfirmationQuery,
} from '../../generated/graphql/graphql.js';
import { DEFAULT_LAYER_WEIGHTS } from '../../src/analyzers/confirmation.js';
import type { ConfirmationLayerName } from '../../src/analyzers/confirmation.types.js';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { collectEvents, run, wsClient } from '../support/ws.js';

type Confirmation = NonNullable<MarketConfirmationQuery['market']['confirmation']>;

const LAYERS = ['PRICE_ACTION', 'VOLUME', 'TECHNICAL', 'WYCKOFF', 'SUPPORT_RESISTANCE', 'FIBONACCI', 'ORDER_FLOW', 'WHALES', 'SENTIMENT', 'CORRELATION', 'OPTIONS_FLOW', 'FORECAST'];

/** The composite recomputed from its own layers by the documented formulas. */
function expectConsistent(c: Confirmation, weights: Record<string, number> = DEFAULT_LAYER_WEIGHTS) {
  expect(c.layers.map((l) => l.name)).toEqual(LAYERS);
  const available = c.layers.filter((l) => l.available);
  const availableWeight = available.reduce((s, l) => s + weights[l.name as ConfirmationLayerName]!, 0);
  const total = LAYERS.reduce((s, n) => s + weights[n]!, 0);
  expect(c.coverage, 'available weight / total weight').toBeCloseTo(availableWeight / total, 3);
  for (const l of c.layers) {
    if (!l.available) {
      expect([l.score, l.direction, l.confidence, l.weight], `${l.name} unavailable`).toEqual([null, null, null, 0]);
      expect(l.missingInputs.length, `${l.name} names what is missing`).toBeGreaterThan(0);
    } else expect(l.weight, `${l.name} renormalised`).toBeCloseTo(weights[l.name as ConfirmationLayerName]! / availableWeight, 5);
  }
  const mean = available.reduce((s, l) => s + l.weight * l.score!, 0);
  expect(c.score, '50 + weighted mean / 2').toBeCloseTo(50 + mean / 2, 1);
  expect(c.signal).toBe(mean > 15 ? 'BULLISH' : mean < -15 ? 'BEARISH' : 'NEUTRAL');
  const count = (d: string) => available.filter((l) => l.direction === d).length;
  expect(c.distribution).toEqual({ bullish: count('BULLISH'), bearish: count('BEARISH'), neutral: count('NEUTRAL'), unavailable: 12 - available.length });
  expect(c.factors.map((f) => f.value)).toEqual(available.filter((l) => l.weight > 0).map((l) => l.score));
}

describe('confirmation end to end (simulated market)', () => {
  let app: IsolatedTestApp;

  beforeAll(async () => {
    app = await startIsolatedTestApp();
  });
  afterAll(() => app?.teardown());

  /** The first answer with a confirmation (and, when given, one that satisfies `until`). */
  const confirmation = (variables: Record<string, unknown>, until: (c: Confirmation) => boolean = () => true) =>
    waitFor(async () => {
      const r = await run(app, MarketConfirmationDocument, variables as never);
      const c = r.data?.market.confirmation;
      return c && until(c) ? r : undefined;
    }, 30_000);
  const layer = (c: Confirmation, name: string) => c.layers.find((l) => l.name === name)!;

  it('serves the default 1 h confirmation: twelve layers, renormalised weights, coverage, meta', async () => {
    // The options chain is analysed in a worker and may land after the first confirmation: that one says so.
    const res = await confirmation({ symbol: 'BTCUSDT' }, (c) => layer(c, 'OPTIONS_FLOW').available);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const c = res.data!.market.confirmation!;
    expect([c.symbol, c.interval]).toEqual(['BTCUSDT', 'I1H']);
    expect(c.meta.source).toBe('SIMULATED');
    expect(c.meta.methodologyVersion).toBe('confirmation/1.0.0');
    expect(c.meta.inputs.map((i) => [i.type, i.interval])).toEqual([['candle', 'I1H']]);
    expectConsistent(c);
    const forecast = c.layers.find((l) => l.name === 'FORECAST')!;
    // Layer 12 votes only when the forecast beats its random walk out of sample at H4 (tests/integration/forecast.test.ts).
    expect(forecast.missingInputs).toEqual(forecast.available ? [] : ['FORECAST']);
    if (!forecast.available) expect(c.coverage, 'the forecast weight (0.10) is not covered').toBeLessThanOrEqual(0.9);
    const technical = c.layers.find((l) => l.name === 'TECHNICAL')!;
    expect(technical.available, '500 backfilled 1 h bars').toBe(true);
    expect(c.recommendation).toMatch(/Analysis, not advice\.$/);
  });

  it('says a symbol without an options market has none, rather than reading it neutral', async () => {
    const c = (await confirmation({ symbol: 'SOLUSDT' }, (x) => layer(x, 'OPTIONS_FLOW').reading.includes('options flow covers'))).data!.market.confirmation!;
    const options = c.layers.find((l) => l.name === 'OPTIONS_FLOW')!;
    expect([options.available, options.score, options.missingInputs]).toEqual([false, null, ['OPTIONS_FLOW']]);
    expect(options.reading).toContain('no options market for SOL');
    expectConsistent(c);
  });

  it('weights recompose the stored layers; Turkish recommendation', async () => {
    const base = (await confirmation({ symbol: 'BTCUSDT' })).data!.market.confirmation!;
    const weights = LAYERS.map((layer) => ({ layer, weight: layer === 'TECHNICAL' ? 2 : 0 }));
    const res = await run(app, MarketConfirmationDocument, { symbol: 'BTCUSDT', weights: weights as never, language: 'TR' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const c = res.data!.market.confirmation!;
    const technical = c.layers.find((l) => l.name === 'TECHNICAL')!;
    expect(technical.weight).toBe(1);
    expect(c.coverage, 'all the weight is on an available layer').toBe(1);
    // The cached record may have been recomputed in between: compare with the technical layer of this answer.
    expect(c.score).toBeCloseTo(50 + technical.score! / 2, 1);
    expect(c.recommendation).toMatch(/Bu bir analizdir, yatırım tavsiyesi değildir\.$/);
    expect(base.recommendation).not.toEqual(c.recommendation);
    expectConsistent(c, Object.fromEntries(weights.map((w) => [w.layer, w.weight])));
  });

  it('rejects bad weights with BAD_USER_INPUT', async () => {
    const negative = await run(app, MarketConfirmationDocument, { symbol: 'BTCUSDT', weights: [{ layer: 'VOLUME', weight: -1 }] as never });
    expect(negative.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(negative.errors?.[0]?.message).toContain('VOLUME');
    const zero = await run(app, MarketConfirmationDocument, { symbol: 'BTCUSDT', weights: LAYERS.map((layer) => ({ layer, weight: 0 })) as never });
    expect(zero.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const twice = await run(app, MarketConfirmationDocument, { symbol: 'BTCUSDT', weights: [{ layer: 'VOLUME', weight: 1 }, { layer: 'VOLUME', weight: 2 }] as never });
    expect(twice.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await gql(app.url, print(MarketConfirmationDocument), { symbol: 'BTCUSDT', weights: [{ layer: 'ASTROLOGY', weight: 1 }] });
    expect(unknown.errors?.[0]?.message).toContain('ASTROLOGY');
  });

  it('computes another interval on demand, judged by that interval’s bars', async () => {
    const res = await confirmation({ symbol: 'ETHUSDT', interval: 'I4H' });
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    const c = res.data!.market.confirmation!;
    expect(c.interval).toBe('I4H');
    expect(c.meta.inputs.map((i) => [i.type, i.interval])).toEqual([['candle', 'I4H']]);
    expectConsistent(c);
  });

  it('confirmationMatrix: one composite per interval and their agreement', async () => {
    const res = await waitFor(async () => {
      const r = await run(app, ConfirmationMatrixDocument, { symbol: 'btcusdt' });
      return r.data?.confirmationMatrix.rows.every((row) => row.confirmation) ? r : undefined;
    }, 20_000);
    const m = res.data!.confirmationMatrix;
    expect(m.symbol).toBe('BTCUSDT');
    expect(m.rows.map((r) => r.interval)).toEqual(['I15M', 'I1H', 'I4H', 'I1D']);
    const signals = m.rows.map((r) => r.confirmation!.signal);
    const a = m.agreement;
    expect([a.bullish, a.bearish, a.neutral, a.unavailable]).toEqual([signals.filter((s) => s === 'BULLISH').length, signals.filter((s) => s === 'BEARISH').length, signals.filter((s) => s === 'NEUTRAL').length, 0]);
    expect(a.meanScore!).toBeCloseTo(m.rows.reduce((s, r) => s + r.confirmation!.score, 0) / 4, 1);
    expect(a.aligned).toBe(new Set(signals).size === 1 && signals[0] !== 'NEUTRAL');
    expect(a.summary).toMatch(/across 4 intervals/);
    const tooMany = await run(app, ConfirmationMatrixDocument, { symbol: 'BTCUSDT', intervals: ['I1M', 'I5M', 'I15M', 'I1H', 'I4H', 'I1D', 'I1W'] as never });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('streams confirmationUpdated and analysisUpdated(CONFIRMATION) over graphql-ws, and snapshots it', async () => {
    await confirmation({ symbol: 'BTCUSDT' });
    const client = wsClient(app);
    try {
      const [typed] = await collectEvents<ConfirmationUpdatedSubscription>(client, print(ConfirmationUpdatedDocument), { symbol: 'BTCUSDT', language: 'TR' }, 1, 20_000);
      const c = typed!.confirmationUpdated;
      expect(c.symbol).toBe('BTCUSDT');
      expect(c.recommendation).toMatch(/yatırım tavsiyesi değildir\.$/);
      expectConsistent(c as Confirmation);
      const [generic] = await collectEvents<AnalysisUpdatedSubscription>(client, print(AnalysisUpdatedDocument), { kind: 'CONFIRMATION', symbol: 'BTCUSDT' }, 1, 20_000);
      expect(generic!.analysisUpdated.kind).toBe('CONFIRMATION');
      expect((generic!.analysisUpdated.payload as { layers: unknown[] }).layers).toHaveLength(12);
    } finally {
      await client.dispose();
    }
    const rows = await waitFor(async () => {
      const r = await run(app, SnapshotsDocument, { kind: 'CONFIRMATION', symbol: 'BTCUSDT', limit: 1 });
      return (r.data?.snapshots?.length ?? 0) > 0 ? r.data!.snapshots! : undefined;
    }, 20_000);
    expect(rows[0]!.methodologyVersion).toBe('confirmation/1.0.0');
    expect((rows[0]!.payload as { interval: string }).interval).toBe('1h');
  });
});
