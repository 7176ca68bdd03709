import { describe, expect, it } from 'vitest';
import {
  correlationLayer,
  forecastLayer,
  optionsFlowLayer,
  orderFlowLayer,
  sentimentLayer,
  whalesLayer,
} from '../../src/analyzers/confirmation-layers-flow.js';
import type { ConfirmationInputs, LayerSource } from '../../src/analyzers/confirmation.types.js';
import { emptyInputs, none } from '../support/confirmation-inputs.js';
import type { CorrelationAnalysis } from '../../src/analyzers/correlation.types.js';
import type { FundingAnalysis } from '../../src/analyzers/funding.types.js';
import type { ForecastAnalysis, HorizonEvaluation, HorizonForecast } from '../../src/analyzers/forecast.types.js';
import type { OpenInterestAnalysis } from '../../src/analyzers/open-interest.types.js';
import type { OrderBookAnalysis } from '../../src/analyzers/order-book.types.js';
import type { OptionsFlowAnalysis } from '../../src/analyzers/options-flow.types.js';
import type { SentimentAnalysis } from '../../src/analyzers/sentiment.types.js';
import type { VolumeAnalysis } from '../../src/analyzers/volume.types.js';
import type { WhaleActivity } from '../../src/analyzers/whales.types.js';

const T = Date.UTC(2026, 0, 10, 12);
const ok = <V>(value: Partial<V>): LayerSource<V> => ({ value: value as V, asOf: T, stale: false });
const stale = <V>(value: Partial<V>): LayerSource<V> => ({ value: value as V, asOf: T - 3_600_000, stale: true });
function inputs(over: Partial<ConfirmationInputs> = {}): ConfirmationInputs {
  return emptyInputs({ symbol: 'ETHUSDT', now: T, candles: [], price: 2000 }, { optionsFlow: none('ETH has no options market'), ...over });
}

const volume = (deltaImbalance: number | null) => ok<VolumeAnalysis>({ interval: '1h', deltaImbalance, unavailable: deltaImbalance === null ? ['taker-buy volume unknown on 3 of 20 bars'] : [], takerCoverage: deltaImbalance === null ? 0.85 : 1 });
const oi = (quadrant: OpenInterestAnalysis['quadrant']) =>
  ok<OpenInterestAnalysis>({ quadrant, quadrantHorizon: 'H1', changes: [{ horizon: 'H1', horizonMs: 3_600_000, fromTime: T - 3_600_000, oiChange: 10, oiChangePct: 1.2, valueChange: null, valueChangePct: null, priceChangePct: 0.8, quadrant, note: '' }] });
const funding = (score: number) => ok<FundingAnalysis>({ score, signal: 'LONG_BIAS' });

const book = (zScore: number | null, pulledShare: number | null = 0.2, over: Partial<OrderBookAnalysis> = {}) =>
  ok<OrderBookAnalysis>({
    available: true,
    unavailableReason: null,
    bookState: 'SYNCED',
    imbalance: { pct: 1, value: 0.12, zScore, mean: 0.02, stdDev: 0.07, samples: 240, zScoreUnavailableReason: zScore === null ? '12 past books, 20 needed' : null },
    walls: { standing: [], gone: [], pulledBeforeTouch: 0, eaten: 0, pulledShare },
    ...over,
  });

