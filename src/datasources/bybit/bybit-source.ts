import type { Logger } from 'pino';
import type { CandleInterval, StatPeriod, SymbolEvent } from '../../domain/market.js';
import { INTERVAL_MS } from '../../domain/market.js';
import { createHttpClient, type BreakerOptions, type EnvelopeCheck, type HttpClient, type RateLimitGroup, type RetryOptions } from '../http.js';
import type { CandleQuery } from '../market-data-source.js';
import { createPerpVenueSource, type PerpVenueAdapter, type PerpVenueSource, type VenuePoller } from '../perp-venue-source.js';
import { createSubscribeStream, type SubscribeStreamOptions } from '../subscribe-stream.js';
import {
  BYBIT_STAT_PERIODS,
  BYBIT_VENUE,
  bybitInterval,
  createBybitStreamParser,
  tickerEvents,
  toCandle,
  toFundingRate,
  toLongShortRatio,
  toOpenInterest,
  toRestTrade,
  toSymbolInfos,
} from './bybit-mapper.js';
import {
  bybitAccountRatioHistorySchema,
  bybitFundingHistorySchema,
  bybitInstrumentsSchema,
  bybitKlinesSchema,
  bybitOpenInterestHistorySchema,
  bybitRecentTradesSchema,
  bybitTickersSchema,
} from './schemas.js';

export { BYBIT_VENUE } from './bybit-mapper.js';

/**
 * Bybit v5 published limits (EXCHANGE-APIS.md §6): public market endpoints fall only under the per-IP
 * limit of 600 requests per 5 s; exceeding it answers HTTP 403 "access too frequent" and the IP must wait
 * at least 10 minutes, so a 403 bans the venue for 10 minutes here (breaker isolated). retCode 10006 is
 * the per-UID "Too many visits!": a pause until X-Bapi-Limit-Reset-Timestamp. We allow ourselves 25 %.
 */
export const BYBIT_LIMITS: Readonly<Record<'weight', RateLimitGroup>> = { weight: { limit: 600, windowMs: 5_000 } };
export const BYBIT_BUDGET_SHARE = 0.25;
export const BYBIT_BAN_MS = 600_000;
/** Trades re-asked before the last stream frame when a gap is backfilled. */
const GAP_OVERLAP_MS = 5_000;
/** retCode 10006 without a reset header: pause one second (the per-UID windows are 1 s). */
const BYBIT_UID_PAUSE_MS = 1_000;

/** The `{retCode, retMsg}` envelope as the HTTP client's verdict. */
export const bybitEnvelope: EnvelopeCheck = (json, { headers, now }) => {
  if (!json || typeof json !== 'object' || !('retCode' in json) || typeof json.retCode !== 'number') return null;
  const code = json.retCode;
  if (code === 0) return null;
  const msg = 'retMsg' in json && typeof json.retMsg === 'string' ? json.retMsg : '';
  if (code === 10006) {
    const raw = headers['x-bapi-limit-reset-timestamp'];
    const reset = Number(Array.isArray(raw) ? raw[0] : raw);
    return { kind: 'rateLimited', code: String(code), msg, waitMs: Number.isFinite(reset) && reset > now ? reset - now : BYBIT_UID_PAUSE_MS };
  }
  if (code === 10001 && /symbol/i.test(msg)) return { kind: 'badSymbol', code: String(code), msg };
  if (code === 10016) return { kind: 'transient', code: String(code), msg };
  return { kind: 'error', code: String(code), msg };
};

export interface BybitSourceOptions {
  /** REST base URL, e.g. `https://api.bybit.com`. */
  restUrl: string;
  /** Public linear stream URL, e.g. `wss://stream.bybit.com/v5/public/linear`; no stream when unset. */
  streamUrl?: string;
  logger?: Logger;
  now?: () => number;
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  breaker?: Partial<BreakerOptions>;
  /** Published limit override (budget = limit × share). */
  rateLimits?: Partial<Record<'weight', RateLimitGroup>>;
  maxBudgetWaitMs?: number;
  /** Ban length after a 403. Default 10 min. */
  banMs?: number;
  /** Tickers poll while the stream is down (mark prices). Default 5000. */
  pollMs?: number;
  /** Tickers poll while streaming (24 h statistics), statistics and funding polls. */
  tickerEveryMs?: number;
  statsEveryMs?: number;
  fundingEveryMs?: number;
  statPeriod?: StatPeriod;
  statsBackfill?: number;
  fundingBackfill?: number;
  candleBackfill?: number;
  candleIntervals?: readonly CandleInterval[];
  /** Heartbeat and staleness of the stream. */
  streamOptions?: Partial<Pick<SubscribeStreamOptions, 'backoff' | 'staleAfterMs' | 'random'>> & { pingEveryMs?: number };
}

