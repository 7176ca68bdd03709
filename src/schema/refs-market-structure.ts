import {
  StructureDirections,
  StructureEventKinds,
  StructureTrends,
  SwingLabels,
  type MarketStructure,
  type StructureEvent,
  type StructureSwing,
} from '../analyzers/market-structure.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/**
 * Refs and enums of the market-structure analysis (implemented in src/resolvers/market-structure.ts).
 * The enums live here rather than in enums.ts so this analysis stays one self-contained slice.
 */
export const MarketStructureRef = builder.objectRef<WithMeta<MarketStructure>>('MarketStructure');
export const StructureSwingRef = builder.objectRef<StructureSwing>('StructureSwing');
export const StructureEventRef = builder.objectRef<StructureEvent>('StructureEvent');

export const StructureSwingKindEnum = builder.enumType({ HIGH: 'HIGH', LOW: 'LOW' } as const, {
  name: 'StructureSwingKind',
  description: 'HIGH: a swing high (a bar whose high is above the bars around it); LOW: a swing low.',
  values: {
    HIGH: { description: 'A swing high: its high is above the highs of the bars around it.' },
    LOW: { description: 'A swing low: its low is below the lows of the bars around it.' },
  },
});

export const SwingLabelEnum = builder.enumType(SwingLabels, {
  name: 'SwingLabel',
  description:
    'A swing against the previous confirmed swing of the same kind: HH higher high, LH lower (or equal) high, HL higher (or equal) low, LL lower low.',
  values: {
    HH: { description: 'Higher high: a swing high above the previous swing high.' },
    HL: { description: 'Higher low: a swing low at or above the previous swing low (an equal low held).' },
    LH: { description: 'Lower high: a swing high at or below the previous swing high (an equal high failed to extend).' },
    LL: { description: 'Lower low: a swing low below the previous swing low.' },
  },
});

export const StructureTrendEnum = builder.enumType(StructureTrends, {
  name: 'StructureTrend',
  description: 'UPTREND after a bullish BOS/CHoCH, DOWNTREND after a bearish one, RANGE before the first break of a confirmed swing.',
  values: {
    DOWNTREND: { description: 'After a bearish BOS or CHoCH.' },
    RANGE: { description: 'Before the first break of a confirmed swing.' },
    UPTREND: { description: 'After a bullish BOS or CHoCH.' },
  },
});

export const StructureEventKindEnum = builder.enumType(StructureEventKinds, {
  name: 'StructureEventKind',
  description:
    'BOS (break of structure): a close beyond the last confirmed swing in the trend direction (from RANGE, the first break). CHOCH (change of character): a close beyond the last confirmed swing against the trend.',
  values: {
    BOS: { description: 'Break of structure: a close beyond the last confirmed swing in the direction of the trend (continuation).' },
    CHOCH: { description: 'Change of character: a close beyond the last confirmed swing against the trend (first sign of reversal).' },
  },
});

export const StructureDirectionEnum = builder.enumType(StructureDirections, {
  name: 'StructureDirection',
  description: 'BULLISH: a close above a swing high; BEARISH: a close below a swing low.',
  values: {
    BEARISH: { description: 'A close below a confirmed swing low.' },
    BULLISH: { description: 'A close above a confirmed swing high.' },
  },
});
