import type { PerpVenue, VenueExclusion } from '../domain/venue.js';
import type { VenueInputBase } from './venue-aggregation.types.js';
import { splitVenues } from './venue-aggregation.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const AGGREGATED_CVD_METHODOLOGY_VERSION = 'aggregated-cvd/1.0.0';

export interface CvdTrade {
  time: number;
  price: number;
  /** Base-asset quantity. */
  qty: number;
  /** Taker side. */
  side: 'BUY' | 'SELL';
}

export interface CvdVenueInput extends VenueInputBase {
  /** The venue's recent trades, oldest first. */
  trades: readonly CvdTrade[];
}

export interface AggregatedCvdInput {
  symbol: string;
  venues: readonly CvdVenueInput[];
  now: number;
  /** Bar length (ms); default one minute. */
  barMs?: number;
  /** Most bars returned (the newest); default 60. */
  maxBars?: number;
}

export interface CvdBar {
  /** Bar open time. */
  time: number;
  /** Σ over the venues of taker buy − taker sell quantity in the bar (base asset). */
  delta: number;
  /** The same in USD (quantity × trade price). */
  deltaUsd: number;
  /** Cumulative delta from the first bar returned (base asset). */
  cvd: number;
  cvdUsd: number;
  /** Each venue's delta in the bar (base asset), in `contributors` order. */
  venueDeltas: number[];
}

export interface VenueCvd {
  venue: PerpVenue;
  /** Its delta over the bars returned (base asset). */
  delta: number;
  deltaUsd: number;
  /** Its oldest trade held: its trades reach back to here. */
  tradesSince: number;
}

export interface AggregatedCvd {
  symbol: string;
  barMs: number;
  /** First bar every contributing venue's trades fully cover; null when no bar is covered yet. */
  coveredFrom: number | null;
  bars: CvdBar[];
  /** cvd of the last bar (base asset); 0 with no bar is impossible: null then. */
  cvd: number | null;
  cvdUsd: number | null;
  venues: VenueCvd[];
  contributors: PerpVenue[];
  excluded: VenueExclusion[];
}

/**
 * Cumulative volume delta across venues from each venue's trades: per bar, Σ over the venues of taker
 * buy − taker sell quantity (base asset; also in USD at each trade's price), cumulated from the first
 * bar returned. Only bars that every contributing venue's trade history fully covers are returned (a bar
 * starting at or after the latest of the venues' oldest trades): a venue whose history is shorter would
 * otherwise count as zero flow. The forming bar (the one containing `now`) is included.
 * @see https://www.coinglass.com/pro/futures/Cvd (aggregated CVD as the industry shows it)
 */
export function computeAggregatedCvd(input: Readonly<AggregatedCvdInput>): AggregatedCvd | null {
  const barMs = input.barMs ?? 60_000;
  const maxBars = input.maxBars ?? 60;
  if (!(barMs > 0) || !Number.isInteger(maxBars) || maxBars < 1) throw new Error(`computeAggregatedCvd: barMs ${barMs} and maxBars ${maxBars} must be positive`);
  const { contributing, excluded } = splitVenues(input.venues, (v) => (v.trades.length === 0 ? 'no trade received' : null));
  if (contributing.length === 0) return null;
  const since = Math.max(...contributing.map((v) => v.trades[0]!.time));
  const firstBar = Math.ceil(since / barMs) * barMs;
  const lastBar = Math.floor(input.now / barMs) * barMs;
  const start = Math.max(firstBar, lastBar - (maxBars - 1) * barMs);
  const count = lastBar >= start ? (lastBar - start) / barMs + 1 : 0;
  const qty = contributing.map(() => new Array<number>(count).fill(0));
  const usd = contributing.map(() => new Array<number>(count).fill(0));
  contributing.forEach((v, k) => {
    for (const t of v.trades) {
      if (t.time < start || t.time > input.now) continue;
      const i = Math.floor((t.time - start) / barMs);
      const sign = t.side === 'BUY' ? 1 : -1;
      qty[k]![i]! += sign * t.qty;
      usd[k]![i]! += sign * t.qty * t.price;
    }
  });
  let cvd = 0;
  let cvdUsd = 0;
  const bars: CvdBar[] = [];
  for (let i = 0; i < count; i++) {
    const venueDeltas = qty.map((q) => q[i]!);
    const delta = venueDeltas.reduce((s, x) => s + x, 0);
    const deltaUsd = usd.reduce((s, u) => s + u[i]!, 0);
    cvd += delta;
    cvdUsd += deltaUsd;
    bars.push({ time: start + i * barMs, delta, deltaUsd, cvd, cvdUsd, venueDeltas });
  }
  return {
    symbol: input.symbol,
    barMs,
    coveredFrom: count > 0 ? start : null,
    bars,
    cvd: count > 0 ? cvd : null,
    cvdUsd: count > 0 ? cvdUsd : null,
    venues: contributing.map((v, k) => ({ venue: v.venue, delta: qty[k]!.reduce((s, x) => s + x, 0), deltaUsd: usd[k]!.reduce((s, x) => s + x, 0), tradesSince: v.trades[0]!.time })),
    contributors: contributing.map((v) => v.venue),
    excluded,
  };
}
