import type { AggregatedOiChange, AggregatedOpenInterest, AggregatedOpenInterestInput, OiChange, OiVenueInput } from './venue-aggregation.types.js';
import { splitVenues } from './venue-aggregation.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const AGGREGATED_OI_METHODOLOGY_VERSION = 'aggregated-open-interest/1.0.0';

export const DEFAULT_OI_WINDOWS_MS: readonly number[] = [3_600_000, 4 * 3_600_000, 24 * 3_600_000];

/** Newest point at or before `time` (points ascending). */
function pointAtOrBefore(points: OiVenueInput['points'], time: number): { time: number; oiUsd: number } | undefined {
  for (let i = points.length - 1; i >= 0; i--) if (points[i]!.time <= time) return points[i];
  return undefined;
}

const pct = (change: number, from: number): number | null => (from > 0 ? (change / from) * 100 : null);

/**
 * Open interest of one perpetual summed across venues, in USD (each venue's OI in USD: its published
 * value, else contracts in base units × price at that time, converted by the engine).
 *
 * - totalUsd = Σ oiUsd of the contributing venues' newest points; share = oiUsd / totalUsd;
 * - a venue's change over W: its newest point against its newest point at or before (newest − W);
 * - the total's change over W sums the venues that have both points (`contributors`); a contributing
 *   venue whose history is shorter is named in `incomplete` rather than counted as unchanged.
 *
 * Stale or missing venues are listed in `excluded` with the reason and are in no sum.
 * @see https://www.coinglass.com/pro/futures/OpenInterest (aggregated OI as the industry shows it)
 */
export function computeAggregatedOpenInterest(input: Readonly<AggregatedOpenInterestInput>): AggregatedOpenInterest {
  const windows = input.windowsMs ?? DEFAULT_OI_WINDOWS_MS;
  for (const w of windows) if (!Number.isFinite(w) || w <= 0) throw new Error(`computeAggregatedOpenInterest: window must be positive, got ${w}`);
  const { contributing, excluded } = splitVenues(input.venues, (v) => (v.points.length === 0 ? 'no open interest received' : null));
  for (const v of contributing) {
    for (let i = 0; i < v.points.length; i++) {
      const p = v.points[i]!;
      if (!Number.isFinite(p.oiUsd) || p.oiUsd < 0) throw new Error(`computeAggregatedOpenInterest: oiUsd of ${v.venue} must be ≥ 0, got ${p.oiUsd}`);
      if (i > 0 && p.time < v.points[i - 1]!.time) throw new Error(`computeAggregatedOpenInterest: points of ${v.venue} are not ascending at ${p.time}`);
    }
  }
  const latest = contributing.map((v) => ({ v, last: v.points.at(-1)! }));
  const totalUsd = latest.reduce((sum, { last }) => sum + last.oiUsd, 0);
  const venues = latest.map(({ v, last }) => ({
    venue: v.venue,
    oiUsd: last.oiUsd,
    share: totalUsd > 0 ? last.oiUsd / totalUsd : 0,
    asOf: last.time,
    changes: windows.map((windowMs): OiChange => {
      const from = pointAtOrBefore(v.points, last.time - windowMs);
      if (!from) return { windowMs, fromUsd: null, changeUsd: null, changePct: null };
      const changeUsd = last.oiUsd - from.oiUsd;
      return { windowMs, fromUsd: from.oiUsd, changeUsd, changePct: pct(changeUsd, from.oiUsd) };
    }),
  }));
  const changes = windows.map((windowMs, i): AggregatedOiChange => {
    const have = venues.filter((v) => v.changes[i]!.fromUsd !== null);
    const incomplete = venues.filter((v) => v.changes[i]!.fromUsd === null).map((v) => v.venue);
    if (have.length === 0) return { windowMs, fromUsd: null, changeUsd: null, changePct: null, contributors: [], incomplete };
    const fromUsd = have.reduce((s, v) => s + v.changes[i]!.fromUsd!, 0);
    const toUsd = have.reduce((s, v) => s + v.oiUsd, 0);
    const changeUsd = toUsd - fromUsd;
    return { windowMs, fromUsd, changeUsd, changePct: pct(changeUsd, fromUsd), contributors: have.map((v) => v.venue), incomplete };
  });
  return { symbol: input.symbol, totalUsd, venues, changes, contributors: venues.map((v) => v.venue), excluded };
}
