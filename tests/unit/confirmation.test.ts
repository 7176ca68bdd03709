import { describe, expect, it } from 'vitest';
import {
  composeConfirmation,
  computeConfirmation,
  confirmationRecommendation,
  ConfirmationWeightsError,
  CONFIRMATION_LAYER_ORDER,
  DEFAULT_LAYER_WEIGHTS,
  qualityOf,
  resolveLayerWeights,
  reweighConfirmation,
  strengthOf,
} from '../../src/analyzers/confirmation.js';
import { directionOf, unavailableLayer, type ConfirmationInputs, type ConfirmationLayer, type ConfirmationLayerName, type LayerOutcome } from '../../src/analyzers/confirmation.types.js';

const layer = (score: number): LayerOutcome => ({ available: true, missingInputs: [], score, direction: directionOf(score), confidence: 0.8, factors: [], reading: `reading ${score}` });
const missing = (name: string) => unavailableLayer([name], `${name} missing`);

/** Every layer unavailable, then the given ones. */
function outcomes(scores: Partial<Record<ConfirmationLayerName, number>>): Record<ConfirmationLayerName, LayerOutcome> {
  const out = {} as Record<ConfirmationLayerName, LayerOutcome>;
  for (const name of CONFIRMATION_LAYER_ORDER) out[name] = scores[name] === undefined ? missing(name) : layer(scores[name]);
  return out;
}

const ELEVEN = { PRICE_ACTION: 60, VOLUME: 40, TECHNICAL: 50, WYCKOFF: 20, SUPPORT_RESISTANCE: -30, FIBONACCI: 0, ORDER_FLOW: 52, WHALES: 72, SENTIMENT: 40, CORRELATION: 10, OPTIONS_FLOW: 40 };

