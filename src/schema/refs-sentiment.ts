import {
  SentimentClassifications,
  SentimentFactorNames,
  type CrowdSentimentSection,
  type FearGreedReading,
  type FearGreedSection,
  type PriceSentimentSection,
  type SentimentAnalysis,
  type SentimentFactor,
  type SocialSentimentSection,
} from '../analyzers/sentiment.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the sentiment analysis (implemented in src/resolvers/sentiment.ts). */
export const SentimentAnalysisRef = builder.objectRef<WithMeta<SentimentAnalysis>>('SentimentAnalysis');
export const SentimentFearGreedRef = builder.objectRef<FearGreedSection>('SentimentFearGreed');
export const SentimentFearGreedReadingRef = builder.objectRef<FearGreedReading>('SentimentFearGreedReading');
export const PriceSentimentRef = builder.objectRef<PriceSentimentSection>('PriceSentiment');
export const CrowdSentimentRef = builder.objectRef<CrowdSentimentSection>('CrowdSentiment');
export const SocialSentimentRef = builder.objectRef<SocialSentimentSection>('SocialSentiment');
export const SentimentFactorRef = builder.objectRef<SentimentFactor>('SentimentFactor');

export const SentimentClassificationEnum = builder.enumType(SentimentClassifications, {
  name: 'SentimentClassification',
  description: 'Band of the 0-100 composite: EXTREME_FEAR ≤ 25 < FEAR ≤ 46 < NEUTRAL ≤ 54 < GREED ≤ 75 < EXTREME_GREED (alternative.me cut-offs).',
  values: {
    EXTREME_FEAR: { description: '0..25' },
    EXTREME_GREED: { description: '76..100' },
    FEAR: { description: '26..46' },
    GREED: { description: '55..75' },
    NEUTRAL: { description: '47..54' },
  },
});

export const SentimentFactorNameEnum = builder.enumType(
  { FEAR_GREED: SentimentFactorNames.FEAR_GREED, PRICE: SentimentFactorNames.PRICE, CROWD: SentimentFactorNames.CROWD } as const,
  {
    name: 'SentimentFactorName',
    description: 'Input of the sentiment composite: FEAR_GREED (the index), PRICE (momentum and distance from the mean), CROWD (funding and long/short).',
    values: {
      CROWD: { description: 'Funding and long/short positioning.' },
      FEAR_GREED: { description: 'The Fear & Greed index.' },
      PRICE: { description: 'Price momentum and distance from its mean.' },
    },
  },
);
