import { TrapDirections, TrapLevelSources, TrapTypes, type Trap, type TrapAnalysis, type TrapBar } from '../analyzers/traps.types.js';
import { builder } from './builder.js';
import type { WithMeta, MaybeEventMeta } from './refs.js';

/** Refs and enums of the market-maker trap analysis (implemented in src/resolvers/traps.ts). */
export const TrapAnalysisRef = builder.objectRef<WithMeta<TrapAnalysis>>('TrapAnalysis');
export const TrapRef = builder.objectRef<MaybeEventMeta<Trap>>('Trap');
export const TrapBarRef = builder.objectRef<TrapBar>('TrapBar');

export const TrapTypeEnum = builder.enumType(TrapTypes, {
  name: 'TrapType',
  description:
    'LIQUIDITY_GRAB_HIGH/LOW: a wick beyond a prior swing high/low that closed back inside on the same bar (stop hunt). FAKE_BREAKOUT_UP/DOWN: a close beyond the level, then a close back inside within K bars.',
  values: {
    FAKE_BREAKOUT_DOWN: { description: 'A close below a swing low followed within `reclaimBars` bars by a close back above it.' },
    FAKE_BREAKOUT_UP: { description: 'A close above a swing high followed within `reclaimBars` bars by a close back below it.' },
    LIQUIDITY_GRAB_HIGH: { description: 'A wick above a prior swing high (or liquidation level) that closed back below it: buy stops taken, sellers in control.' },
    LIQUIDITY_GRAB_LOW: { description: 'A wick below a prior swing low that closed back above it: sell stops taken, buyers in control.' },
  },
});

export const TrapDirectionEnum = builder.enumType(TrapDirections, {
  name: 'TrapDirection',
  description: 'The move a trap implies: BEARISH after a trap above the market (buyers caught), BULLISH after one below (sellers caught).',
  values: {
    BEARISH: { description: 'After a trap above the market: buyers caught, a move down implied.' },
    BULLISH: { description: 'After a trap below the market: sellers caught, a move up implied.' },
  },
});

export const TrapLevelSourceEnum = builder.enumType(TrapLevelSources, {
  name: 'TrapLevelSource',
  description: 'What made the swept level: a confirmed swing high or swing low (causal fractal, 2 bars each side).',
  values: {
    SWING_HIGH: { description: 'A confirmed swing high.' },
    SWING_LOW: { description: 'A confirmed swing low.' },
  },
});
