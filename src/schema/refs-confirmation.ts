import {
  ConfirmationLayerNames,
  ConfirmationQualities,
  ConfirmationStrengths,
  LayerDirections,
  type Confirmation,
  type ConfirmationLayerResult,
} from '../analyzers/confirmation.types.js';
import { RecommendationLanguages, type ConfirmationAgreementSummary } from '../analyzers/confirmation.js';
import type { CandleInterval } from '../domain/market.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the confirmation score (implemented in src/resolvers/confirmation.ts). */
export const ConfirmationRef = builder.objectRef<WithMeta<Confirmation>>('Confirmation');
export const ConfirmationLayerRef = builder.objectRef<ConfirmationLayerResult>('ConfirmationLayer');
export const ConfirmationDistributionRef = builder.objectRef<Confirmation['distribution']>('ConfirmationDistribution');

/** One row of the multi-timeframe matrix: the composite of one interval, or why there is none. */
export interface ConfirmationMatrixRow {
  interval: CandleInterval;
  confirmation: WithMeta<Confirmation> | null;
  unavailableReason: string | null;
}

/** How the intervals of a matrix agree (the analyzer's summary). */
export type ConfirmationAgreement = ConfirmationAgreementSummary;

export interface ConfirmationMatrix {
  symbol: string;
  rows: ConfirmationMatrixRow[];
  agreement: ConfirmationAgreement;
}

export const ConfirmationMatrixRef = builder.objectRef<ConfirmationMatrix>('ConfirmationMatrix');
export const ConfirmationMatrixRowRef = builder.objectRef<ConfirmationMatrixRow>('ConfirmationMatrixRow');
export const ConfirmationAgreementRef = builder.objectRef<ConfirmationAgreement>('ConfirmationAgreement');

export const ConfirmationLayerNameEnum = builder.enumType(ConfirmationLayerNames, {
  name: 'ConfirmationLayerName',
  description: 'The twelve layers of the confirmation score, in their documented order (docs/confirmation.md).',
  values: {
    PRICE_ACTION: { description: '1: trend of closes, candle structure, momentum.' },
    VOLUME: { description: '2: delta and CVD, volume spikes, OBV (unavailable when taker volume is unknown).' },
    TECHNICAL: { description: '3: RSI, MACD, EMA stack, stochastic.' },
    WYCKOFF: { description: '4: Wyckoff and SMC phase from the regime, structure and volume.' },
    SUPPORT_RESISTANCE: { description: '5: distance to and strength of the nearest levels.' },
    FIBONACCI: { description: '6: position in the retracement grid of the last swing.' },
    ORDER_FLOW: { description: '7: taker imbalance, open-interest quadrant, funding pressure.' },
    WHALES: { description: '8: whale net flow and pattern.' },
    SENTIMENT: { description: '9: the sentiment composite.' },
    CORRELATION: { description: '10: cross-asset regime and BTC dominance trend.' },
    OPTIONS_FLOW: { description: '11: put/call, skew and max pain (symbols with an options market only).' },
    FORECAST: { description: '12: the forecast analysis at H4 (probability up, expected return); unavailable when it does not beat its random-walk baseline out of sample.' },
  },
});

export const ConfirmationDirectionEnum = builder.enumType(LayerDirections, {
  name: 'ConfirmationDirection',
  description: 'Direction of a layer or composite score: NEUTRAL inside ±15 of 0 (a layer, -100..100) or ±7.5 of 50 (the composite, 0..100).',
  values: {
    BULLISH: { description: 'Score above the neutral band.' },
    BEARISH: { description: 'Score below the neutral band.' },
    NEUTRAL: { description: 'Score inside the neutral band.' },
  },
});

export const ConfirmationQualityEnum = builder.enumType(ConfirmationQualities, {
  name: 'ConfirmationQuality',
  description: 'How much the composite can be relied on, from conviction |score - 50|, strength and coverage (thresholds in docs/confirmation.md).',
  values: {
    EXCELLENT: { description: 'Conviction at least 20, STRONG agreement and coverage at least 0.75.' },
    GOOD: { description: 'Conviction at least 12, MEDIUM or STRONG agreement and coverage at least 0.5.' },
    MODERATE: { description: 'A directional signal with coverage at least 0.3.' },
    POOR: { description: 'Neutral, or coverage below 0.3.' },
  },
});

export const ConfirmationStrengthEnum = builder.enumType(ConfirmationStrengths, {
  name: 'ConfirmationStrength',
  description: 'Agreement of the available layers: A = weight share on the signal side, D = weighted standard deviation of layer scores / 100.',
  values: {
    STRONG: { description: 'A at least 0.7 and D at most 0.35.' },
    MEDIUM: { description: 'A at least 0.5 and D at most 0.6.' },
    WEAK: { description: 'Anything less.' },
  },
});

export const LanguageEnum = builder.enumType(RecommendationLanguages, {
  name: 'Language',
  description: 'Language of generated plain-text readings.',
  values: {
    EN: { description: 'English.' },
    TR: { description: 'Turkish (Türkçe).' },
  },
});

export const LayerWeightInputRef = builder.inputType('LayerWeightInput', {
  description: 'Weight of one confirmation layer, overriding its default (layers not listed keep theirs).',
  fields: (t) => ({
    layer: t.field({ type: ConfirmationLayerNameEnum, required: true, description: 'The layer.' }),
    weight: t.float({ required: true, description: 'Weight, a finite number at least 0 (0 leaves the layer out). Weights need not sum to 1: they are renormalised.' }),
  }),
});
