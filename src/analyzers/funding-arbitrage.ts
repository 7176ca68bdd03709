import type { FundingArbitrage, FundingArbitrageInput, FundingArbitrageLeg, FundingArbitragePair } from './venue-aggregation.types.js';
import { HOURS_PER_YEAR, requireInterval, splitVenues } from './venue-aggregation.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const FUNDING_ARBITRAGE_METHODOLOGY_VERSION = 'funding-arbitrage/1.0.0';

/**
 * Funding arbitrage between venues: the carry of being short the perpetual where funding is highest and
 * long where it is lowest (delta-neutral), before fees, borrow and basis moves.
 *
 * Each venue's rate (predicted for the running period, else the last settled) is annualised on its own
 * interval, annualizedRate = rate × 8 760 / intervalHours, so a 1 h venue and an 8 h venue compare per
 * unit of time. For every pair the spread is short.annualizedRate − long.annualizedRate (≥ 0); spread8h is
 * that carry over 8 hours. Pairs whose intervals differ are flagged: the legs settle at different
 * times (see each leg's nextFundingTime), so the carry is earned unevenly in between.
 * @see https://www.binance.com/en/support/faq/360033525031 (funding: longs pay shorts when positive)
 */
export function computeFundingArbitrage(input: Readonly<FundingArbitrageInput>): FundingArbitrage {
  const { contributing, excluded } = splitVenues(input.venues, (v) => (v.rate === null ? 'no funding rate received' : null));
  const venues: FundingArbitrageLeg[] = contributing
    .map((v) => {
      const hours = requireInterval(v.venue, v.fundingIntervalHours);
      if (!Number.isFinite(v.rate)) throw new Error(`computeFundingArbitrage: rate of ${v.venue} must be finite, got ${v.rate}`);
      return {
        venue: v.venue,
        rate: v.rate!,
        rateKind: v.rateKind,
        fundingIntervalHours: hours,
        annualizedRate: (v.rate! * HOURS_PER_YEAR) / hours,
        nextFundingTime: v.nextFundingTime,
      };
    })
    .sort((a, b) => b.annualizedRate - a.annualizedRate);
  const pairs: FundingArbitragePair[] = [];
  for (let i = 0; i < venues.length; i++) {
    for (let j = i + 1; j < venues.length; j++) {
      const short = venues[i]!;
      const long = venues[j]!;
      const spreadAnnualized = short.annualizedRate - long.annualizedRate;
      pairs.push({ short, long, spreadAnnualized, spread8h: (spreadAnnualized * 8) / HOURS_PER_YEAR, intervalsDiffer: short.fundingIntervalHours !== long.fundingIntervalHours });
    }
  }
  pairs.sort((a, b) => b.spreadAnnualized - a.spreadAnnualized);
  return { symbol: input.symbol, venues, pairs, best: pairs[0] ?? null, contributors: venues.map((v) => v.venue), excluded };
}