describe('layer 7 ORDER_FLOW', () => {
  it('blends taker imbalance, OI quadrant and contrarian funding (hand-computed); without a book it scores as before, at lower confidence', () => {
    // x: 0.1 / 0.2 = 0.5; NEW_LONGS = 1; funding 40 → -0.4. Σ w·x = 0.32·0.5 + 0.32·1 + 0.16·(-0.4) = 0.416 over
    // the present weight 0.8 → 52. agreement = 0.416 / (0.16 + 0.32 + 0.064) = 0.7647;
    // confidence = 0.8 · (0.5 + 0.5 · 0.7647) = 0.706 (the book's 0.2 is missing).
    const out = orderFlowLayer(inputs({ volume: volume(0.1), openInterest: oi('NEW_LONGS'), funding: funding(40) }));
    expect(out.available).toBe(true);
    expect(out.missingInputs).toEqual([]);
    expect(out.score).toBe(52);
    expect(out.direction).toBe('BULLISH');
    expect(out.confidence).toBe(0.706);
    expect(out.factors.map((f) => [f.name, f.weight, f.contribution])).toEqual([
      ['takerImbalance', 0.4, 0.2],
      ['oiQuadrant', 0.4, 0.4],
      ['fundingPressure', 0.2, -0.08],
    ]);
    expect(out.reading).toBe('Order flow bullish: takers buying +10.0 % net, open interest new longs, funding long bias (without ORDER_BOOK absent (not computed yet))');
  });

  it('reads the resting book: imbalance z 1.5 adds 0.2 · 0.5 (hand-computed: score 51.6, confidence 0.901)', () => {
    // Σ w·x = 0.416 + 0.2 · (1.5 / 3) = 0.516 over weight 1 → 51.6; gross 0.544 + 0.1 = 0.644; agreement 0.8012;
    // confidence 0.5 + 0.5 · 0.8012 = 0.901.
    const out = orderFlowLayer(inputs({ volume: volume(0.1), openInterest: oi('NEW_LONGS'), funding: funding(40), orderBook: book(1.5) }));
    expect(out.score).toBe(51.6);
    expect(out.confidence).toBe(0.901);
    expect(out.factors.map((f) => [f.name, f.weight, f.contribution])).toEqual([
      ['takerImbalance', 0.32, 0.16],
      ['oiQuadrant', 0.32, 0.32],
      ['fundingPressure', 0.16, -0.064],
      ['bookImbalance', 0.2, 0.1],
    ]);
    expect(out.reading).toBe('Order flow bullish: takers buying +10.0 % net, open interest new longs, funding long bias, book bid-heavy (z +1.5)');
  });

  it('halves the book factor when most walls were pulled before touch, and clamps |z| at 3', () => {
    // z -4.5 → x -1, halved (60 % of walls pulled) → -0.5: Σ = 0.416 - 0.1 = 0.316 → 31.6;
    // agreement 0.316 / 0.644 = 0.4907 → confidence 0.745.
    const out = orderFlowLayer(inputs({ volume: volume(0.1), openInterest: oi('NEW_LONGS'), funding: funding(40), orderBook: book(-4.5, 0.6) }));
    expect(out.score).toBe(31.6);
    expect(out.confidence).toBe(0.745);
    const f = out.factors.find((x) => x.name === 'bookImbalance')!;
    expect([f.value, f.contribution]).toEqual([-4.5, -0.1]);
    expect(f.note).toContain('halved: 60 % of walls were pulled before touch');
    expect(out.reading).toContain('book ask-heavy (z -4.5)');
  });

  it('leaves a book that is not valid or has no z-score out, naming why; the book alone is not flow', () => {
    const syncing = orderFlowLayer(inputs({ volume: volume(0.1), openInterest: oi('NEW_LONGS'), orderBook: book(2, 0.1, { available: false, bookState: 'GAP', unavailableReason: 'sequence gap: resyncing' }) }));
    expect(syncing.factors.map((f) => f.name)).toEqual(['takerImbalance', 'oiQuadrant']);
    expect(syncing.reading).toContain('ORDER_BOOK unavailable (sequence gap: resyncing)');
    const young = orderFlowLayer(inputs({ volume: volume(0.1), openInterest: oi('NEW_LONGS'), orderBook: book(null) }));
    expect(young.reading).toContain('ORDER_BOOK imbalance z-score unavailable (12 past books, 20 needed)');
    const staleBook = orderFlowLayer(inputs({ volume: volume(0.1), openInterest: oi('NEW_LONGS'), orderBook: stale<OrderBookAnalysis>({ available: true }) }));
    expect(staleBook.reading).toContain('ORDER_BOOK stale');
    const alone = orderFlowLayer(inputs({ orderBook: book(2) }));
    expect(alone).toMatchObject({ available: false, missingInputs: ['VOLUME', 'OPEN_INTEREST'] });
  });

  it('leaves stale funding out and renormalises (score 75, confidence 0.64 without funding and book)', () => {
    const out = orderFlowLayer(inputs({ volume: volume(0.1), openInterest: oi('NEW_LONGS'), funding: stale<FundingAnalysis>({ score: 40, signal: 'LONG_BIAS' }) }));
    // Σ w·x = 0.16 + 0.32 = 0.48 over present weight 0.64 → 75; agreement 1 → confidence 0.64.
    expect(out.score).toBe(75);
    expect(out.confidence).toBe(0.64);
    expect(out.factors.map((f) => f.weight)).toEqual([0.5, 0.5]);
    expect(out.reading).toContain('without FUNDING stale');
  });

  it('unknown taker volume is named, never read as selling: short covering alone gives 50 at confidence 0.32', () => {
    const out = orderFlowLayer(inputs({ volume: volume(null), openInterest: oi('SHORT_COVERING') }));
    expect(out.score).toBe(50);
    expect(out.confidence).toBe(0.32);
    expect(out.reading).toContain('taker-buy volume unknown on 3 of 20 bars');
  });

  it('is unavailable, naming both core inputs, when taker flow and the OI quadrant are missing', () => {
    const out = orderFlowLayer(inputs({ volume: stale<VolumeAnalysis>({ deltaImbalance: 0.3 }), openInterest: oi(null), funding: funding(90) }));
    expect(out).toMatchObject({ available: false, missingInputs: ['VOLUME', 'OPEN_INTEREST'], score: null, direction: null, confidence: null });
    expect(out.reading).toContain('VOLUME stale');
  });
});

