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
});

export const SwingLabelEnum = builder.enumType(SwingLabels, {
  name: 'SwingLabel',
  description:
    'A swing against the previous confirmed swing of the same kind: HH higher high, LH lower (or equal) high, HL higher (or equal) low, LL lower low.',
});

export const StructureTrendEnum = builder.enumType(StructureTrends, {
  name: 'StructureTrend',
  description: 'UPTREND after a bullish BOS/CHoCH, DOWNTREND after a bearish one, RANGE before the first break of a confirmed swing.',
});

export const StructureEventKindEnum = builder.enumType(StructureEventKinds, {
  name: 'StructureEventKind',
  description:
    'BOS (break of structure): a close beyond the last confirmed swing in the trend direction (from RANGE, the first break). CHOCH (change of character): a close beyond the last confirmed swing against the trend.',
});

export const StructureDirectionEnum = builder.enumType(StructureDirections, {
  name: 'StructureDirection',
  description: 'BULLISH: a close above a swing high; BEARISH: a close below a swing low.',
});