describe('composeConfirmation', () => {
  it('default weights sum to 1', () => {
    expect(Object.values(DEFAULT_LAYER_WEIGHTS).reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
  });

  it('eleven layers, forecast missing: hand-computed score, signal, strength, quality, distribution', () => {
    const c = composeConfirmation('BTCUSDT', '1h', outcomes(ELEVEN))!;
    // Σ w·s = 7.2 + 4 + 6 + 1.6 − 2.4 + 0 + 6.24 + 5.04 + 2 + 0.6 + 2 = 32.28 over available weight 0.9 → 35.8667.
    expect(c.score).toBe(67.93); // 50 + 35.8667 / 2
    expect(c.signal).toBe('BULLISH');
    expect(c.coverage).toBe(0.9);
    // A = (0.12 + 0.10 + 0.12 + 0.08 + 0.12 + 0.07 + 0.05 + 0.05) / 0.9 = 0.789 ≥ 0.7; D = 0.277 ≤ 0.35.
    expect(c.strength).toBe('STRONG');
    // conviction 17.93: ≥ 12 but < 20 → GOOD.
    expect(c.quality).toBe('GOOD');
    expect(c.distribution).toEqual({ bullish: 8, bearish: 1, neutral: 2, unavailable: 1 });
    const forecast = c.layers.find((l) => l.name === 'FORECAST')!;
    expect([forecast.available, forecast.weight, forecast.missingInputs]).toEqual([false, 0, ['FORECAST']]);
    expect(c.layers.find((l) => l.name === 'PRICE_ACTION')!.weight).toBe(0.133333); // 0.12 / 0.9
    expect(c.layers.reduce((s, l) => s + l.weight, 0)).toBeCloseTo(1, 5);
    expect(c.factors).toHaveLength(11);
    expect(c.factors[0]).toMatchObject({ name: 'priceAction', value: 60, weight: 0.133333, contribution: 0.08, note: 'reading 60' });
    expect(c.factors.reduce((s, f) => s + f.contribution, 0)).toBeCloseTo(0.358667, 5); // Σ contributions = weighted mean / 100
  });

  it('renormalises over two available layers; low coverage caps quality at POOR', () => {
    const c = composeConfirmation('BTCUSDT', '1h', outcomes({ ORDER_FLOW: 52, WHALES: 72 }))!;
    // weights 0.12 / 0.19 = 0.631579 and 0.368421; mean 59.368 → 79.68.
    expect(c.score).toBe(79.68);
    expect(c.coverage).toBe(0.19);
    expect(c.strength).toBe('STRONG'); // both bullish, D = 0.096
    expect(c.quality).toBe('POOR'); // coverage 0.19 < 0.3, whatever the conviction
    expect(c.layers.filter((l) => l.weight > 0).map((l) => [l.name, l.weight])).toEqual([
      ['ORDER_FLOW', 0.631579],
      ['WHALES', 0.368421],
    ]);
  });

  it('weights argument: overrides apply, coverage is available weight over the new total', () => {
    const weights = resolveLayerWeights([
      { layer: 'ORDER_FLOW', weight: 0 },
      { layer: 'WHALES', weight: 1 },
    ]);
    const c = composeConfirmation('BTCUSDT', '1h', outcomes({ ORDER_FLOW: 52, WHALES: 72 }), weights)!;
    // Only whales weigh: score 50 + 72 / 2 = 86; total 1 − 0.12 − 0.07 + 1 = 1.81 → coverage 0.5525.
    expect(c.score).toBe(86);
    expect(c.coverage).toBe(0.5525);
    expect(c.layers.find((l) => l.name === 'ORDER_FLOW')!.weight).toBe(0);
    expect(c.strength).toBe('STRONG');
    expect(c.quality).toBe('GOOD'); // conviction 36 and STRONG, but coverage < 0.75 caps below EXCELLENT
  });

  it('null when no weighted layer is available (never a silent 50)', () => {
    expect(composeConfirmation('BTCUSDT', '1h', outcomes({}))).toBeNull();
    expect(composeConfirmation('BTCUSDT', '1h', outcomes({ WHALES: 50 }), resolveLayerWeights([{ layer: 'WHALES', weight: 0 }]))).toBeNull();
  });

  it('reweighConfirmation recomposes the stored layers', () => {
    const c = composeConfirmation('BTCUSDT', '1h', outcomes(ELEVEN))!;
    const only = reweighConfirmation(c, resolveLayerWeights(CONFIRMATION_LAYER_ORDER.map((layer) => ({ layer, weight: layer === 'SUPPORT_RESISTANCE' ? 1 : 0 }))))!;
    expect([only.score, only.signal, only.coverage]).toEqual([35, 'BEARISH', 1]);
    expect(only.distribution).toEqual(c.distribution);
  });

  it('rejects unusable weights', () => {
    expect(() => resolveLayerWeights([{ layer: 'VOLUME', weight: -0.1 }])).toThrow(ConfirmationWeightsError);
    expect(() => resolveLayerWeights([{ layer: 'VOLUME', weight: Number.NaN }])).toThrow(/finite/);
    expect(() => resolveLayerWeights([{ layer: 'ASTROLOGY', weight: 1 }])).toThrow(/Unknown confirmation layer "ASTROLOGY"/);
    expect(() => resolveLayerWeights([{ layer: 'VOLUME', weight: 1 }, { layer: 'VOLUME', weight: 2 }])).toThrow(/twice/);
    expect(() => resolveLayerWeights(CONFIRMATION_LAYER_ORDER.map((layer) => ({ layer, weight: 0 })))).toThrow(/sum to 0/);
    expect(resolveLayerWeights(null)).toEqual(DEFAULT_LAYER_WEIGHTS);
  });
});

describe('strength and quality thresholds', () => {
  it('strength: STRONG at A ≥ 0.7 and D ≤ 0.35, MEDIUM at A ≥ 0.5 and D ≤ 0.6', () => {
    expect(strengthOf(0.7, 0.35)).toBe('STRONG');
    expect(strengthOf(0.69, 0.1)).toBe('MEDIUM');
    expect(strengthOf(0.9, 0.36)).toBe('MEDIUM');
    expect(strengthOf(0.5, 0.6)).toBe('MEDIUM');
    expect(strengthOf(0.49, 0)).toBe('WEAK');
    expect(strengthOf(1, 0.61)).toBe('WEAK');
  });

  it('quality: conviction, strength and coverage caps', () => {
    expect(qualityOf(20, 'BULLISH', 'STRONG', 0.75)).toBe('EXCELLENT');
    expect(qualityOf(19.99, 'BULLISH', 'STRONG', 1)).toBe('GOOD');
    expect(qualityOf(30, 'BULLISH', 'STRONG', 0.74)).toBe('GOOD');
    expect(qualityOf(12, 'BEARISH', 'MEDIUM', 0.5)).toBe('GOOD');
    expect(qualityOf(30, 'BEARISH', 'WEAK', 1)).toBe('MODERATE');
    expect(qualityOf(30, 'BEARISH', 'STRONG', 0.49)).toBe('MODERATE');
    expect(qualityOf(8, 'BULLISH', 'WEAK', 0.3)).toBe('MODERATE');
    expect(qualityOf(8, 'BULLISH', 'WEAK', 0.29)).toBe('POOR');
    expect(qualityOf(5, 'NEUTRAL', 'STRONG', 1)).toBe('POOR');
  });

  it('a composite inside ±7.5 of 50 is NEUTRAL and POOR', () => {
    const c = composeConfirmation('BTCUSDT', '1h', outcomes({ PRICE_ACTION: 10, TECHNICAL: 14, ORDER_FLOW: 12, VOLUME: 15, WYCKOFF: 5, SUPPORT_RESISTANCE: 0, FIBONACCI: -5, WHALES: 10 }))!;
    expect(c.signal).toBe('NEUTRAL');
    expect(c.quality).toBe('POOR');
    expect(c.strength).toBe('STRONG'); // every layer NEUTRAL too, close together
  });
});

describe('recommendation', () => {
  const c = composeConfirmation('BTCUSDT', '1h', outcomes(ELEVEN))!;
  it('English: counts, drivers, dissent, coverage, and never advice', () => {
    expect(c.recommendation).toBe(
      'Bullish confirmation, score 68/100, quality good, strong agreement: 8 of 11 available layers lean bullish, led by price action, order flow, technical indicators. Against it: support/resistance. Coverage 90 % (not available: forecast). The layers broadly agree; a plan in this direction still needs its own stop and size. Analysis, not advice.',
    );
  });
  it('Turkish', () => {
    expect(confirmationRecommendation(c, 'TR')).toBe(
      'Yükseliş yönlü teyit, skor 68/100, kalite iyi, uyum güçlü: mevcut 11 katmanın 8 tanesi yükseliş yönlü; öne çıkanlar: fiyat hareketi, emir akışı, teknik göstergeler. Karşı yönde: destek/direnç. Kapsam %90 (kullanılamayan: tahmin). Katmanlar büyük ölçüde uyumlu; bu yönde bir plan yine de kendi zarar durdurma seviyesini ve pozisyon büyüklüğünü gerektirir. Bu bir analizdir, yatırım tavsiyesi değildir.',
    );
  });
});

describe('computeConfirmation', () => {
  it('runs each layer on the inputs and composes them', () => {
    const seen: string[] = [];
    const layers = {} as Record<ConfirmationLayerName, ConfirmationLayer>;
    for (const name of CONFIRMATION_LAYER_ORDER) {
      layers[name] = (i: ConfirmationInputs) => {
        seen.push(`${name}:${i.symbol}`);
        return name === 'TECHNICAL' ? layer(-40) : missing(name);
      };
    }
    const c = computeConfirmation({ symbol: 'ETHUSDT', interval: '4h' } as ConfirmationInputs, { layers })!;
    expect(seen).toHaveLength(12);
    expect([c.symbol, c.interval, c.score, c.signal, c.coverage]).toEqual(['ETHUSDT', '4h', 30, 'BEARISH', 0.12]);
    expect(() => computeConfirmation({ symbol: 'ETHUSDT', interval: '4h' } as ConfirmationInputs, { layers, weights: [{ layer: 'TECHNICAL', weight: -1 }] })).toThrow(ConfirmationWeightsError);
  });
});