const whales = (over: Partial<WhaleActivity>) =>
  ok<WhaleActivity>({ window: 'H1', windowMs: 3_600_000, coveredMs: 3_600_000, minNotional: 100_000, warmingUp: false, buyCount: 4, sellCount: 1, netFlow: 600_000, pattern: 'ACCUMULATION', score: 60, ...over });

describe('layer 8 WHALES', () => {
  it('net flow 0.7 + pattern 0.3, confidence scaled by trades / 10', () => {
    // 0.7·0.6 + 0.3·1 = 0.72 → 72; agreement 1; 5 trades → ×0.5.
    const out = whalesLayer(inputs({ whales: whales({}) }));
    expect([out.score, out.direction, out.confidence]).toEqual([72, 'BULLISH', 0.5]);
  });

  it('buying into distribution nets out to neutral with low agreement', () => {
    // 0.42 − 0.3 = 0.12 → 12 (NEUTRAL); agreement 0.12 / 0.72 = 1/6 → 0.5 + 1/12 = 0.583; 20 trades → ×1.
    const out = whalesLayer(inputs({ whales: whales({ pattern: 'DISTRIBUTION', buyCount: 12, sellCount: 8 }) }));
    expect([out.score, out.direction, out.confidence]).toEqual([12, 'NEUTRAL', 0.583]);
  });

  it('is unavailable while the tape has not covered the window', () => {
    const out = whalesLayer(inputs({ whales: whales({ warmingUp: true, coveredMs: 1_200_000, pattern: null }) }));
    expect(out).toMatchObject({ available: false, missingInputs: ['WHALES'] });
    expect(out.reading).toContain('20 of the 60 minutes');
  });
});

const sentiment = (over: Partial<SentimentAnalysis>) =>
  ok<SentimentAnalysis>({
    key: 'ETHUSDT',
    coverage: 1,
    coverageNote: null,
    composite: 70,
    classification: 'GREED',
    factors: [
      { name: 'fearGreed', value: 80, baseWeight: 0.4, weight: 0.4, contribution: 32, available: true, note: 'F&G' },
      { name: 'price', value: 60, baseWeight: 0.3, weight: 0.3, contribution: 18, available: true, note: 'price' },
      { name: 'crowd', value: 66.67, baseWeight: 0.3, weight: 0.3, contribution: 20, available: true, note: 'crowd' },
    ],
    ...over,
  });

describe('layer 9 SENTIMENT', () => {
  it('reads the composite as 2 × (composite − 50) at its coverage', () => {
    const out = sentimentLayer(inputs({ sentiment: sentiment({}) }));
    expect([out.score, out.direction, out.confidence]).toEqual([40, 'BULLISH', 1]);
    // contributions (value − 50) / 50 × weight: 0.24 + 0.06 + 0.1 = 0.4 = score / 100.
    expect(out.factors.map((f) => f.contribution)).toEqual([0.24, 0.06, 0.10002]);
  });

  it('halves its trust in an extreme band', () => {
    const out = sentimentLayer(inputs({ sentiment: sentiment({ composite: 80, classification: 'EXTREME_GREED', coverage: 0.7 }) }));
    expect([out.score, out.confidence]).toEqual([60, 0.35]);
  });

  it('respects a refused label: unavailable with the coverage note', () => {
    const out = sentimentLayer(inputs({ sentiment: sentiment({ composite: null, classification: null, coverage: 0.4, coverageNote: 'coverage 0.4 below the minimum 0.6' }) }));
    expect(out).toMatchObject({ available: false, missingInputs: ['SENTIMENT'], score: null });
    expect(out.reading).toContain('coverage 0.4 below the minimum 0.6');
  });
});

