import { z } from 'zod';
import { dayStartOf } from '../../domain/macro.js';

/**
 * Zod schemas for the FRED API (`GET /fred/series/observations?file_type=json`). Loose on extra keys.
 * FRED sends every value as a string and `"."` for a day without one (market holiday, not published);
 * `"."` becomes null, anything else must be a finite decimal number or validation fails (never NaN).
 * @see https://fred.stlouisfed.org/docs/api/fred/series_observations.html
 */

const quote = (s: string) => JSON.stringify(s.length > 24 ? `${s.slice(0, 24)}…` : s);

/** A real calendar date `YYYY-MM-DD`. */
const dateString = z.string().refine((s) => Number.isFinite(dayStartOf(s)), { message: 'expected a YYYY-MM-DD date' });

/** `"5881.63"` → 5881.63, `"."` → null; `""`, `"abc"`, `"1e400"` fail. */
export const fredValue = z.string().transform((s, ctx): number | null => {
  if (s === '.') return null;
  const n = /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : Number.NaN;
  if (Number.isFinite(n)) return n;
  ctx.issues.push({ code: 'custom', message: `expected a decimal number or ".", got ${quote(s)}`, input: s });
  return z.NEVER;
});

export const fredObservationSchema = z.looseObject({
  realtime_start: dateString,
  realtime_end: dateString,
  /** The day the value belongs to. */
  date: dateString,
  value: fredValue,
});
export type FredObservation = z.infer<typeof fredObservationSchema>;

export const fredObservationsSchema = z.looseObject({
  realtime_start: dateString,
  realtime_end: dateString,
  observation_start: dateString,
  observation_end: dateString,
  /** `lin` (levels) unless a transformation was asked for. */
  units: z.string(),
  output_type: z.number().int(),
  file_type: z.literal('json'),
  order_by: z.string(),
  sort_order: z.enum(['asc', 'desc']),
  /** Observations matching the query (all pages). */
  count: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  observations: z.array(fredObservationSchema),
});
export type FredObservations = z.infer<typeof fredObservationsSchema>;

/** Error body FRED answers with (HTTP 400, 404, 429, 500): `{"error_code":400,"error_message":"Bad Request. ..."}`. */
export const fredErrorSchema = z.looseObject({ error_code: z.number().int(), error_message: z.string() });
