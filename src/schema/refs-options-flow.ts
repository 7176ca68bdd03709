import {
  DealerPositionings,
  TermStructureShapes,
  type GammaExposure,
  type GammaSqueeze,
  type GexStrike,
  type OptionsExpiryFlow,
  type OptionsFlowAnalysis,
  type PutCallRatios,
  type TermStructure,
} from '../analyzers/options-flow.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the options-flow analysis (implemented in src/resolvers/options-flow.ts). */
export const OptionsFlowRef = builder.objectRef<WithMeta<OptionsFlowAnalysis>>('OptionsFlow');
export const OptionsPutCallRef = builder.objectRef<PutCallRatios>('OptionsPutCall');
export const OptionsExpiryFlowRef = builder.objectRef<OptionsExpiryFlow>('OptionsExpiryFlow');
export const OptionsTermStructureRef = builder.objectRef<TermStructure>('OptionsTermStructure');
export const OptionsGammaExposureRef = builder.objectRef<GammaExposure>('OptionsGammaExposure');
export const OptionsGexStrikeRef = builder.objectRef<GexStrike>('OptionsGexStrike');
export const OptionsGammaSqueezeRef = builder.objectRef<GammaSqueeze>('OptionsGammaSqueeze');

export const DealerPositioningEnum = builder.enumType(DealerPositionings, {
  name: 'DealerPositioning',
  description:
    'Assumed dealer (market-maker) side of all open interest, which signs gamma exposure. LONG_CALLS_SHORT_PUTS (default) is the SqueezeMetrics/SpotGamma convention: customers sell calls (overwriting) and buy puts (protection), so GEX = Σ call Γ·OI − Σ put Γ·OI. SHORT_CALLS_LONG_PUTS is its mirror (speculative call buying, put selling); SHORT_ALL assumes customers are net long every option; LONG_ALL the opposite.',
  values: {
    LONG_ALL: { description: 'Dealers long every option (customers net short all options).' },
    LONG_CALLS_SHORT_PUTS: { description: 'Default: dealers long calls, short puts (customers overwrite calls and buy puts).' },
    SHORT_ALL: { description: 'Dealers short every option (customers net long all options).' },
    SHORT_CALLS_LONG_PUTS: { description: 'Dealers short calls, long puts (speculative call buying, put selling).' },
  },
});

export const OptionsTermStructureShapeEnum = builder.enumType(TermStructureShapes, {
  name: 'OptionsTermStructureShape',
  description: 'ATM implied volatility from front to back expiry: CONTANGO (rising, the calm norm), BACKWARDATION (falling: near-term stress), FLAT (within ±1 vol point).',
  values: {
    BACKWARDATION: { description: 'Back ATM IV below the front by more than 1 vol point: near-term stress.' },
    CONTANGO: { description: 'Back ATM IV above the front by more than 1 vol point: the calm norm.' },
    FLAT: { description: 'Front and back ATM IV within ±1 vol point.' },
  },
});
