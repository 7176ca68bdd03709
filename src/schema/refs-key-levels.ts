import { KeyLevelKinds, LegDirections, LevelSides, type FibLeg, type KeyLevel, type KeyLevels, type PeriodHlc } from '../analyzers/key-levels.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/**
 * Refs and enums of the key-levels analysis (implemented in src/resolvers/key-levels.ts). The enums live
 * here rather than in enums.ts so this analysis stays one self-contained slice.
 */
export const KeyLevelsRef = builder.objectRef<WithMeta<KeyLevels>>('KeyLevels');
export const KeyLevelRef = builder.objectRef<KeyLevel>('KeyLevel');
export const KeyLevelLegRef = builder.objectRef<FibLeg>('KeyLevelLeg');
export const KeyLevelPeriodRef = builder.objectRef<PeriodHlc>('KeyLevelPeriod');

export const KeyLevelKindEnum = builder.enumType(KeyLevelKinds, {
  name: 'KeyLevelKind',
  description:
    'Where a level comes from: SWING_CLUSTER (confirmed swings within the tolerance), VOLUME_NODE (volume-by-price peak), FIB_RETRACEMENT / FIB_EXTENSION (of the last confirmed leg), PRIOR_DAY_* / PRIOR_WEEK_* (high, low, close of the previous UTC day / week).',
  values: {
    FIB_EXTENSION: { description: 'Fibonacci extension of the last confirmed leg beyond its end (1.272, 1.618).' },
    FIB_RETRACEMENT: { description: 'Fibonacci retracement of the last confirmed leg (0.236 … 0.786).' },
    SWING_CLUSTER: { description: 'Confirmed swing highs/lows within `tolerancePct` of each other.' },
    VOLUME_NODE: { description: 'A local peak of the volume-by-price histogram (the largest one is the point of control).' },
    PRIOR_DAY_CLOSE: { description: 'Close of the previous UTC day.' },
    PRIOR_DAY_HIGH: { description: 'High of the previous UTC day.' },
    PRIOR_DAY_LOW: { description: 'Low of the previous UTC day.' },
    PRIOR_WEEK_CLOSE: { description: 'Close of the previous week (Monday 00:00 UTC weeks).' },
    PRIOR_WEEK_HIGH: { description: 'High of the previous week.' },
    PRIOR_WEEK_LOW: { description: 'Low of the previous week.' },
  },
});

export const KeyLevelSideEnum = builder.enumType(LevelSides, {
  name: 'KeyLevelSide',
  description: 'SUPPORT: the level is below the current price; RESISTANCE: at or above it.',
  values: {
    RESISTANCE: { description: 'At or above the current price.' },
    SUPPORT: { description: 'Below the current price.' },
  },
});

export const KeyLevelLegDirectionEnum = builder.enumType(LegDirections, {
  name: 'KeyLevelLegDirection',
  description: 'UP: a swing low to the following swing high; DOWN: a swing high to the following swing low.',
  values: {
    DOWN: { description: 'From a swing high to the following swing low.' },
    UP: { description: 'From a swing low to the following swing high.' },
  },
});
