import { computeFundingArbitrage, FUNDING_ARBITRAGE_METHODOLOGY_VERSION } from '../../analyzers/funding-arbitrage.js';
import type { FundingArbitrage } from '../../analyzers/venue-aggregation.types.js';
import type { CrossVenueDefinition } from '../definition.js';
import { fundingInputs } from './aggregated-funding.js';

/** Funding spread between the perpetual venues, annualised on each venue's interval. */
export const fundingArbitrageDefinition: CrossVenueDefinition<FundingArbitrage> = {
  kind: 'FUNDING_ARBITRAGE',
  methodologyVersion: FUNDING_ARBITRAGE_METHODOLOGY_VERSION,
  inputs: [{ type: 'markPrice' }],
  compute(symbol, venues, now, staleAfterMs) {
    const { inputs, times } = fundingInputs(venues, now, staleAfterMs);
    const result = computeFundingArbitrage({ symbol, venues: inputs });
    if (result.contributors.length === 0) return null;
    return { result, asOf: Math.max(...times.values()), contributors: result.contributors };
  },
};
