import type { EnvelopeCheck, HttpClient, RateLimitGroup } from '../http.js';
import { fredErrorSchema, fredObservationsSchema, type FredObservations } from './schemas.js';

export const FRED_VENUE = 'fred';

/**
 * Budget for the shared HTTP client. FRED allows 120 requests a minute per key and, since 2026, about two
 * a second (OpenBB-finance/OpenBB#7527 saw 429s above that); perpgraph allows itself a quarter of the
 * minute and half of the second. Daily series need a handful of calls a day; the rest is headroom.
 * @see https://fred.stlouisfed.org/docs/api/terms_of_use.html
 */
export const FRED_RATE_LIMITS: Readonly<Record<string, RateLimitGroup>> = {
  weight: { limit: 120, windowMs: 60_000, share: 0.25 },
  second: { limit: 2, windowMs: 1_000, share: 0.5 },
};

/**
 * FRED errors are `{"error_code":N,"error_message":"..."}` with the same HTTP status; 429 pauses the venue,
 * a 400 (unknown series, unregistered key) is a plain error. The message never carries the key.
 */
export const fredEnvelope: EnvelopeCheck = (json, { status }) => {
  const parsed = fredErrorSchema.safeParse(json);
  if (!parsed.success || status < 400) return null;
  const { error_code: code, error_message: msg } = parsed.data;
  if (code === 429 || status === 429) return { kind: 'rateLimited', code: String(code), msg };
  return { kind: status >= 500 ? 'transient' : 'error', code: String(code), msg };
};

export interface FredApi {
  /**
   * Observations of one series, oldest first, from `observationStart` (YYYY-MM-DD) to the newest. One
   * page of up to 100 000 observations (FRED's maximum; ten years of a daily series are ~2 600).
   * @see https://fred.stlouisfed.org/docs/api/fred/series_observations.html
   */
  observations(seriesId: string, observationStart: string): Promise<FredObservations>;
}

export function createFredApi(http: HttpClient, apiKey: string, options: { ttlMs?: number } = {}): FredApi {
  return {
    observations: (seriesId, observationStart) =>
      http.getJson(
        '/fred/series/observations',
        { series_id: seriesId, api_key: apiKey, file_type: 'json', observation_start: observationStart, sort_order: 'asc' },
        fredObservationsSchema,
        { endpoint: 'series/observations', ttlMs: options.ttlMs ?? 0, group: 'second' },
      ),
  };
}
