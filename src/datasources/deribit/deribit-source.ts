import type { GlobalEvent, OptionsChain } from '../../domain/market.js';
import type { VenueHealth } from '../market-data-source.js';
import { asError, createPoller, polledHttpOptions, type PolledSourceOptions, type PollRun } from '../poller.js';
import { createDeribitApi, createDeribitHttpClient, DERIBIT_VENUE } from './deribit-api.js';
import { buildOptionsChain, indexNameFor, optionInstruments } from './deribit-mapper.js';
import type { DeribitInstrument } from './schemas.js';

export { DERIBIT_VENUE } from './deribit-api.js';

export type GlobalEventSink = (event: GlobalEvent) => void;

/** Currencies Deribit publishes a DVOL for (`public/get_volatility_index_data`). */
const DVOL_CURRENCIES: ReadonlySet<string> = new Set(['BTC', 'ETH']);

export interface DeribitSourceOptions extends PolledSourceOptions {
  /** Origin of the API, e.g. `https://www.deribit.com` (paths `/api/v2/public/...` are appended). */
  baseUrl: string;
  /** Option currencies with a `<currency>_usd` index (inverse options). Default `['BTC', 'ETH']`. */
  currencies?: readonly string[];
  /** Milliseconds between two polls while healthy. Default 30000. */
  pollMs?: number;
  /**
   * How long `get_instruments` answers are reused. Deribit limits that method to 1 request/s sustained
   * and lists new expiries a few times a day. Default 600000 (10 min).
   */
  instrumentsTtlMs?: number;
  /** Deadline for one request. Default 10000 (a BTC book summary is several hundred KB). */
  timeoutMs?: number;
  /** Wait before the first retry after a failed poll; doubles per consecutive failure. Default `pollMs`. */
  retryMs?: number;
  /** Ceiling of that back-off (a longer rate-limit pause is still honoured). Default 300000. */
  maxRetryMs?: number;
  /** Clock for cache ages, back-off deadlines and health times. Default `Date.now`. */
  now?: () => number;
}

export interface DeribitSource {
  readonly venue: string;
  /**
   * Polls once (awaited: the first chains are in the sink when this resolves), then every `pollMs`.
   * Never rejects for upstream failures: those show in `health()` and are retried with back-off.
   */
  start(sink: GlobalEventSink): Promise<void>;
  /** Stops polling and aborts a poll in flight; no event is pushed after this resolves. */
  stop(): Promise<void>;
  health(): VenueHealth;
  /** One chain on demand (shares the instruments cache). Rejects with the datasource error. */
  fetchChain(currency: string): Promise<OptionsChain>;
}

/**
 * Deribit options chains over REST. Each poll fetches, per currency and in parallel, the option book
 * summary and the USD index, joins the summary with the (cached) instruments and pushes one
 * `optionsChain` event per currency. A currency that fails does not hold back the others; the venue
 * turns DEGRADED with the error and the poll is retried with back-off, while consumers keep the last
 * good chain. JSON-RPC 10028 (and HTTP 429) pause all requests for the wait the error carries.
 *
 * The chain has no greeks: `get_book_summary_by_currency` does not publish them, and fetching a ticker
 * per option would cost hundreds of requests per poll.
 */
