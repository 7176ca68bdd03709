import { AGGREGATED_OI_METHODOLOGY_VERSION, computeAggregatedOpenInterest } from '../../analyzers/aggregated-open-interest.js';
import type { AggregatedOpenInterest } from '../../analyzers/venue-aggregation.types.js';
import type { CrossVenueDefinition } from '../definition.js';
import { judgeVenue, oiUsdSeries } from './venue-inputs.js';

/** Open interest summed across the perpetual venues (USD), with shares and changes per venue. */
export const aggregatedOpenInterestDefinition: CrossVenueDefinition<AggregatedOpenInterest> = {
  kind: 'AGGREGATED_OPEN_INTEREST',
  methodologyVersion: AGGREGATED_OI_METHODOLOGY_VERSION,
  inputs: [{ type: 'openInterest' }],
  compute(symbol, venues, now, staleAfterMs) {
    const inputs = venues.map((v) => {
      const excluded = judgeVenue(v, [{ type: 'openInterest' }], now, staleAfterMs);
      return { venue: v.venue, excluded, points: excluded || !v.market ? [] : oiUsdSeries(v.market) };
    });
    const result = computeAggregatedOpenInterest({ symbol, venues: inputs });
    if (result.contributors.length === 0) return null;
    return { result, asOf: Math.max(...result.venues.map((v) => v.asOf)), contributors: result.contributors };
  },
};