const correlation = (over: Partial<CorrelationAnalysis['regime']> = {}, pearson: number | null = 0.8) =>
  ok<CorrelationAnalysis>({
    symbols: ['BTCUSDT', 'ETHUSDT'],
    notes: [],
    pairs: [{ a: 'BTCUSDT', b: 'ETHUSDT', pearson, spearman: null, samples: 100, baselinePearson: null, baselineSamples: 0, change: null, leadLag: null }],
    regime: { regime: 'RISK_ON', score: 0.5, benchmark: 'BTCUSDT', btcReturn: 0.01, altVsBtcReturn: 0, averageCorrelationToBtc: 0.8, btcDominance: 55, dominanceChange: 0.5, fearGreed: 60, factors: [], missingInputs: [], ...over },
  });

describe('layer 10 CORRELATION', () => {
  it('benchmark: the regime is the whole layer', () => {
    const out = correlationLayer(inputs({ symbol: 'BTCUSDT', correlation: correlation() }));
    expect([out.score, out.direction, out.confidence]).toEqual([50, 'BULLISH', 1]);
  });

  it('alt: rising dominance offsets risk-on; trust scaled by |Pearson| to BTC', () => {
    // 0.6·0.5 + 0.4·(−0.5) = 0.1 → 10 (NEUTRAL); agreement 0.1 / 0.5 = 0.2 → 0.6; × 0.8 = 0.48.
    const out = correlationLayer(inputs({ correlation: correlation() }));
    expect([out.score, out.direction, out.confidence]).toEqual([10, 'NEUTRAL', 0.48]);
    expect(out.reading).toContain('correlation to BTCUSDT 0.80');
  });

  it('unavailable for a symbol the analysis does not cover, or without a regime', () => {
    expect(correlationLayer(inputs({ symbol: 'SOLUSDT', correlation: correlation() }))).toMatchObject({ available: false, missingInputs: ['CORRELATION'] });
    expect(correlationLayer(inputs({ correlation: ok<CorrelationAnalysis>({ symbols: ['BTCUSDT', 'ETHUSDT'], regime: null, notes: ['warming up'], pairs: [] }) }))).toMatchObject({ available: false });
  });
});

const options = () =>
  ok<OptionsFlowAnalysis>({
    currency: 'BTC',
    warmingUp: false,
    putCall: { callOpenInterest: 100, putOpenInterest: 50, callVolume: 10, putVolume: 20, openInterestRatio: 0.5, volumeRatio: 2, callPremiumVolumeUsd: 0, putPremiumVolumeUsd: 0 },
    expiries: [
      { daysToExpiry: 0.5, riskReversal25: -9, maxPainDistancePct: 2.5, maxPain: 61_500 } as OptionsFlowAnalysis['expiries'][number],
      { daysToExpiry: 3, riskReversal25: 2.5, maxPainDistancePct: -4, maxPain: 57_600 } as OptionsFlowAnalysis['expiries'][number],
    ],
  });

describe('layer 11 OPTIONS_FLOW', () => {
  it('put/call, skew of the first expiry ≥ 1 day, max pain of the nearest within 7 days', () => {
    // pcr OI 0.5 → +1 (0.25), vol 2 → −1 (0.15), skew 2.5/5 = 0.5 (0.35, the 3-day expiry), max pain +2.5/5 = 0.5 (0.25, the 0.5-day one).
    // Σ = 0.25 − 0.15 + 0.175 + 0.125 = 0.4 → 40; agreement 0.4 / 0.7 → confidence 0.5 + 0.2857 = 0.786.
    const out = optionsFlowLayer(inputs({ symbol: 'BTCUSDT', optionsFlow: options() }));
    expect([out.score, out.direction, out.confidence]).toEqual([40, 'BULLISH', 0.786]);
    expect(out.factors.map((f) => [f.name, f.value])).toEqual([
      ['putCallOpenInterest', 0.5],
      ['putCallVolume', 2],
      ['skew25', 2.5],
      ['maxPainPull', 2.5],
    ]);
  });

  it('unavailable for a symbol with no options market, with the reason', () => {
    const out = optionsFlowLayer(inputs());
    expect(out).toMatchObject({ available: false, missingInputs: ['OPTIONS_FLOW'] });
    expect(out.reading).toContain('ETH has no options market');
  });
});

