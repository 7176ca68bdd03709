import {
  AtmChangeLags,
  type ArbitrageReport,
  type AtmVolChange,
  type ButterflyViolation,
  type CalendarViolation,
  type ConstantMaturityAtm,
  type DeltaPoint,
  type OptionsSurfaceAnalysis,
  type StrikeActivity,
  type SurfaceExpiry,
  type SurfaceStrike,
  type SviFit,
  type TenorChange,
  type VarianceTerm,
  type VolatilityIndex,
  type VolIndexContribution,
} from '../analyzers/options-surface.types.js';
import { builder } from './builder.js';
import type { WithMeta } from './refs.js';

/** Refs and enums of the options-surface analysis (implemented in src/resolvers/options-surface.ts). */
export const OptionsSurfaceRef = builder.objectRef<WithMeta<OptionsSurfaceAnalysis>>('OptionsSurface');
export const OptionsSurfaceExpiryRef = builder.objectRef<SurfaceExpiry>('OptionsSurfaceExpiry');
export const OptionsSurfaceStrikeRef = builder.objectRef<SurfaceStrike>('OptionsSurfaceStrike');
export const OptionsSviFitRef = builder.objectRef<SviFit>('OptionsSviFit');
export const OptionsDeltaPointRef = builder.objectRef<DeltaPoint>('OptionsDeltaPoint');
export const OptionsAtmTenorRef = builder.objectRef<ConstantMaturityAtm>('OptionsAtmTenor');
export const OptionsArbitrageReportRef = builder.objectRef<ArbitrageReport>('OptionsArbitrageReport');
export const OptionsButterflyViolationRef = builder.objectRef<ButterflyViolation>('OptionsButterflyViolation');
export const OptionsCalendarViolationRef = builder.objectRef<CalendarViolation>('OptionsCalendarViolation');
export const OptionsVolatilityIndexRef = builder.objectRef<VolatilityIndex>('OptionsVolatilityIndex');
export const OptionsVarianceTermRef = builder.objectRef<VarianceTerm>('OptionsVarianceTerm');
export const OptionsVarianceContributionRef = builder.objectRef<VolIndexContribution>('OptionsVarianceContribution');
export const OptionsStrikeActivityRef = builder.objectRef<StrikeActivity>('OptionsStrikeActivity');
export const OptionsAtmVolChangeRef = builder.objectRef<AtmVolChange>('OptionsAtmVolChange');
export const OptionsTenorChangeRef = builder.objectRef<TenorChange>('OptionsTenorChange');

export const OptionsChangeLagEnum = builder.enumType(AtmChangeLags, {
  name: 'OptionsChangeLag',
  description: 'How far back a change of the surface looks.',
  values: {
    ONE_DAY: { description: 'Against the stored result nearest to 1 day earlier (within 3 hours).' },
    ONE_WEEK: { description: 'Against the stored result nearest to 7 days earlier (within 1 day).' },
    ONE_MONTH: { description: 'Against the stored result nearest to 30 days earlier (within 3 days).' },
  },
});

export const OptionsIndexOptionEnum = builder.enumType({ PUT: 'PUT', CALL: 'CALL', ATM: 'ATM' } as const, {
  name: 'OptionsIndexOption',
  description: 'Which option prices a strike of the volatility index sum.',
  values: {
    PUT: { description: 'Out-of-the-money put (strike below K0).' },
    CALL: { description: 'Out-of-the-money call (strike above K0).' },
    ATM: { description: 'K0: the mean of the call and put mid quotes.' },
  },
});
