import type { PerpVenue, VenueExclusion } from '../domain/venue.js';
import type { VenueInputBase } from './venue-aggregation.types.js';

/** Shared by the cross-venue analyzers: splits the venues into contributors and exclusions. */
export function splitVenues<T extends VenueInputBase>(
  venues: readonly T[],
  usable: (venue: T) => string | null,
): { contributing: T[]; excluded: VenueExclusion[] } {
  const seen = new Set<PerpVenue>();
  const contributing: T[] = [];
  const excluded: VenueExclusion[] = [];
  for (const v of venues) {
    if (seen.has(v.venue)) throw new Error(`venue ${JSON.stringify(v.venue)} listed twice`);
    seen.add(v.venue);
    if (v.excluded) {
      excluded.push({ venue: v.venue, ...v.excluded });
      continue;
    }
    const missing = usable(v);
    if (missing !== null) excluded.push({ venue: v.venue, status: 'MISSING', reason: missing });
    else contributing.push(v);
  }
  return { contributing, excluded };
}

/** Hours in a (365-day) year: a rate per interval of h hours annualises as rate × HOURS_PER_YEAR / h. */
export const HOURS_PER_YEAR = 8_760;

export function requireInterval(venue: string, hours: number): number {
  if (!Number.isFinite(hours) || hours <= 0) throw new Error(`fundingIntervalHours of ${venue} must be positive, got ${hours}`);
  return hours;
}
