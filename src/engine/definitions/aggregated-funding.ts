import { AGGREGATED_FUNDING_METHODOLOGY_VERSION, computeAggregatedFunding } from '../../analyzers/aggregated-funding.js';
import type { AggregatedFunding, FundingVenueInput } from '../../analyzers/venue-aggregation.types.js';
import type { CrossVenueDefinition, VenueSnapshot } from '../definition.js';
import { fundingRateOf, judgeVenue, latestOiUsd, volume24hUsd, volumeSpec } from './venue-inputs.js';

/**
 * Each venue's funding input: its rate (prediction, else last settlement; judged on the input it comes
 * from), and its weights, each only when its own input is on time (a stale weight is left out, not zero).
 */
export function fundingInputs(venues: readonly VenueSnapshot[], now: number, staleAfterMs: number): { inputs: FundingVenueInput[]; times: Map<string, number> } {
  const times = new Map<string, number>();
  const inputs = venues.map((v): FundingVenueInput => {
    const rate = v.market ? fundingRateOf(v.market) : null;
    const excluded = rate ? judgeVenue(v, [rate.spec], now, staleAfterMs) : judgeVenue(v, [{ type: 'markPrice' }, { type: 'funding' }], now, staleAfterMs) ?? { status: 'MISSING' as const, reason: `no funding rate from ${v.name}` };
    if (rate && !excluded) times.set(v.venue, rate.time);
    const market = v.market;
    const oiOk = market && !judgeVenue(v, [{ type: 'openInterest' }], now, staleAfterMs);
    const volOk = market && !judgeVenue(v, [volumeSpec(market)], now, staleAfterMs);
    return {
      venue: v.venue,
      excluded,
      rate: rate?.rate ?? null,
      rateKind: rate?.rateKind ?? 'SETTLED',
      fundingIntervalHours: v.fundingIntervalHours,
      nextFundingTime: rate?.nextFundingTime ?? null,
      oiUsd: oiOk ? (latestOiUsd(market)?.oiUsd ?? null) : null,
      volume24hUsd: volOk ? volume24hUsd(market, now) : null,
    };
  });
  return { inputs, times };
}

/** OI-weighted and volume-weighted funding across the perpetual venues. */
export const aggregatedFundingDefinition: CrossVenueDefinition<AggregatedFunding> = {
  kind: 'AGGREGATED_FUNDING',
  methodologyVersion: AGGREGATED_FUNDING_METHODOLOGY_VERSION,
  inputs: [{ type: 'markPrice' }, { type: 'openInterest' }],
  compute(symbol, venues, now, staleAfterMs) {
    const { inputs, times } = fundingInputs(venues, now, staleAfterMs);
    const result = computeAggregatedFunding({ symbol, venues: inputs });
    if (result.contributors.length === 0) return null;
    return { result, asOf: Math.max(...times.values()), contributors: result.contributors };
  },
};
