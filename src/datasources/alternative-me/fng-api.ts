import { UpstreamUnavailableError } from '../errors.js';
import type { HttpClient, RateLimitGroup } from '../http.js';
import { fngResponseSchema, type FngEntry } from './schemas.js';

export const FNG_VENUE = 'alternative.me';

/**
 * Budget for the shared HTTP client: alternative.me tolerates about 60 requests/minute (not documented
 * precisely); perpgraph allows itself a quarter. Polls need one an hour.
 */
export const FNG_RATE_LIMITS: Readonly<Record<string, RateLimitGroup>> = { weight: { limit: 60, windowMs: 60_000, share: 0.25 } };

export interface FngApi {
  /**
   * The newest `limit` daily readings, newest first; `limit` 0 returns the whole history (since
   * 2018-02-01). Updated once a day, no key; about 60 requests/minute are tolerated. A non-null
   * `metadata.error` rejects with UpstreamUnavailableError.
   * @see https://alternative.me/crypto/fear-and-greed-index/#api
   */
  fng(limit: number): Promise<FngEntry[]>;
}

export function createFngApi(http: HttpClient): FngApi {
  return {
    async fng(limit) {
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`fng: limit must be an integer >= 0, got ${limit}`);
      const body = await http.getJson('/fng/', { limit }, fngResponseSchema, { endpoint: 'fng' });
      if (body.metadata.error !== null) throw new UpstreamUnavailableError(`${FNG_VENUE} fng: ${body.metadata.error}`, FNG_VENUE);
      return body.data;
    },
  };
}
