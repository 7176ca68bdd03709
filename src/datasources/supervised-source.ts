import type { SymbolInfo } from '../domain/market.js';
import type { Logger } from '../logger.js';
import { BadSymbolError } from './errors.js';
import { boundedMessage } from './http.js';
import {
  SourceStates,
  type MarketDataSource,
  type MarketEventSink,
  type SourceStatus,
  type StartOptions,
  type VenueHealth,
  type VenueReporting,
} from './market-data-source.js';

/** The configured symbols are not all listed by the venue: a configuration error, never retried. */
export class SymbolsNotListedError extends Error {
  constructor(
    readonly missing: readonly string[],
    venue: string,
  ) {
    super(`SYMBOLS: ${missing.join(', ')} not listed by ${venue}`);
    this.name = 'SymbolsNotListedError';
  }
}

export interface SupervisedSourceOptions {
  /** Builds a fresh source for each attempt (a fresh HTTP client: no circuit left open by the last one). */
  create: () => MarketDataSource;
  /** Retry instead of failing when the first attempt cannot reach the venue. False: the first failure is thrown. */
  retry: boolean;
  /** First retry delay; doubles per failure (with ±25 % jitter) up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Called once the venue has listed the symbols and the source has started. */
  onListed?: (listed: readonly SymbolInfo[]) => void;
  logger?: Logger;
  random?: () => number;
}

export interface SupervisedSource extends MarketDataSource, VenueReporting {
  /** Failed start attempts so far and when the next one is due (epoch ms), null once started. */
  attempts(): { failures: number; nextAttemptAt: number | null };
}

const fatal = (error: unknown) => error instanceof SymbolsNotListedError || error instanceof BadSymbolError;

/**
 * Starts a source whose venue may be unreachable: the first attempt runs inside `start`; when it fails
 * because the venue is down (not because the configuration is wrong) `start` resolves anyway, the state
 * reads DOWN with the reason, and attempts repeat with exponential back-off until one succeeds. The
 * server therefore starts, answers /health, reports not ready, and turns LIVE by itself.
 */
export function createSupervisedSource(options: SupervisedSourceOptions): SupervisedSource {
  const { create, logger, initialDelayMs, maxDelayMs } = options;
  const random = options.random ?? Math.random;
  let current = create();
  let started = false;
  let stopped = false;
  let failures = 0;
  let lastError: string | null = null;
  let fatalError: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let nextAttemptAt: number | null = null;
  let inFlight: Promise<void> | null = null;
  /** What `start` was given (resume points), for every later attempt too. */
  let startOptions: StartOptions | undefined;

  async function attempt(symbols: readonly string[], sink: MarketEventSink): Promise<void> {
    const listed = await current.listSymbols();
    const names = new Set(listed.map((s) => s.symbol));
    const missing = symbols.filter((s) => !names.has(s));
    if (missing.length > 0) throw new SymbolsNotListedError(missing, current.venue);
    await current.start(symbols, sink, startOptions);
    started = true;
    options.onListed?.(listed);
  }

  function scheduleRetry(symbols: readonly string[], sink: MarketEventSink): void {
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(failures - 1, 30));
    const delay = Math.round(base * (0.75 + random() * 0.5));
    nextAttemptAt = Date.now() + delay;
    timer = setTimeout(() => {
      timer = null;
      nextAttemptAt = null;
      inFlight = retry(symbols, sink).finally(() => (inFlight = null));
    }, delay);
    timer.unref();
  }

  async function retry(symbols: readonly string[], sink: MarketEventSink): Promise<void> {
    if (stopped) return;
    // A fresh source per attempt: the last one's circuit breaker would refuse calls for its cool-down.
    await current.stop().catch(() => undefined);
    current = create();
    try {
      await attempt(symbols, sink);
      logger?.info({ venue: current.venue, failures }, 'venue reachable again: market source started');
      lastError = null;
    } catch (error) {
      onFailure(error, symbols, sink);
    }
  }

  function onFailure(error: unknown, symbols: readonly string[], sink: MarketEventSink): void {
    const message = boundedMessage(error instanceof Error ? error.message : String(error));
    if (fatal(error)) {
      fatalError = message;
      logger?.error({ venue: current.venue, err: message }, 'market source cannot start: configuration does not match the venue; not retrying');
      return;
    }
    failures += 1;
    lastError = message;
    if (stopped) return;
    scheduleRetry(symbols, sink);
    // One line per attempt is bounded by the back-off (at most one a minute once it reaches its cap).
    logger?.warn({ venue: current.venue, failures, retryInMs: (nextAttemptAt ?? Date.now()) - Date.now(), err: message }, 'venue unreachable: market source not started, retrying');
  }

  function status(): SourceStatus {
    if (started) return current.status();
    const own = current.status();
    return { state: SourceStates.DOWN, lastError: fatalError ?? lastError ?? own.lastError, lastEventAt: own.lastEventAt };
  }

  return {
    get origin() {
      return current.origin;
    },
    get venue() {
      return current.venue;
    },
    get resumesFromArchive() {
      return current.resumesFromArchive === true;
    },
    listSymbols: () => current.listSymbols(),
    async start(symbols, sink, startWith) {
      startOptions = startWith;
      try {
        await attempt(symbols, sink);
      } catch (error) {
        if (!options.retry || fatal(error)) throw error;
        onFailure(error, symbols, sink);
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      nextAttemptAt = null;
      await inFlight?.catch(() => undefined);
      await current.stop();
    },
    status,
    fetchCandles: (symbol, interval, query) => current.fetchCandles(symbol, interval, query),
    fetchFundingHistory: (symbol, limit) => current.fetchFundingHistory(symbol, limit),
    recordedHistory: (symbol) => current.recordedHistory?.(symbol) ?? null,
    venues(): VenueHealth[] {
      const own = current as Partial<VenueReporting>;
      const now = status();
      const lines: VenueHealth[] =
        typeof own.venues === 'function'
          ? own.venues()
          : [{ venue: current.venue, state: 'OK', blockedUntil: null, usedWeight: null, weightBudget: null, lastError: now.lastError, lastSuccessAt: now.lastEventAt, reconnects: 0 }];
      if (started) return lines;
      // Not started: the primary venue is DOWN whatever its HTTP client last saw, with the reason.
      return lines.map((line, i) => (i === 0 ? { ...line, state: 'DOWN', lastError: now.lastError ?? line.lastError } : line));
    },
    attempts: () => ({ failures, nextAttemptAt: started ? null : nextAttemptAt }),
  };
}
