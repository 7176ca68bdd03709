import { AGGREGATED_CVD_METHODOLOGY_VERSION, computeAggregatedCvd, type AggregatedCvd, type CvdVenueInput } from '../../analyzers/aggregated-cvd.js';
import type { CrossVenueDefinition } from '../definition.js';
import { judgeVenue } from './venue-inputs.js';

/** Cumulative volume delta summed across the venues' trade streams (1-minute bars, the last hour at most). */
export const aggregatedCvdDefinition: CrossVenueDefinition<AggregatedCvd> = {
  kind: 'AGGREGATED_CVD',
  methodologyVersion: AGGREGATED_CVD_METHODOLOGY_VERSION,
  inputs: [{ type: 'trade' }],
  compute(symbol, venues, now, staleAfterMs) {
    const inputs = venues.map((v): CvdVenueInput => {
      const excluded = judgeVenue(v, [{ type: 'trade' }], now, staleAfterMs);
      const trades = excluded || !v.market ? [] : v.market.trades.toArray().map((t) => ({ time: t.time, price: t.price, qty: t.qty, side: t.side }));
      // Arrival order is time order but for the odd late trade.
      if (trades.some((t, i) => i > 0 && t.time < trades[i - 1]!.time)) trades.sort((a, b) => a.time - b.time);
      return { venue: v.venue, excluded, trades };
    });
    const result = computeAggregatedCvd({ symbol, venues: inputs, now });
    if (!result) return null;
    const times = inputs.filter((v) => result.contributors.includes(v.venue)).map((v) => v.trades.at(-1)!.time);
    return { result, asOf: Math.max(...times), contributors: result.contributors };
  },
};
