import { WhalePatterns, WhaleSignals, WhaleWindows, type WhaleActivity, type WhaleTrade } from '../analyzers/whales.types.js';
import { builder } from './builder.js';
import type { WithMeta, MaybeEventMeta } from './refs.js';

/** Refs and enums of the whale analysis (implemented in src/resolvers/whales.ts). */
export const WhaleActivityRef = builder.objectRef<WithMeta<WhaleActivity>>('WhaleActivity');
export const WhaleTradeRef = builder.objectRef<MaybeEventMeta<WhaleTrade>>('WhaleTrade');

export const WhaleWindowEnum = builder.enumType(WhaleWindows, {
  name: 'WhaleWindow',
  description: 'Look-back window of the whale analysis: M15 = 15 minutes, H1 = 1 hour, H4 = 4 hours, H24 = 24 hours.',
  values: {
    H1: { description: '1 hour.' },
    H4: { description: '4 hours.' },
    H24: { description: '24 hours.' },
    M15: { description: '15 minutes.' },
  },
});

export const WhalePatternEnum = builder.enumType(WhalePatterns, {
  name: 'WhalePattern',
  description:
    'Whale net flow against the price change of the window: ACCUMULATION (net buying while price is flat or falling), DISTRIBUTION (net selling while price is flat or rising), MARKUP (net buying with price rising), MARKDOWN (net selling with price falling), BALANCED (net flow within ±10 % of gross).',
  values: {
    ACCUMULATION: { description: 'Net whale buying while price is flat or falling.' },
    BALANCED: { description: 'Net whale flow within ±10 % of gross whale flow.' },
    DISTRIBUTION: { description: 'Net whale selling while price is flat or rising.' },
    MARKDOWN: { description: 'Net whale selling with price falling.' },
    MARKUP: { description: 'Net whale buying with price rising.' },
  },
});

export const WhaleSignalEnum = builder.enumType(WhaleSignals, {
  name: 'WhaleSignal',
  description: 'ACCUMULATING when the whale score is ≥ 25, DISTRIBUTING when ≤ −25, else NEUTRAL (also with fewer than 3 whale trades).',
  values: {
    ACCUMULATING: { description: 'Whale score ≥ 25.' },
    DISTRIBUTING: { description: 'Whale score ≤ −25.' },
    NEUTRAL: { description: 'Whale score between −25 and 25, or fewer than 3 whale trades.' },
  },
});
