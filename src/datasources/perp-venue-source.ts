import type { Logger } from 'pino';
import type { Candle, CandleInterval, FundingRate, MarketEvent, SymbolEvent, SymbolInfo, Trade } from '../domain/market.js';
import { DataOrigins, eventSymbol } from '../domain/market.js';
import type { StreamGap } from './binance/binance-stream.js';
import { BadSymbolError, BannedError, RateLimitError } from './errors.js';
import type { HttpClient, HttpClientStats } from './http.js';
import type { CandleQuery, MarketDataSource, MarketEventSink, SourceState, SourceStatus, VenueHealth, VenueReporting } from './market-data-source.js';
import { SourceStates, VenueStates } from './market-data-source.js';
import type { SubscribeStream, SubscribeStreamHealth } from './subscribe-stream.js';

/**
 * The run loop shared by the subscribe-style perpetual venues (Bybit v5, OKX v5). A venue supplies an
 * adapter (its REST calls already mapped to domain events, its stream and its message parser); this
 * module owns what must behave the same on every venue:
 *
 * - `start`: symbols checked against the venue's instruments (unknown -> BadSymbolError), the start-up
 *   backfill per symbol, the first run of every poll, then the stream;
 * - each poll on its own timer; a failure backs that poll off (doubling up to its period, never before
 *   the end of a rate-limit pause or a ban the HTTP client holds) and keeps the last good values;
 * - every series is pushed once in time order: settlements by fundingTime, closed candles by openTime,
 *   statistics rows by time; trades by id (stream and gap backfill overlap);
 * - on a stream reconnect the lost window is backfilled over REST (`fillGap`), while the live trades
 *   and candles of that symbol are held and released afterwards, so they stay in time order;
 * - `venues()`: the HTTP client's health (breaker, ban, budget) plus the stream's reconnects; a stream
 *   that is down makes an OK venue DEGRADED.
 */

export interface VenuePoller {
  name: string;
  /** Period in ms; a function is read at every scheduling (e.g. faster while the stream is down). */
  everyMs: number | (() => number);
  run(symbols: readonly string[]): Promise<SymbolEvent[]>;
}

export interface VenueStreamHooks {
  onMessage(msg: unknown): void;
  onReconnect(gap: StreamGap): void;
}

export interface PerpVenueAdapter {
  venue: string;
  http: HttpClient;
  /** Instruments (USDT perpetuals only), keyed by the canonical symbol (`BTCUSDT`). */
  listSymbols(): Promise<SymbolInfo[]>;
  /** History pushed at start for one symbol (settlements, closed candles, statistics pages). */
  backfill(symbol: string): Promise<SymbolEvent[]>;
  pollers(isStreaming: () => boolean): VenuePoller[];
  /** The venue's stream over `symbols`, or null when no stream URL is configured. */
  createStream(symbols: readonly string[], hooks: VenueStreamHooks): SubscribeStream | null;
  /** Stream message -> events (throws on a malformed message; the caller drops it). */
  parseMessage(msg: unknown): SymbolEvent[];
  /** Canonical symbols a stream topic is about (for the gap of a reconnect). */
  symbolOfTopic(topic: string): string | null;
  /** REST events covering a stream gap of one symbol (closed 1m candles, recent trades). */
  fillGap(symbol: string, gap: StreamGap): Promise<SymbolEvent[]>;
  fetchCandles(symbol: string, interval: CandleInterval, query?: CandleQuery): Promise<Candle[]>;
  fetchFundingHistory(symbol: string, limit: number): Promise<FundingRate[]>;
}

export interface PerpVenueSource extends MarketDataSource, VenueReporting {
  httpStats(): HttpClientStats;
  streamHealth(): SubscribeStreamHealth | null;
}

interface Tracked {
  symbol: string;
  /** Newest time pushed per series key (`funding`, `candle:1h`, `oi`, `ls:GLOBAL_ACCOUNTS:5m`, ...). */
  seriesTime: Map<string, number>;
  /** Trade ids pushed lately (bounded), so overlapping stream and gap backfill push each once. */
  tradeIds: Set<number>;
  held: SymbolEvent[] | null;
  pendingFills: number;
  gapChain: Promise<void>;
}

interface Timed {
  name: string;
  poller: VenuePoller;
  timer: NodeJS.Timeout | null;
  current: Promise<void> | null;
  failures: number;
}

interface Run {
  sink: MarketEventSink;
  tracked: Map<string, Tracked>;
  pollers: Timed[];
  stream: SubscribeStream | null;
  gapFills: Set<Promise<void>>;
  stopped: boolean;
}

const MAX_TRADE_IDS = 20_000;

/** The series an event belongs to and its time, for events pushed once per time; null: always pushed. */
function seriesOf(event: SymbolEvent): [key: string, time: number] | null {
  switch (event.type) {
    case 'funding':
      return ['funding', event.funding.fundingTime];
    case 'candle':
      return event.candle.closed ? [`candle:${event.candle.interval}`, event.candle.openTime] : null;
    case 'openInterest':
      return ['oi', event.openInterest.time];
    case 'longShortRatio':
      return [`ls:${event.ratio.kind}:${event.ratio.period}`, event.ratio.time];
    case 'takerVolume':
      return [`taker:${event.volume.period}`, event.volume.time];
    default:
      return null;
  }
}