/** Bybit v5 as a REST API over our HTTP client (budgets, breaker, ban, zod validation). */
export function createBybitApi(http: HttpClient) {
  const linear = { category: 'linear' } as const;
  return {
    async instruments() {
      const out = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const body = await http.getJson('/v5/market/instruments-info', { ...linear, limit: 1000, cursor }, bybitInstrumentsSchema, { endpoint: 'instruments-info' });
        out.push(...body.result.list);
        cursor = body.result.nextPageCursor;
        if (!cursor) break;
      }
      return out;
    },
    tickers: async (symbol?: string) => (await http.getJson('/v5/market/tickers', { ...linear, symbol }, bybitTickersSchema, { endpoint: 'tickers', ttlMs: 500 })).result.list,
    fundingHistory: async (symbol: string, limit: number) => (await http.getJson('/v5/market/funding/history', { ...linear, symbol, limit: Math.min(200, limit) }, bybitFundingHistorySchema, { endpoint: 'funding/history' })).result.list,
    openInterest: async (symbol: string, intervalTime: string, limit: number) =>
      (await http.getJson('/v5/market/open-interest', { ...linear, symbol, intervalTime, limit: Math.min(200, limit) }, bybitOpenInterestHistorySchema, { endpoint: 'open-interest' })).result.list,
    accountRatio: async (symbol: string, period: string, limit: number) =>
      (await http.getJson('/v5/market/account-ratio', { ...linear, symbol, period, limit: Math.min(500, limit) }, bybitAccountRatioHistorySchema, { endpoint: 'account-ratio' })).result.list,
    klines: async (symbol: string, interval: string, q: { start?: number; end?: number; limit?: number }) =>
      (await http.getJson('/v5/market/kline', { ...linear, symbol, interval, ...q }, bybitKlinesSchema, { endpoint: 'kline' })).result.list,
    recentTrades: async (symbol: string, limit: number) => (await http.getJson('/v5/market/recent-trade', { ...linear, symbol, limit }, bybitRecentTradesSchema, { endpoint: 'recent-trade' })).result.list,
  };
}

/**
 * Live Bybit v5 linear USDT perpetuals: instruments, tickers (mark, index, predicted funding and next
 * funding time, open interest, 24 h), settled funding, open-interest history, the account long/short
 * ratio (`GLOBAL_ACCOUNTS`), klines; over WebSocket `publicTrade`, `tickers`, `allLiquidation` and
 * `kline` with a JSON ping every 20 s, resubscribe on reconnect and a REST backfill of the gap (closed
 * 1m klines and the last 1000 trades). Bybit publishes no taker buy/sell volume: none is pushed.
 */
