import { computeLiquidationCascades } from './liquidation-cascades.js';
import { DEFAULT_CASCADE_OPTIONS, type CascadeLiquidation, type LiquidationCascadeAnalysis, type LiquidationCascadeOptions } from './liquidation-cascades.types.js';
import type { PerpVenue, VenueExclusion } from '../domain/venue.js';
import type { VenueInputBase } from './venue-aggregation.types.js';
import { splitVenues } from './venue-aggregation.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const AGGREGATED_CASCADES_METHODOLOGY_VERSION = 'aggregated-liquidation-cascades/1.0.0';

export interface VenueLiquidationInput extends VenueInputBase {
  /** The venue's liquidations, oldest first, USD notional. */
  liquidations: readonly CascadeLiquidation[];
  /** Start of the period over which the venue's feed delivered every liquidation it sends. */
  observedSince: number;
  /** The venue's typical traded volume, USD per hour; null when unknown. */
  typicalHourlyVolumeUsd: number | null;
}

export interface AggregatedCascadeInput {
  symbol: string;
  venues: readonly VenueLiquidationInput[];
  now: number;
  options?: Partial<LiquidationCascadeOptions>;
}

export interface VenueLiquidationShare {
  venue: PerpVenue;
  /** The venue's liquidated notional in the window (USD). */
  notionalUsd: number;
  count: number;
  /** notionalUsd / the merged window notional, fraction; null when the window holds none. */
  share: number | null;
}

export interface AggregatedLiquidationCascades extends LiquidationCascadeAnalysis {
  venues: VenueLiquidationShare[];
  contributors: PerpVenue[];
  excluded: VenueExclusion[];
}

/**
 * Liquidation cascades across venues: every contributing venue's liquidations merged in time order and
 * analysed as one feed by the single-venue analyzer (src/analyzers/liquidation-cascades.ts), so velocity,
 * baseline ratio and severity come from the **combined** liquidated notional per hour:
 *
 * - observed period: from the latest of the venues' `observedSince` (the span every contributor observed);
 * - typical hourly volume: Σ of the venues' (null when one of them has none: the volume-relative measure
 *   then stays null rather than dividing a whole by a part);
 * - the feed is COMPLETE only when every venue's is (Binance and OKX sample).
 *
 * Per venue: its notional and count in the window and its share of the merged notional.
 */
export function computeAggregatedLiquidationCascades(input: Readonly<AggregatedCascadeInput>): AggregatedLiquidationCascades | null {
  const { contributing, excluded } = splitVenues(input.venues, () => null);
  if (contributing.length === 0) return null;
  const observedSince = Math.max(...contributing.map((v) => v.observedSince));
  const merged: CascadeLiquidation[] = contributing.flatMap((v) => v.liquidations).sort((a, b) => a.time - b.time);
  const volumes = contributing.map((v) => v.typicalHourlyVolumeUsd);
  const typicalHourlyVolumeUsd = volumes.every((x): x is number => x !== null) ? volumes.reduce((s, x) => s + x, 0) : null;
  const result = computeLiquidationCascades({ symbol: input.symbol, liquidations: merged, observedSince, typicalHourlyVolumeUsd, now: input.now, ...(input.options ? { options: input.options } : {}) });
  const windowMs = input.options?.windowMs ?? DEFAULT_CASCADE_OPTIONS.windowMs;
  const from = Math.max(input.now - windowMs, observedSince);
  const inWindow = (l: CascadeLiquidation) => l.time > from && l.time <= input.now;
  const perVenue = contributing.map((v) => {
    const hits = v.liquidations.filter(inWindow);
    return { venue: v.venue, notionalUsd: hits.reduce((s, l) => s + l.notional, 0), count: hits.length };
  });
  const total = perVenue.reduce((s, v) => s + v.notionalUsd, 0);
  return {
    ...result,
    venues: perVenue.map((v) => ({ ...v, share: total > 0 ? v.notionalUsd / total : null })),
    contributors: contributing.map((v) => v.venue),
    excluded,
  };
}
