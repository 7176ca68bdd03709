import type { PerpVenue, VenueExclusion } from '../domain/venue.js';
import type { AggregatedFunding, AggregatedFundingInput, FundingVenueInput, VenueFundingRate, WeightedFunding } from './venue-aggregation.types.js';
import { HOURS_PER_YEAR, requireInterval, splitVenues } from './venue-aggregation.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const AGGREGATED_FUNDING_METHODOLOGY_VERSION = 'aggregated-funding/1.0.0';

/** 8-hour periods per year: an 8 h-equivalent rate annualises as rate8h × 1 095. */
const PERIODS_8H_PER_YEAR = HOURS_PER_YEAR / 8;

/**
 * Funding of one perpetual across venues, open-interest-weighted and volume-weighted.
 *
 * Venues settle at different intervals (8 h on most, 4 h or 1 h on some): a raw rate per interval is not
 * comparable, so each is first put on an 8-hour footing, rate8h = rate × 8 / intervalHours (the same carry
 * per hour). Then
 *
 *   oiWeighted.rate8h     = Σ oiUsdᵢ × rate8hᵢ / Σ oiUsdᵢ
 *   volumeWeighted.rate8h = Σ volume24hUsdᵢ × rate8hᵢ / Σ volume24hUsdᵢ
 *   annualizedRate        = rate8h × 1 095
 *
 * over the venues that have both a rate and that weight; one without the weight is in `excluded` of that
 * average (MISSING with the reason). Each venue's rate is its predicted rate for the running period when
 * it publishes one, else its last settled rate (`rateKind` says which).
 * @see https://www.coinglass.com/FundingRate (OI- and volume-weighted funding as the industry shows it)
 */
export function computeAggregatedFunding(input: Readonly<AggregatedFundingInput>): AggregatedFunding {
  const { contributing, excluded } = splitVenues(input.venues, (v) => (v.rate === null ? 'no funding rate received' : null));
  const venues: VenueFundingRate[] = contributing.map((v) => {
    const hours = requireInterval(v.venue, v.fundingIntervalHours);
    const rate = v.rate!;
    if (!Number.isFinite(rate)) throw new Error(`computeAggregatedFunding: rate of ${v.venue} must be finite, got ${rate}`);
    return {
      venue: v.venue,
      rate,
      rateKind: v.rateKind,
      fundingIntervalHours: hours,
      rate8h: (rate * 8) / hours,
      annualizedRate: (rate * HOURS_PER_YEAR) / hours,
      nextFundingTime: v.nextFundingTime,
      oiUsd: v.oiUsd,
      volume24hUsd: v.volume24hUsd,
      oiWeight: null,
      volumeWeight: null,
    };
  });
  const weighted = (weightOf: (v: VenueFundingRate) => number | null, what: string, assign: (v: VenueFundingRate, w: number) => void): WeightedFunding => {
    const usable: Array<{ v: VenueFundingRate; w: number }> = [];
    const out: VenueExclusion[] = [...excluded];
    for (const v of venues) {
      const w = weightOf(v);
      if (w === null || !Number.isFinite(w) || w <= 0) out.push({ venue: v.venue, status: 'MISSING', reason: w === null ? `no ${what} received` : `${what} is ${w}` });
      else usable.push({ v, w });
    }
    const total = usable.reduce((s, x) => s + x.w, 0);
    if (usable.length === 0 || total <= 0) return { rate8h: null, annualizedRate: null, contributors: [], excluded: out };
    let rate8h = 0;
    for (const { v, w } of usable) {
      assign(v, w / total);
      rate8h += (w / total) * v.rate8h;
    }
    return { rate8h, annualizedRate: rate8h * PERIODS_8H_PER_YEAR, contributors: usable.map((x) => x.v.venue), excluded: out };
  };
  const oiWeighted = weighted((v) => v.oiUsd, 'open interest', (v, w) => (v.oiWeight = w));
  const volumeWeighted = weighted((v) => v.volume24hUsd, '24 h volume', (v, w) => (v.volumeWeight = w));
  const mean: WeightedFunding =
    venues.length === 0
      ? { rate8h: null, annualizedRate: null, contributors: [], excluded }
      : (() => {
          const rate8h = venues.reduce((s, v) => s + v.rate8h, 0) / venues.length;
          return { rate8h, annualizedRate: rate8h * PERIODS_8H_PER_YEAR, contributors: venues.map((v) => v.venue), excluded };
        })();
  return { symbol: input.symbol, venues, oiWeighted, volumeWeighted, mean, contributors: venues.map((v) => v.venue as PerpVenue), excluded };
}

export type { FundingVenueInput };