export function createPerpVenueSource(adapter: PerpVenueAdapter, options: { logger?: Logger; now?: () => number; maxBackoffMs?: number; symbolsTtlMs?: number } = {}): PerpVenueSource {
  const { logger, venue } = { logger: options.logger, venue: adapter.venue };
  const now = options.now ?? Date.now;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const symbolsTtlMs = options.symbolsTtlMs ?? 3_600_000;
  const { http } = adapter;
  let state: SourceState = SourceStates.STOPPED;
  let lastError: string | null = null;
  let lastEventAt: number | null = null;
  let symbolsCache: { at: number; value: Promise<SymbolInfo[]> } | null = null;
  let run: Run | null = null;

  function listSymbols(): Promise<SymbolInfo[]> {
    if (symbolsCache && now() - symbolsCache.at < symbolsTtlMs) return symbolsCache.value;
    const value = adapter.listSymbols();
    const entry = { at: now(), value };
    symbolsCache = entry;
    value.catch(() => {
      if (symbolsCache === entry) symbolsCache = null;
    });
    return value;
  }

  const fail = (error: unknown): Error => {
    const err = error instanceof Error ? error : new Error(String(error));
    lastError = err.message;
    return err;
  };

  function emit(r: Run, event: MarketEvent): void {
    if (r.stopped) return;
    lastEventAt = now();
    try {
      r.sink(event);
    } catch (error) {
      logger?.error({ err: error, type: event.type }, 'market event sink threw');
    }
  }

  /** Pushes `event` unless its series already has a row at or after its time, or its trade id was pushed. */
  function push(r: Run, t: Tracked, event: SymbolEvent): void {
    if (event.type === 'trade') {
      const trade: Trade = event.trade;
      if (t.tradeIds.has(trade.id)) return;
      t.tradeIds.add(trade.id);
      if (t.tradeIds.size > MAX_TRADE_IDS) t.tradeIds.delete(t.tradeIds.values().next().value!);
      emit(r, event);
      return;
    }
    if (event.type === 'candle' && !event.candle.closed) {
      // A forming bar older than the newest closed one is stale.
      if ((t.seriesTime.get(`candle:${event.candle.interval}`) ?? -Infinity) >= event.candle.openTime) return;
      emit(r, event);
      return;
    }
    const series = seriesOf(event);
    if (series) {
      const [key, time] = series;
      if ((t.seriesTime.get(key) ?? -Infinity) >= time) return;
      t.seriesTime.set(key, time);
    }
    emit(r, event);
  }

  /** Events of several symbols; adapters return each series oldest first. */
  function pushAll(r: Run, events: readonly SymbolEvent[]): void {
    for (const event of events) {
      const symbol = eventSymbol(event);
      const t = symbol === null ? undefined : r.tracked.get(symbol);
      if (t) push(r, t, event);
    }
  }

  function streaming(r: Run): boolean {
    return r.stream?.health().connected ?? false;
  }

  function updateState(r: Run): void {
    if (r.stopped) return;
    const failing = r.pollers.some((p) => p.failures > 0);
    const streamDown = r.stream !== null && !streaming(r);
    state = failing || streamDown ? SourceStates.DEGRADED : SourceStates.OK;
  }

  const periodOf = (p: VenuePoller) => (typeof p.everyMs === 'function' ? p.everyMs() : p.everyMs);

  function schedule(r: Run, p: Timed, delayMs: number): void {
    if (r.stopped) return;
    p.timer = setTimeout(() => {
      p.timer = null;
      p.current = tick(r, p).finally(() => (p.current = null));
    }, Math.max(0, delayMs));
  }

  async function tick(r: Run, p: Timed): Promise<void> {
    const blockedUntil = http.blockedUntil();
    if (blockedUntil !== null) {
      schedule(r, p, blockedUntil - now());
      return;
    }
    try {
      const events = await p.poller.run([...r.tracked.keys()]);
      if (r.stopped) return;
      pushAll(r, events);
      if (p.failures > 0) logger?.info({ poll: p.name, after: p.failures }, `${venue} poll recovered`);
      p.failures = 0;
      updateState(r);
      schedule(r, p, periodOf(p.poller));
    } catch (error) {
      if (r.stopped) return;
      const err = fail(error);
      p.failures += 1;
      let delay = Math.min(periodOf(p.poller), maxBackoffMs, 1_000 * 2 ** (p.failures - 1));
      if (err instanceof RateLimitError) delay = Math.max(delay, err.retryAfterMs);
      if (err instanceof BannedError) delay = Math.max(delay, err.bannedUntil - now());
      updateState(r);
      if (p.failures === 1 || p.failures % 10 === 0) logger?.warn({ err, poll: p.name, failures: p.failures, nextPollInMs: delay }, `${venue} poll failed; keeping the last good values`);
      schedule(r, p, delay);
    }
  }

  function onMessage(r: Run, msg: unknown): void {
    if (r.stopped) return;
    let events: SymbolEvent[];
    try {
      events = adapter.parseMessage(msg);
    } catch (error) {
      fail(error);
      logger?.warn({ err: error }, `${venue} stream message rejected`);
      return;
    }
    for (const event of events) {
      const symbol = eventSymbol(event);
      const t = symbol === null ? undefined : r.tracked.get(symbol);
      if (!t) continue;
      if (t.held && (event.type === 'trade' || event.type === 'candle')) t.held.push(event);
      else push(r, t, event);
    }
  }

  function onReconnect(r: Run, gap: StreamGap): void {
    if (r.stopped) return;
    const symbols = new Set(gap.streams.map((s) => adapter.symbolOfTopic(s)).filter((s): s is string => s !== null));
    for (const symbol of symbols) {
      const t = r.tracked.get(symbol);
      if (!t) continue;
      t.held ??= [];
      t.pendingFills += 1;
      const job = t.gapChain
        .then(async () => {
          try {
            const events = await adapter.fillGap(symbol, gap);
            if (r.stopped) return;
            pushAll(r, events);
            logger?.info({ symbol, from: gap.from, to: gap.to, events: events.length }, 'stream gap backfilled');
          } catch (error) {
            fail(error);
            logger?.warn({ err: error, symbol, gap: { from: gap.from, to: gap.to } }, 'stream gap backfill failed; the gap stays');
          }
        })
        .finally(() => {
          t.pendingFills -= 1;
          if (t.pendingFills === 0) {
            const held = t.held ?? [];
            t.held = null;
            for (const event of held) push(r, t, event);
          }
          r.gapFills.delete(job);
        });
      t.gapChain = job;
      r.gapFills.add(job);
    }
  }

  return {
    origin: DataOrigins.LIVE,
    venue,
    listSymbols,

    async start(symbols, sink) {
      if (run && !run.stopped) throw new Error(`${venue} source already started`);
      state = SourceStates.STARTING;
      try {
        const infos = new Set((await listSymbols()).map((s) => s.symbol));
        const unknown = symbols.find((s) => !infos.has(s));
        if (unknown !== undefined) throw new BadSymbolError(venue, unknown);
      } catch (error) {
        state = SourceStates.DOWN;
        throw fail(error);
      }
      const tracked = new Map<string, Tracked>();
      for (const symbol of new Set(symbols))
        tracked.set(symbol, { symbol, seriesTime: new Map(), tradeIds: new Set(), held: null, pendingFills: 0, gapChain: Promise.resolve() });
      const r: Run = { sink, tracked, pollers: [], stream: null, gapFills: new Set(), stopped: false };
      run = r;
      const backfills = await Promise.allSettled([...tracked.keys()].map((s) => adapter.backfill(s)));
      if (r.stopped) return;
      for (const result of backfills) {
        if (result.status === 'fulfilled') pushAll(r, result.value);
        else logger?.warn({ err: fail(result.reason) }, `${venue} backfill incomplete; the polls fill in what they can`);
      }
      r.pollers = adapter.pollers(() => streaming(r)).map((poller) => ({ name: poller.name, poller, timer: null, current: null, failures: 0 }));
      await Promise.all(r.pollers.map((p) => (p.current = tick(r, p).finally(() => (p.current = null)))));
      if (r.stopped) return;
      r.stream = adapter.createStream([...tracked.keys()], { onMessage: (msg) => onMessage(r, msg), onReconnect: (gap) => onReconnect(r, gap) });
      r.stream?.start().then(
        () => updateState(r),
        (error: unknown) => {
          if (!r.stopped) logger?.warn({ err: error }, `${venue} stream did not start`);
        },
      );
      updateState(r);
    },

    async stop() {
      const r = run;
      if (r) {
        r.stopped = true;
        for (const p of r.pollers) {
          if (p.timer) clearTimeout(p.timer);
          p.timer = null;
        }
        await r.stream?.stop().catch(() => undefined);
        await http.close();
        await Promise.all([...r.pollers.map((p) => p.current), ...r.gapFills].map((p) => p?.catch(() => undefined)));
      }
      state = SourceStates.STOPPED;
    },

    status(): SourceStatus {
      return { state, lastError, lastEventAt };
    },

    fetchCandles: (symbol, interval, query) => adapter.fetchCandles(symbol, interval, query),
    fetchFundingHistory: (symbol, limit = 100) => adapter.fetchFundingHistory(symbol, limit),

    venues(): VenueHealth[] {
      const health = http.health();
      const stream = run?.stream?.health() ?? null;
      if (stream) {
        health.reconnects = stream.reconnects;
        if (!stream.connected && !run?.stopped) {
          if (health.state === VenueStates.OK) health.state = VenueStates.DEGRADED;
          health.lastError ??= stream.lastError;
        }
      }
      return [health];
    },

    httpStats: () => http.stats(),
    streamHealth: () => run?.stream?.health() ?? null,
  };
}
