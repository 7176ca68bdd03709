import { computePriceSpread, PRICE_SPREAD_METHODOLOGY_VERSION } from '../../analyzers/venue-price-spread.js';
import type { PriceSpread, PriceVenueInput } from '../../analyzers/venue-aggregation.types.js';
import type { CrossVenueDefinition } from '../definition.js';
import { judgeVenue, priceOf } from './venue-inputs.js';

/** The same perpetual's price on each venue against the median, and the widest gap. */
export const priceSpreadDefinition: CrossVenueDefinition<PriceSpread> = {
  kind: 'VENUE_PRICE_SPREAD',
  methodologyVersion: PRICE_SPREAD_METHODOLOGY_VERSION,
  inputs: [{ type: 'trade' }],
  compute(symbol, venues, now, staleAfterMs) {
    const inputs = venues.map((v): PriceVenueInput => {
      const price = v.market ? priceOf(v.market) : null;
      const excluded = price ? judgeVenue(v, [price.spec], now, staleAfterMs) : (judgeVenue(v, [{ type: 'trade' }], now, staleAfterMs) ?? { status: 'MISSING' as const, reason: `no price from ${v.name}` });
      return { venue: v.venue, excluded, price: price?.price ?? null, time: price?.time ?? null, markPrice: v.market?.mark?.markPrice ?? null, indexPrice: v.market?.mark?.indexPrice ?? null };
    });
    const result = computePriceSpread({ symbol, venues: inputs });
    if (!result) return null;
    return { result, asOf: Math.max(...result.venues.map((v) => v.time)), contributors: result.contributors };
  },
};