export function createBybitSource(options: BybitSourceOptions): PerpVenueSource {
  const now = options.now ?? Date.now;
  const statPeriod = options.statPeriod ?? '5m';
  const statWire = BYBIT_STAT_PERIODS[statPeriod];
  if (statWire === undefined) throw new RangeError(`Bybit has no ${statPeriod} statistics`);
  const statsBackfill = options.statsBackfill ?? 30;
  const fundingBackfill = options.fundingBackfill ?? 100;
  const candleBackfill = Math.min(1000, options.candleBackfill ?? 200);
  const candleIntervals = options.candleIntervals ?? (['1m', '1h', '1d', '1w'] as const);
  const http = createHttpClient({
    venue: BYBIT_VENUE,
    baseUrl: options.restUrl,
    timeoutMs: options.timeoutMs ?? 5_000,
    now,
    logger: options.logger?.child({ venue: BYBIT_VENUE }),
    retry: options.retry,
    breaker: options.breaker,
    maxBudgetWaitMs: options.maxBudgetWaitMs,
    rateLimits: Object.fromEntries(Object.entries({ ...BYBIT_LIMITS, ...options.rateLimits }).map(([k, g]) => [k, { share: BYBIT_BUDGET_SHARE, ...g }])),
    banStatus: 403,
    defaultBanMs: options.banMs ?? BYBIT_BAN_MS,
    defaultRateLimitMs: 5_000,
    envelope: bybitEnvelope,
  });
  const api = createBybitApi(http);
  const marks = new Map<string, number>();

  async function candles(symbol: string, interval: CandleInterval, q: CandleQuery = {}) {
    const rows = await api.klines(symbol, bybitInterval(interval), { start: q.startTime, end: q.endTime, limit: Math.min(1000, q.limit ?? 200) });
    const at = now();
    return rows.map((row) => toCandle(symbol, interval, row, at)).sort((a, b) => a.openTime - b.openTime);
  }
  const funding = async (symbol: string, limit: number) => (await api.fundingHistory(symbol, limit)).map(toFundingRate).sort((a, b) => a.fundingTime - b.fundingTime);
  const statistics = async (symbol: string, limit: number): Promise<SymbolEvent[]> => {
    const [oi, ratio] = await Promise.all([api.openInterest(symbol, statWire, limit), api.accountRatio(symbol, statWire, limit)]);
    const mark = marks.get(symbol) ?? null;
    return [
      ...oi.map((row) => ({ type: 'openInterest' as const, openInterest: toOpenInterest(symbol, row, mark) })).sort((a, b) => a.openInterest.time - b.openInterest.time),
      ...ratio.map((row) => ({ type: 'longShortRatio' as const, ratio: toLongShortRatio(row, statPeriod) })).sort((a, b) => a.ratio.time - b.ratio.time),
    ];
  };
  const perSymbol = async (symbols: readonly string[], fn: (s: string) => Promise<SymbolEvent[]>) => (await Promise.all(symbols.map(fn))).flat();
  const tickerPoll = async (symbols: readonly string[]): Promise<SymbolEvent[]> => {
    const wanted = new Set(symbols);
    const list = await api.tickers(symbols.length === 1 ? symbols[0] : undefined);
    const at = now();
    return list.filter((t) => wanted.has(t.symbol)).flatMap((t) => {
      marks.set(t.symbol, t.markPrice);
      return tickerEvents(t, at);
    });
  };
  const parser = createBybitStreamParser();
  const pingEveryMs = options.streamOptions?.pingEveryMs ?? 20_000;

  const adapter: PerpVenueAdapter = {
    venue: BYBIT_VENUE,
    http,
    listSymbols: async () => toSymbolInfos(await api.instruments()),
    async backfill(symbol) {
      // Statistics history first, so the live open interest of the tickers poll follows it in time.
      const [settlements, stats, ...bars] = await Promise.all([
        funding(symbol, fundingBackfill),
        statistics(symbol, statsBackfill),
        ...candleIntervals.map((interval) => candles(symbol, interval, { limit: candleBackfill + 1 })),
      ]);
      return [
        ...settlements.map((f) => ({ type: 'funding' as const, funding: f })),
        ...stats,
        ...bars.flat().filter((c) => c.closed).map((candle) => ({ type: 'candle' as const, candle })),
      ];
    },
    pollers: (isStreaming): VenuePoller[] => [
      { name: 'tickers', everyMs: () => (isStreaming() ? (options.tickerEveryMs ?? 60_000) : (options.pollMs ?? 5_000)), run: tickerPoll },
      { name: 'statistics', everyMs: options.statsEveryMs ?? 300_000, run: (symbols) => perSymbol(symbols, (s) => statistics(s, 3)) },
      { name: 'funding', everyMs: options.fundingEveryMs ?? 300_000, run: (symbols) => perSymbol(symbols, async (s) => (await funding(s, 3)).map((f) => ({ type: 'funding' as const, funding: f }))) },
    ],
    createStream(symbols, hooks) {
      if (!options.streamUrl) return null;
      const klines = [...new Set(['1m' as const, ...candleIntervals])].map(bybitInterval);
      const topics = symbols.flatMap((s) => [`publicTrade.${s}`, `tickers.${s}`, `allLiquidation.${s}`, ...klines.map((k) => `kline.${k}.${s}`)]);
      return createSubscribeStream({
        name: 'bybit',
        url: options.streamUrl,
        topics,
        // 10 args per request keeps every frame far below the 21,000-character args limit of a connection.
        subscribeFrames: (all) => Array.from({ length: Math.ceil(all.length / 10) }, (_, i) => JSON.stringify({ req_id: `sub-${i}`, op: 'subscribe', args: all.slice(i * 10, i * 10 + 10) })),
        heartbeat: { everyMs: pingEveryMs, frame: JSON.stringify({ req_id: 'ping', op: 'ping' }), isPong: (text) => text.length < 300 && /"op"\s*:\s*"(ping|pong)"/.test(text) && /"ret_msg"\s*:\s*"pong"|"op"\s*:\s*"pong"/.test(text) },
        onMessage: hooks.onMessage,
        onReconnect: hooks.onReconnect,
        logger: options.logger?.child({ venue: BYBIT_VENUE, part: 'stream' }),
        now,
        staleAfterMs: options.streamOptions?.staleAfterMs ?? 3 * pingEveryMs,
        ...(options.streamOptions?.backoff ? { backoff: options.streamOptions.backoff } : {}),
        ...(options.streamOptions?.random ? { random: options.streamOptions.random } : {}),
      });
    },
    parseMessage: parser,
    symbolOfTopic: (topic) => topic.split('.').at(-1) ?? null,
    async fillGap(symbol, gap) {
      const start = Math.floor(gap.from / 60_000) * 60_000;
      const minutes = Math.ceil((gap.to - start) / INTERVAL_MS['1m']) + 1;
      const [bars, trades] = await Promise.all([candles(symbol, '1m', { startTime: start, endTime: gap.to, limit: Math.min(1000, minutes) }), api.recentTrades(symbol, 1000)]);
      // Up to now, not only to the reopen: trades between the reopen and the resubscription's first push
      // are on neither connection. Trades the new connection already pushed are dropped by id.
      // From GAP_OVERLAP_MS before the last frame: a trade can be published after the last frame arrived
      // yet carry an earlier time. Overlap is harmless (dedupe by id).
      const mapped = trades.map(toRestTrade).filter((t) => t.time >= gap.from - GAP_OVERLAP_MS).sort((a, b) => a.time - b.time);
      return [...bars.filter((c) => c.closed).map((candle) => ({ type: 'candle' as const, candle })), ...mapped.map((trade) => ({ type: 'trade' as const, trade }))];
    },
    fetchCandles: candles,
    fetchFundingHistory: funding,
  };
  return createPerpVenueSource(adapter, { logger: options.logger, now });
}
