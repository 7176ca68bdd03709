import { quantileOfSorted } from '../math/statistics.js';
import type { PriceSpread, PriceSpreadInput, VenuePrice } from './venue-aggregation.types.js';
import { splitVenues } from './venue-aggregation.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const PRICE_SPREAD_METHODOLOGY_VERSION = 'venue-price-spread/1.0.0';

/**
 * How far the same perpetual trades apart on different venues: each venue's last price against the
 * median of the venues (deviationFromMedianPct), the widest gap (highest − lowest, and as a percentage of
 * the median), and each venue's own basis (mark − index) / index × 100 where it publishes both.
 * A spread needs two venues; with one it is null.
 * @see https://en.wikipedia.org/wiki/Arbitrage (cross-exchange price dislocation)
 */
export function computePriceSpread(input: Readonly<PriceSpreadInput>): PriceSpread | null {
  const { contributing, excluded } = splitVenues(input.venues, (v) => (v.price === null || v.time === null ? 'no price received' : null));
  for (const v of contributing) if (!(v.price! > 0)) throw new Error(`computePriceSpread: price of ${v.venue} must be > 0, got ${v.price}`);
  if (contributing.length === 0) return null;
  const sorted = contributing.map((v) => v.price!).sort((a, b) => a - b);
  const median = quantileOfSorted(sorted, 0.5);
  const venues: VenuePrice[] = contributing.map((v) => ({
    venue: v.venue,
    price: v.price!,
    deviationFromMedianPct: ((v.price! - median) / median) * 100,
    basisPct: v.markPrice !== null && v.indexPrice !== null && v.indexPrice > 0 ? ((v.markPrice - v.indexPrice) / v.indexPrice) * 100 : null,
    time: v.time!,
  }));
  const highest = venues.reduce((a, b) => (b.price > a.price ? b : a));
  const lowest = venues.reduce((a, b) => (b.price < a.price ? b : a));
  const spread = venues.length >= 2 ? highest.price - lowest.price : null;
  return {
    symbol: input.symbol,
    venues,
    medianPrice: median,
    highest: highest.venue,
    lowest: lowest.venue,
    spread,
    spreadPct: spread === null ? null : (spread / median) * 100,
    contributors: venues.map((v) => v.venue),
    excluded,
  };
}
