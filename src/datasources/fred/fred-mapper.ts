import { dayStartOf, type MacroObservation } from '../../domain/macro.js';
import type { FredObservations } from './schemas.js';

/**
 * Observations oldest first, one per date (the first seen wins), `"."` kept as a null value so the
 * calendar still shows the day was a closed-market or unpublished day.
 *
 * Shape (`GET /fred/series/observations?series_id=SP500&file_type=json`, trimmed):
 * {"realtime_start":"2026-01-09","realtime_end":"2026-01-09","observation_start":"2025-12-29",
 *  "observation_end":"9999-12-31","units":"lin","output_type":1,"file_type":"json",
 *  "order_by":"observation_date","sort_order":"asc","count":2,"offset":0,"limit":100000,
 *  "observations":[{"realtime_start":"2026-01-09","realtime_end":"2026-01-09","date":"2025-12-31","value":"6845.50"},
 *                  {"realtime_start":"2026-01-09","realtime_end":"2026-01-09","date":"2026-01-01","value":"."}]}
 */
export function toMacroObservations(body: FredObservations): MacroObservation[] {
  const byDate = new Map<string, MacroObservation>();
  for (const o of body.observations) {
    if (!byDate.has(o.date)) byDate.set(o.date, { date: o.date, time: dayStartOf(o.date), value: o.value });
  }
  return [...byDate.values()].sort((a, b) => a.time - b.time);
}
