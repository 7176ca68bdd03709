import type { GlobalEvent, GlobalMarket } from '../../domain/market.js';
import { createHttpClient } from '../http.js';
import type { VenueHealth } from '../market-data-source.js';
import { createPoller, polledHttpOptions, type PolledSourceOptions } from '../poller.js';
import { COINGECKO_RATE_LIMITS, COINGECKO_VENUE, createCoinGeckoApi } from './coingecko-api.js';
import { toGlobalMarket } from './coingecko-mapper.js';

export { COINGECKO_VENUE } from './coingecko-api.js';

export type GlobalEventSink = (event: GlobalEvent) => void;

export interface CoinGeckoSourceOptions extends PolledSourceOptions {
  /** Origin of the API, e.g. `https://api.coingecko.com` (`/api/v3/...` is appended). */
  baseUrl: string;
  /** Milliseconds between two polls while healthy. Default 300000 (CoinGecko refreshes every 10 min). */
  pollMs?: number;
  /** Wait before the first retry after a failed poll; doubles per consecutive failure. Default 60000. */
  retryMs?: number;
  /** Ceiling of that back-off (a longer 429 Retry-After is still honoured). Default 900000. */
  maxRetryMs?: number;
}

export interface CoinGeckoSource {
  readonly venue: string;
  /** Polls once (awaited), then every `pollMs`. Never rejects for upstream failures. */
  start(sink: GlobalEventSink): Promise<void>;
  stop(): Promise<void>;
  health(): VenueHealth;
  fetchGlobal(): Promise<GlobalMarket>;
}

/**
 * CoinGecko market-wide totals: pushes `{ type: 'globalMarket', global }` after every successful poll.
 * Failures turn the venue DEGRADED and are retried with back-off; a 429 (the keyless tier is tightly
 * rate-limited) pauses requests for its Retry-After.
 */
export function createCoinGeckoSource(options: CoinGeckoSourceOptions): CoinGeckoSource {
  const http = createHttpClient({ venue: COINGECKO_VENUE, rateLimits: COINGECKO_RATE_LIMITS, ...polledHttpOptions(options) });
  const api = createCoinGeckoApi(http);
  const fetchGlobal = async (): Promise<GlobalMarket> => toGlobalMarket(await api.global());

  const poller = createPoller<GlobalEvent>({
    venue: COINGECKO_VENUE,
    name: 'coingecko',
    pollMs: options.pollMs ?? 300_000,
    retryMs: options.retryMs ?? 60_000,
    maxRetryMs: options.maxRetryMs ?? 900_000,
    downAfterFailures: options.downAfterFailures,
    http,
    logger: options.logger,
    now: options.now,
    async poll(run) {
      run.emit({ type: 'globalMarket', global: await fetchGlobal() });
    },
  });

  return { ...poller, fetchGlobal };
}
