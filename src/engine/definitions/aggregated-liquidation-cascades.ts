import { AGGREGATED_CASCADES_METHODOLOGY_VERSION, computeAggregatedLiquidationCascades, type AggregatedLiquidationCascades, type VenueLiquidationInput } from '../../analyzers/aggregated-liquidation-cascades.js';
import { DEFAULT_CASCADE_OPTIONS } from '../../analyzers/liquidation-cascades.types.js';
import type { CrossVenueDefinition } from '../definition.js';
import { observedSince, typicalHourlyVolume } from './liquidation-cascades.js';
import { judgeVenue } from './venue-inputs.js';

const byWindow = new Map<number, CrossVenueDefinition<AggregatedLiquidationCascades>>();

/**
 * Liquidation cascades of every perpetual venue merged (severity from the combined velocity) over
 * `windowMs`. A venue contributes while its mark-price stream is on time (it proves the feed alive, as for
 * the single-venue analysis) and once it has delivered a liquidation (before that it cannot tell a calm
 * market from a feed that sends none: MISSING).
 */
export function aggregatedLiquidationCascadesDefinition(windowMs = DEFAULT_CASCADE_OPTIONS.windowMs): CrossVenueDefinition<AggregatedLiquidationCascades> {
  let def = byWindow.get(windowMs);
  if (def) return def;
  def = {
    kind: `AGGREGATED_LIQUIDATION_CASCADES:${windowMs}`,
    methodologyVersion: AGGREGATED_CASCADES_METHODOLOGY_VERSION,
    inputs: [{ type: 'markPrice' }, { type: 'liquidation' }],
    compute(symbol, venues, now, staleAfterMs) {
      const inputs = venues.map((v): VenueLiquidationInput => {
        const m = v.market;
        let excluded = judgeVenue(v, [{ type: 'markPrice' }], now, staleAfterMs);
        if (!excluded && m && m.liquidations.size === 0) excluded = { status: 'MISSING', reason: `no liquidation received from ${v.name} yet: a calm market and a feed that sends none look the same` };
        if (excluded || !m) return { venue: v.venue, excluded: excluded ?? { status: 'MISSING', reason: `no data from ${v.name}` }, liquidations: [], observedSince: now, typicalHourlyVolumeUsd: null };
        const stored = m.liquidations.toArray();
        const oldest = stored.reduce<number | undefined>((min, l) => (min === undefined || l.time < min ? l.time : min), undefined);
        return {
          venue: v.venue,
          excluded: null,
          liquidations: stored.map((l) => ({ side: l.side, price: l.averagePrice, notional: l.notional, time: l.time, complete: l.complete })).sort((a, b) => a.time - b.time),
          observedSince: observedSince(m, oldest, now),
          typicalHourlyVolumeUsd: typicalHourlyVolume(m),
        };
      });
      const result = computeAggregatedLiquidationCascades({ symbol, venues: inputs, now, options: { windowMs, shortWindowMs: Math.min(DEFAULT_CASCADE_OPTIONS.shortWindowMs, windowMs) } });
      if (!result) return null;
      const updated = venues.filter((v) => result.contributors.includes(v.venue)).map((v) => v.market?.updatedAt ?? 0);
      return { result, asOf: Math.max(...updated, result.lastLiquidationTime ?? 0), contributors: result.contributors };
    },
  };
  byWindow.set(windowMs, def);
  return def;
}
