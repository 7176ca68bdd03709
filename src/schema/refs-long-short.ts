import {
  ContrarianBiases,
  CrowdingSignals,
  RetailWhaleStances,
  type LongShortAnalysis,
  type RatioReading,
  type TakerReading,
} from '../analyzers/long-short.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/**
 * Refs and enums of the long/short crowding analysis (implemented in src/resolvers/long-short.ts). The
 * enums live here rather than in enums.ts so this analysis stays one self-contained slice.
 */
export const LongShortAnalysisRef = builder.objectRef<WithMeta<LongShortAnalysis>>('LongShortAnalysis');
export const LongShortReadingRef = builder.objectRef<RatioReading>('LongShortReading');
export const TakerFlowReadingRef = builder.objectRef<TakerReading>('TakerFlowReading');

export const CrowdingSignalEnum = builder.enumType(CrowdingSignals, {
  name: 'CrowdingSignal',
  description: 'Which side positioning says is crowded: score ≥ 50 CROWDED_LONGS, ≥ 20 LONG_LEAN, ≤ −50 CROWDED_SHORTS, ≤ −20 SHORT_LEAN, else BALANCED.',
  values: {
    BALANCED: { description: 'Score between −20 and 20.' },
    CROWDED_LONGS: { description: 'Score ≥ 50.' },
    CROWDED_SHORTS: { description: 'Score ≤ −50.' },
    LONG_LEAN: { description: 'Score ≥ 20.' },
    SHORT_LEAN: { description: 'Score ≤ −20.' },
  },
});

export const ContrarianBiasEnum = builder.enumType(ContrarianBiases, {
  name: 'ContrarianBias',
  description: 'The contrarian reading of crowding: CROWDED_LONGS → BEARISH, CROWDED_SHORTS → BULLISH, anything else NEUTRAL. Analysis, not advice.',
  values: {
    BEARISH: { description: 'Longs are crowded (CROWDED_LONGS): the contrarian reading leans bearish.' },
    BULLISH: { description: 'Shorts are crowded (CROWDED_SHORTS): the contrarian reading leans bullish.' },
    NEUTRAL: { description: 'No crowded side.' },
  },
});

export const RetailWhaleStanceEnum = builder.enumType(RetailWhaleStances, {
  name: 'RetailWhaleStance',
  description: "Retail (all accounts) vs whales (top traders' positions): RETAIL_MORE_LONG / WHALES_MORE_LONG when their long shares differ by ≥ 10 points, else ALIGNED.",
  values: {
    RETAIL_MORE_LONG: { description: 'Retail\'s long share exceeds the top traders\' position long share by at least the threshold.' },
    WHALES_MORE_LONG: { description: 'Top traders\' position long share exceeds retail\'s by at least the threshold.' },
    ALIGNED: { description: 'Their long shares differ by less than the threshold (default 0.1 = 10 points).' },
  },
});