export function createDeribitSource(options: DeribitSourceOptions): DeribitSource {
  const currencies = [...new Set((options.currencies ?? ['BTC', 'ETH']).map((c) => c.toUpperCase()))];
  const pollMs = options.pollMs ?? 30_000;
  const instrumentsTtlMs = options.instrumentsTtlMs ?? 600_000;
  const now = options.now ?? Date.now;
  const { logger } = options;
  if (currencies.length === 0) throw new RangeError('currencies must not be empty');

  const http = createDeribitHttpClient(polledHttpOptions(options));
  const api = createDeribitApi(http);
  const poller = createPoller<GlobalEvent>({
    venue: DERIBIT_VENUE,
    name: 'deribit',
    pollMs,
    retryMs: options.retryMs ?? pollMs,
    maxRetryMs: options.maxRetryMs ?? 300_000,
    downAfterFailures: options.downAfterFailures,
    http,
    logger,
    now,
    poll,
  });
  if (!(instrumentsTtlMs >= 0)) throw new RangeError(`instrumentsTtlMs must be >= 0, got ${instrumentsTtlMs}`);

  const instruments = new Map<string, { at: number; value: Map<string, DeribitInstrument> }>();
  const dvolCache = new Map<string, { at: number; value: Pick<OptionsChain, 'dvol' | 'dvolError'> }>();
  const instrumentsInFlight = new Map<string, Promise<Map<string, DeribitInstrument>>>();

  /**
   * Cached options of a currency. A failed refresh falls back to the stale list (recording the error
   * in `problems`): instruments change rarely, and a chain with yesterday's listings beats none.
   */
  async function instrumentsOf(currency: string, problems: Error[]): Promise<Map<string, DeribitInstrument>> {
    const cached = instruments.get(currency);
    if (cached && now() - cached.at < instrumentsTtlMs) return cached.value;
    let pending = instrumentsInFlight.get(currency);
    if (!pending) {
      pending = api
        .getInstruments(currency, { kind: 'option', expired: false })
        .then((list) => {
          const value = optionInstruments(list);
          instruments.set(currency, { at: now(), value });
          return value;
        })
        .finally(() => instrumentsInFlight.delete(currency));
      instrumentsInFlight.set(currency, pending);
    }
    try {
      return await pending;
    } catch (error) {
      if (!cached) throw error;
      problems.push(asError(error));
      logger?.warn({ err: error, currency, ageMs: now() - cached.at }, 'deribit instruments refresh failed; using the cached list');
      return cached.value;
    }
  }

  /**
   * DVOL's newest 1-minute close within the last 10 minutes, for the currencies Deribit publishes it for.
   * A failure never costs the chain: the chain carries null and the reason (the surface reports it).
   */
  async function dvolOf(currency: string): Promise<Pick<OptionsChain, 'dvol' | 'dvolError'>> {
    if (!DVOL_CURRENCIES.has(currency)) return {};
    const end = now();
    // 1-minute candles: asked again once a minute at most, whatever the poll period.
    const cached = dvolCache.get(currency);
    if (cached && end - cached.at < 60_000) return cached.value;
    const value = await fetchDvol(currency, end);
    dvolCache.set(currency, { at: end, value });
    return value;
  }

  async function fetchDvol(currency: string, end: number): Promise<Pick<OptionsChain, 'dvol' | 'dvolError'>> {
    try {
      const { data } = await api.getVolatilityIndexData(currency, { start: end - 600_000, end, resolution: '60' });
      const newest = data.reduce<(typeof data)[number] | undefined>((a, row) => (!a || row[0] > a[0] ? row : a), undefined);
      return newest ? { dvol: { value: newest[4], time: newest[0] } } : { dvol: null, dvolError: 'Deribit returned no DVOL candle in the last 10 minutes' };
    } catch (error) {
      logger?.warn({ err: error, currency }, 'deribit DVOL fetch failed; the chain goes without it');
      return { dvol: null, dvolError: `Deribit DVOL fetch failed: ${asError(error).message}` };
    }
  }

  async function buildChain(currency: string, problems: Error[]): Promise<OptionsChain> {
    const [byName, summaries, index, dvol] = await Promise.all([
      instrumentsOf(currency, problems),
      api.getBookSummaryByCurrency(currency, 'option'),
      api.getIndexPrice(indexNameFor(currency)),
      dvolOf(currency),
    ]);
    const { chain, unmatched } = buildOptionsChain({
      venue: DERIBIT_VENUE,
      currency,
      indexPrice: index.index_price,
      summaries,
      instruments: byName,
      fallbackTime: now(),
    });
    Object.assign(chain, dvol);
    if (unmatched.length > 0) {
      // Listed since the cache was filled: refresh on the next poll, at most once a minute.
      const entry = instruments.get(currency);
      if (entry && now() - entry.at >= Math.min(60_000, instrumentsTtlMs)) entry.at = Number.NEGATIVE_INFINITY;
      logger?.debug({ currency, unmatched: unmatched.length, example: unmatched[0] }, 'book summary lists options missing from the instruments cache');
    }
    return chain;
  }

  /** Every currency's chain; the errors of those that failed (and of stale-cache fallbacks). */
  async function poll(run: PollRun<GlobalEvent>): Promise<Error[]> {
    const problems: Error[] = [];
    await Promise.all(
      currencies.map(async (currency) => {
        try {
          const chain = await buildChain(currency, problems);
          run.emit({ type: 'optionsChain', chain });
          run.recordSuccess();
        } catch (error) {
          problems.push(asError(error));
        }
      }),
    );
    return problems;
  }

  return {
    ...poller,
    fetchChain: (currency) => buildChain(currency.toUpperCase(), []),
  };
}
