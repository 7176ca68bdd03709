import { TrapDirections, TrapLevelSources, TrapTypes, type Trap, type TrapAnalysis, type TrapBar } from '../analyzers/traps.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the market-maker trap analysis (implemented in src/resolvers/traps.ts). */
export const TrapAnalysisRef = builder.objectRef<WithMeta<TrapAnalysis>>('TrapAnalysis');
export const TrapRef = builder.objectRef<Trap>('Trap');
export const TrapBarRef = builder.objectRef<TrapBar>('TrapBar');

export const TrapTypeEnum = builder.enumType(TrapTypes, {
  name: 'TrapType',
  description:
    'LIQUIDITY_GRAB_HIGH/LOW: a wick beyond a prior swing high/low that closed back inside on the same bar (stop hunt). FAKE_BREAKOUT_UP/DOWN: a close beyond the level, then a close back inside within K bars.',
});

export const TrapDirectionEnum = builder.enumType(TrapDirections, {
  name: 'TrapDirection',
  description: 'The move a trap implies: BEARISH after a trap above the market (buyers caught), BULLISH after one below (sellers caught).',
});

export const TrapLevelSourceEnum = builder.enumType(TrapLevelSources, {
  name: 'TrapLevelSource',
  description: 'What made the swept level: a confirmed swing high or swing low (causal fractal, 2 bars each side).',
});