describe('layer 12 FORECAST', () => {
  const evaluated = (beatsBaseline: boolean | null, reason: string | null = null): HorizonEvaluation => ({
    horizon: 'H4',
    steps: 4,
    samples: 600,
    coverage: [],
    logScore: beatsBaseline === null ? null : { model: 4.1, baseline: 4.09, difference: 0.004, standardError: 0.006, samples: 600 },
    hitRate: null,
    beatsBaseline,
    reason,
  });
  const forecast = (o: { beats?: boolean | null; calibrated?: boolean | null; up?: number; expectedReturn?: number; reason?: string | null } = {}) =>
    ok<ForecastAnalysis>({
      warmingUp: false,
      reason: null,
      horizons: [{ horizon: 'H4', steps: 4, upProbability: o.up ?? 0.56, expectedReturn: o.expectedReturn ?? 0.001, volatility: 0.01, calibrated: o.calibrated ?? true } as HorizonForecast],
      evaluation: { from: T, to: T, refitEvery: 24, evaluationStart: 300, horizons: [evaluated(o.beats === undefined ? true : o.beats, o.reason ?? null)] },
      evaluationReason: null,
    });

  it('blends probability up and expected return at H4 when the forecast beats its baseline (hand-computed)', () => {
    // x: (0.56 − 0.5) / 0.1 = 0.6; 0.001 / 0.01 = 0.1 σ → 0.1 / 0.25 = 0.4. Σ w·x = 0.6·0.6 + 0.4·0.4 = 0.52; agreement 1.
    const out = forecastLayer(inputs({ forecast: forecast() }));
    expect(out).toMatchObject({ available: true, missingInputs: [], score: 52, direction: 'BULLISH', confidence: 1 });
    expect(out.factors.map((f) => [f.name, f.weight, f.contribution])).toEqual([
      ['upProbability', 0.6, 0.36],
      ['expectedReturn', 0.4, 0.16],
    ]);
    expect(out.reading).toContain('beats the random walk out of sample');
  });

  it('halves its confidence when the H4 80 % interval is miscalibrated', () => {
    const out = forecastLayer(inputs({ forecast: forecast({ calibrated: false, up: 0.45, expectedReturn: 0 }) }));
    // x: −0.5, 0 → Σ w·x = −0.3 → score −30; agreement |−0.3| / 0.3 = 1 → confidence 1, halved.
    expect([out.score, out.direction, out.confidence]).toEqual([-30, 'BEARISH', 0.5]);
    expect(out.reading).toContain('miscalibrated');
  });

  it('is unavailable when the forecast does not beat its random-walk baseline out of sample, and says so', () => {
    const out = forecastLayer(inputs({ forecast: forecast({ beats: false }) }));
    expect(out).toMatchObject({ available: false, missingInputs: ['FORECAST'], score: null, confidence: null });
    expect(out.reading).toBe(
      'Forecast unavailable: it does not beat its random-walk baseline out of sample at H4 (log-score gain 0.0040 ± 0.0060 over 600 forecasts), so it carries no edge; its weight is renormalised away',
    );
  });

  it('is unavailable without a verdict at H4, absent or stale, with the reason', () => {
    const noVerdict = forecastLayer(inputs({ forecast: forecast({ beats: null, reason: '40 out-of-sample H4 forecasts, fewer than the 100 needed to judge them' }) }));
    expect(noVerdict).toMatchObject({ available: false, missingInputs: ['FORECAST'] });
    expect(noVerdict.reading).toContain('no out-of-sample verdict at H4 yet (40 out-of-sample H4 forecasts');
    expect(forecastLayer(inputs()).reading).toBe('Forecast unavailable: FORECAST absent (not computed yet)');
    expect(forecastLayer(inputs({ forecast: stale<ForecastAnalysis>({ warmingUp: false }) })).reading).toBe('Forecast unavailable: FORECAST stale');
    expect(forecastLayer(inputs({ forecast: ok<ForecastAnalysis>({ warmingUp: true, reason: '150 contiguous returns, the model needs 200' }) })).reading).toBe(
      'Forecast unavailable: warming up (150 contiguous returns, the model needs 200)',
    );
  });
});
