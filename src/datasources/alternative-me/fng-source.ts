import type { FearGreed, GlobalEvent } from '../../domain/market.js';
import { BadResponseError } from '../errors.js';
import { createHttpClient } from '../http.js';
import type { VenueHealth } from '../market-data-source.js';
import { createPoller, polledHttpOptions, type PolledSourceOptions, type PollRun } from '../poller.js';
import { createFngApi, FNG_RATE_LIMITS, FNG_VENUE } from './fng-api.js';
import { toFearGreed, toFearGreedSeries } from './fng-mapper.js';

export { FNG_VENUE } from './fng-api.js';

export type GlobalEventSink = (event: GlobalEvent) => void;

export interface FearGreedSourceOptions extends PolledSourceOptions {
  /** Origin of the API, e.g. `https://api.alternative.me`. */
  baseUrl: string;
  /** Milliseconds between two polls of the latest reading while healthy. Default 3600000 (the index is daily). */
  pollMs?: number;
  /** Readings fetched on start (0: the whole history since 2018). Default 400. */
  historyLimit?: number;
  /** Wait before the first retry after a failed poll; doubles per consecutive failure. Default 60000. */
  retryMs?: number;
  /** Ceiling of that back-off. Default `pollMs`. */
  maxRetryMs?: number;
}

export interface FearGreedSource {
  readonly venue: string;
  /**
   * Fetches the history and pushes one `fearGreed` event carrying it (awaited), then polls the latest
   * reading every `pollMs`. Never rejects for upstream failures: a failed history fetch is retried
   * (with back-off) before any latest-only poll.
   */
  start(sink: GlobalEventSink): Promise<void>;
  stop(): Promise<void>;
  health(): VenueHealth;
  /** The newest `limit` readings (0: all), oldest first. */
  fetchHistory(limit?: number): Promise<FearGreed[]>;
}

/**
 * The Crypto Fear & Greed Index from alternative.me. Events: on start one
 * `{ type: 'fearGreed', fearGreed: <newest>, history: <oldest first, ending with the newest> }`, then
 * `{ type: 'fearGreed', fearGreed: <newest> }` after every poll (the same reading repeats until the
 * daily update; consumers de-duplicate by time). Failures turn the venue DEGRADED and are retried with
 * back-off; a 429 pauses requests for its Retry-After.
 */
export function createFearGreedSource(options: FearGreedSourceOptions): FearGreedSource {
  const pollMs = options.pollMs ?? 3_600_000;
  const historyLimit = options.historyLimit ?? 400;

  const http = createHttpClient({ venue: FNG_VENUE, rateLimits: FNG_RATE_LIMITS, ...polledHttpOptions(options) });
  const api = createFngApi(http);
  /** The run the history went to: every start delivers it first, retried until it succeeds. */
  let historyDeliveredTo: PollRun<GlobalEvent> | null = null;

  const poller = createPoller<GlobalEvent>({
    venue: FNG_VENUE,
    name: 'fear & greed',
    pollMs,
    retryMs: options.retryMs ?? 60_000,
    maxRetryMs: options.maxRetryMs ?? pollMs,
    downAfterFailures: options.downAfterFailures,
    http,
    logger: options.logger,
    now: options.now,
    poll,
  });
  if (!Number.isInteger(historyLimit) || historyLimit < 0) throw new RangeError(`historyLimit must be an integer >= 0, got ${historyLimit}`);

  async function fetchHistory(limit = historyLimit): Promise<FearGreed[]> {
    const series = toFearGreedSeries(await api.fng(limit));
    if (series.length === 0) throw new BadResponseError(FNG_VENUE, 'fng', ['data: no readings']);
    return series;
  }

  async function poll(run: PollRun<GlobalEvent>): Promise<void> {
    if (historyDeliveredTo !== run) {
      const history = await fetchHistory();
      if (run.stopped) return;
      run.emit({ type: 'fearGreed', fearGreed: history.at(-1)!, history });
      historyDeliveredTo = run;
      return;
    }
    const [latest] = await api.fng(1);
    if (run.stopped) return;
    if (!latest) throw new BadResponseError(FNG_VENUE, 'fng', ['data: no readings']);
    run.emit({ type: 'fearGreed', fearGreed: toFearGreed(latest) });
  }

  return { ...poller, fetchHistory };
}
