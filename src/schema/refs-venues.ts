import type { AggregatedFunding, AggregatedOiChange, AggregatedOpenInterest, FundingArbitrage, FundingArbitrageLeg, FundingArbitragePair, OiChange, OiVenueShare, PriceSpread, VenueFundingRate, VenuePrice, WeightedFunding } from '../analyzers/venue-aggregation.types.js';
import { FundingRateKinds } from '../analyzers/venue-aggregation.types.js';
import { Venues, VenueStatuses, type VenueExclusion } from '../domain/venue.js';
import type { VenueQuote } from '../engine/venue-markets.js';
import { builder } from './builder.js';
import type { WithMeta, AnalysisMeta } from './refs.js';

/** Refs of the venues and the cross-venue analyses (implemented in src/resolvers/venues.ts). */

export const VenueEnum = builder.enumType(Venues, {
  name: 'Venue',
  description: 'A venue perpgraph reads. BINANCE, BYBIT and OKX are perpetual venues (several can be ingested at once, MARKET_VENUES); DERIBIT publishes the options chains; AGGREGATED names a value computed across the perpetual venues.',
  values: {
    BINANCE: { description: 'Binance USD-M perpetuals (on the simulated market: the simulated market itself).' },
    BYBIT: { description: 'Bybit v5 linear USDT perpetuals (simulated from the simulated market on it).' },
    OKX: { description: 'OKX v5 USDT swaps (simulated from the simulated market on it).' },
    DERIBIT: { description: 'Deribit options (optionsFlow, optionsSurface); no perpetual analyses are computed for it.' },
    AGGREGATED: { description: 'Across the perpetual venues (the aggregated* fields, fundingArbitrage, priceSpread).' },
  },
});

export const VenueStatusEnum = builder.enumType(VenueStatuses, {
  name: 'VenueStatus',
  description: 'How a venue stands for a value: contributing, stale or missing (a venue that is not OK is listed with its reason, never counted as a zero).',
  values: {
    OK: { description: 'Its inputs are on time: it contributes.' },
    STALE: { description: 'It has data, but an input is overdue by its own cadence (as meta.stale judges it): left out.' },
    MISSING: { description: 'It never delivered an input the value needs (not started, down since the start, or not published by the venue): left out.' },
  },
});

export const FundingRateKindEnum = builder.enumType(FundingRateKinds, {
  name: 'FundingRateKind',
  description: 'Which funding rate of a venue is used.',
  values: {
    PREDICTED: { description: 'The venue estimate for the running period (settles at nextFundingTime).' },
    SETTLED: { description: 'The last settled rate (the venue publishes no estimate).' },
  },
});

export const VenueExclusionRef = builder.objectRef<VenueExclusion>('VenueExclusion');
export const VenueMarketRef = builder.objectRef<VenueQuote & { meta: AnalysisMeta }>('VenueMarket');
export const VenueFundingQuoteRef = builder.objectRef<NonNullable<VenueQuote['funding']>>('VenueFundingQuote');
export const AggregatedOpenInterestRef = builder.objectRef<WithMeta<AggregatedOpenInterest>>('AggregatedOpenInterest');
export const VenueOpenInterestRef = builder.objectRef<OiVenueShare>('VenueOpenInterest');
export const OpenInterestWindowChangeRef = builder.objectRef<OiChange>('OpenInterestWindowChange');
export const AggregatedOpenInterestChangeRef = builder.objectRef<AggregatedOiChange>('AggregatedOpenInterestChange');
export const AggregatedFundingRef = builder.objectRef<WithMeta<AggregatedFunding>>('AggregatedFunding');
export const VenueFundingRateRef = builder.objectRef<VenueFundingRate>('VenueFundingRate');
export const WeightedFundingRef = builder.objectRef<WeightedFunding>('WeightedFunding');
export const FundingArbitrageRef = builder.objectRef<WithMeta<FundingArbitrage>>('FundingArbitrage');
export const FundingArbitrageLegRef = builder.objectRef<FundingArbitrageLeg>('FundingArbitrageLeg');
export const FundingArbitragePairRef = builder.objectRef<FundingArbitragePair>('FundingArbitragePair');
export const VenuePriceSpreadRef = builder.objectRef<WithMeta<PriceSpread>>('VenuePriceSpread');
export const VenuePriceRef = builder.objectRef<VenuePrice>('VenuePrice');
