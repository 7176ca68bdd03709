import type { Logger } from 'pino';
import type { CandleInterval, StatPeriod, SymbolEvent } from '../../domain/market.js';
import { createHttpClient, type BreakerOptions, type EnvelopeCheck, type RateLimitGroup, type RetryOptions } from '../http.js';
import type { CandleQuery } from '../market-data-source.js';
import { createPerpVenueSource, type PerpVenueAdapter, type PerpVenueSource, type VenuePoller } from '../perp-venue-source.js';
import { createSubscribeStream, type SubscribeStreamOptions } from '../subscribe-stream.js';
import {
  OKX_STAT_PERIODS,
  OKX_VENUE,
  contractSize,
  createOkxStreamParser,
  okxBar,
  okxCandlesSchema,
  okxFundingHistorySchema,
  okxFundingRateSchema,
  okxIndexSchema,
  okxInstrumentsSchema,
  okxMarkPriceSchema,
  okxOiHistorySchema,
  okxOpenInterestSchema,
  okxRatiosSchema,
  okxTakerSchema,
  okxTradesSchema,
  toCandle,
  toFundingRate,
  toInstId,
  toLongShortRatio,
  toOpenInterest,
  toSymbolInfos,
  toTakerVolume,
  toTrade,
} from './okx-mapper.js';

export { OKX_VENUE } from './okx-mapper.js';

/**
 * OKX v5 published public limits, one bucket per endpoint on a 2 s window (EXCHANGE-APIS.md §7); the
 * rubik statistics share one 5/2 s bucket (the per-ccy and per-instrument variants are each 5/2 s, one
 * bucket is the safe reading). `ip` is charged by every call: OKX publishes no overall public limit, so
 * it only bounds bursts. We allow ourselves half of each (a 25 % share of 5 would be one request).
 */
export const OKX_LIMITS: Readonly<Record<string, RateLimitGroup>> = {
  ip: { limit: 100, windowMs: 2_000 },
  instruments: { limit: 20, windowMs: 2_000 },
  fundingRate: { limit: 10, windowMs: 2_000 },
  fundingHistory: { limit: 10, windowMs: 2_000 },
  openInterest: { limit: 20, windowMs: 2_000 },
  markPrice: { limit: 10, windowMs: 2_000 },
  index: { limit: 20, windowMs: 2_000 },
  candles: { limit: 40, windowMs: 2_000 },
  trades: { limit: 100, windowMs: 2_000 },
  rubik: { limit: 5, windowMs: 2_000 },
};
export const OKX_BUDGET_SHARE = 0.5;
const GAP_OVERLAP_MS = 5_000;

/** `{code, msg}`: 50011 (HTTP 200 or 429) and 50061 are throttling; 51001 an unknown instrument; 5000x/50013/50026 transient. */
export const okxEnvelope: EnvelopeCheck = (json) => {
  if (!json || typeof json !== 'object' || !('code' in json) || typeof json.code !== 'string') return null;
  const code = json.code;
  if (code === '0') return null;
  const msg = 'msg' in json && typeof json.msg === 'string' ? json.msg : '';
  if (code === '50011' || code === '50061') return { kind: 'rateLimited', code, msg, waitMs: 2_000 };
  if (code === '51001') return { kind: 'badSymbol', code, msg };
  if (['50001', '50004', '50013', '50026'].includes(code)) return { kind: 'transient', code, msg };
  return { kind: 'error', code, msg };
};

export interface OkxSourceOptions {
  restUrl: string;
  /** Public stream, e.g. `wss://ws.okx.com:8443/ws/v5/public`; no stream when unset. */
  streamUrl?: string;
  logger?: Logger;
  now?: () => number;
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  breaker?: Partial<BreakerOptions>;
  rateLimits?: Partial<Record<string, RateLimitGroup>>;
  /** Default 10 s: the rubik bucket allows 2 requests per 2 s. */
  maxBudgetWaitMs?: number;
  pollMs?: number;
  tickerEveryMs?: number;
  statsEveryMs?: number;
  fundingEveryMs?: number;
  /** Candles of every interval are polled over REST (OKX streams candles only on the business endpoint). Default 30 s. */
  candleEveryMs?: number;
  statPeriod?: StatPeriod;
  statsBackfill?: number;
  fundingBackfill?: number;
  candleBackfill?: number;
  candleIntervals?: readonly CandleInterval[];
  streamOptions?: Partial<Pick<SubscribeStreamOptions, 'backoff' | 'staleAfterMs' | 'random'>> & { pingEveryMs?: number };
}

/**
 * Live OKX v5 USDT swaps: instruments (contract sizes), funding rate (predicted + next settlement),
 * settled funding, open interest (current + rubik history), contract long/short account ratio, contract
 * taker volume (base coin), candles, mark and index; over WebSocket `trades`, `mark-price`,
 * `funding-rate`, `index-tickers` and `liquidation-orders` with the text `ping` after 20 s idle,
 * resubscribe on reconnect and a REST gap backfill (1m candles, last 500 trades).
 */
export function createOkxSource(options: OkxSourceOptions): PerpVenueSource {
  const now = options.now ?? Date.now;
  const statPeriod = options.statPeriod ?? '5m';
  const statWire = OKX_STAT_PERIODS[statPeriod];
  if (statWire === undefined) throw new RangeError(`OKX has no ${statPeriod} statistics`);
  const statsBackfill = Math.min(100, options.statsBackfill ?? 30);
  const fundingBackfill = Math.min(400, options.fundingBackfill ?? 100);
  const candleBackfill = Math.min(299, options.candleBackfill ?? 200);
  const candleIntervals = options.candleIntervals ?? (['1m', '1h', '1d', '1w'] as const);
  const http = createHttpClient({
    venue: OKX_VENUE,
    baseUrl: options.restUrl,
    timeoutMs: options.timeoutMs ?? 5_000,
    now,
    logger: options.logger?.child({ venue: OKX_VENUE }),
    retry: options.retry,
    breaker: options.breaker,
    maxBudgetWaitMs: options.maxBudgetWaitMs ?? 10_000,
    weightGroup: 'ip',
    rateLimits: Object.fromEntries(Object.entries({ ...OKX_LIMITS, ...options.rateLimits }).map(([k, g]) => [k, { share: OKX_BUDGET_SHARE, ...g! }])),
    defaultRateLimitMs: 2_000,
    envelope: okxEnvelope,
  });
  const get = <T>(path: string, query: Record<string, string | number | undefined>, schema: import('zod').ZodType<T>, group: string) => http.getJson(path, query, schema, { endpoint: path.replace('/api/v5/', ''), group });
  const sizes = new Map<string, number>();
  const marks = new Map<string, number>();

  async function instruments() {
    const body = await get('/api/v5/public/instruments', { instType: 'SWAP' }, okxInstrumentsSchema, 'instruments');
    const infos = toSymbolInfos(body.data);
    for (const i of body.data) {
      const symbol = infos.find((s) => toInstId(s.symbol) === i.instId)?.symbol;
      if (symbol) sizes.set(symbol, contractSize(i));
    }
    return infos;
  }
  async function candles(symbol: string, interval: CandleInterval, q: CandleQuery = {}) {
    // `after`: rows older than this ts; `before`: newer than this ts.
    const query = { instId: toInstId(symbol), bar: okxBar(interval), limit: Math.min(300, q.limit ?? 100), after: q.endTime === undefined ? undefined : q.endTime + 1, before: q.startTime === undefined ? undefined : q.startTime - 1 };
    const body = await get('/api/v5/market/candles', query, okxCandlesSchema, 'candles');
    const at = now();
    return body.data.map((row) => toCandle(symbol, interval, row, at)).sort((a, b) => a.openTime - b.openTime);
  }
  const funding = async (symbol: string, limit: number) =>
    (await get('/api/v5/public/funding-rate-history', { instId: toInstId(symbol), limit: Math.min(400, limit) }, okxFundingHistorySchema, 'fundingHistory')).data.map((r) => toFundingRate(symbol, r)).sort((a, b) => a.fundingTime - b.fundingTime);
  async function statistics(symbol: string, limit: number): Promise<SymbolEvent[]> {
    const instId = toInstId(symbol);
    const [oi, ratio, taker] = await Promise.all([
      get('/api/v5/rubik/stat/contracts/open-interest-history', { instId, period: statWire, limit }, okxOiHistorySchema, 'rubik'),
      get('/api/v5/rubik/stat/contracts/long-short-account-ratio-contract', { instId, period: statWire, limit }, okxRatiosSchema, 'rubik'),
      get('/api/v5/rubik/stat/taker-volume-contract', { instId, period: statWire, unit: 0, limit }, okxTakerSchema, 'rubik'),
    ]);
    const asc = <T extends readonly [number, ...unknown[]]>(rows: readonly T[]) => [...rows].sort((a, b) => a[0] - b[0]);
    return [
      ...asc(oi.data).map(([ts, , oiCcy, oiUsd]) => ({ type: 'openInterest' as const, openInterest: toOpenInterest(symbol, { oiCcy, oiUsd, ts }) })),
      ...asc(ratio.data).map((row) => ({ type: 'longShortRatio' as const, ratio: toLongShortRatio(symbol, row, statPeriod) })),
      ...asc(taker.data).map((row) => ({ type: 'takerVolume' as const, volume: toTakerVolume(symbol, row, statPeriod) })),
    ];
  }
  async function ticker(symbol: string): Promise<SymbolEvent[]> {
    const instId = toInstId(symbol);
    const [rate, mark, oi, index] = await Promise.all([
      get('/api/v5/public/funding-rate', { instId }, okxFundingRateSchema, 'fundingRate'),
      get('/api/v5/public/mark-price', { instType: 'SWAP', instId }, okxMarkPriceSchema, 'markPrice'),
      get('/api/v5/public/open-interest', { instType: 'SWAP', instId }, okxOpenInterestSchema, 'openInterest'),
      get('/api/v5/market/index-tickers', { instId: instId.replace(/-SWAP$/, '') }, okxIndexSchema, 'index'),
    ]);
    const r = rate.data[0];
    const m = mark.data[0];
    const o = oi.data[0];
    const events: SymbolEvent[] = [];
    if (m && r) {
      marks.set(symbol, m.markPx);
      // OKX `fundingTime` is the coming settlement (what `fundingRate` predicts); `nextFundingTime` the one after.
      events.push({ type: 'markPrice', mark: { symbol, markPrice: m.markPx, indexPrice: index.data[0]?.idxPx ?? null, predictedFundingRate: r.fundingRate, nextFundingTime: r.fundingTime, time: m.ts } });
    }
    if (o) events.push({ type: 'openInterest', openInterest: toOpenInterest(symbol, o) });
    return events;
  }
  const perSymbol = async (symbols: readonly string[], fn: (s: string) => Promise<SymbolEvent[]>) => (await Promise.all(symbols.map(fn))).flat();
  const parser = createOkxStreamParser((symbol) => sizes.get(symbol));
  const pingEveryMs = options.streamOptions?.pingEveryMs ?? 20_000;

  const adapter: PerpVenueAdapter = {
    venue: OKX_VENUE,
    http,
    listSymbols: instruments,
    async backfill(symbol) {
      if (!sizes.has(symbol)) await instruments();
      const [settlements, stats, ...bars] = await Promise.all([
        funding(symbol, fundingBackfill),
        statistics(symbol, statsBackfill),
        ...candleIntervals.map((interval) => candles(symbol, interval, { limit: candleBackfill + 1 })),
      ]);
      return [...settlements.map((f) => ({ type: 'funding' as const, funding: f })), ...stats, ...bars.flat().filter((c) => c.closed).map((candle) => ({ type: 'candle' as const, candle }))];
    },
    pollers: (isStreaming): VenuePoller[] => [
      { name: 'ticker', everyMs: () => (isStreaming() ? (options.tickerEveryMs ?? 60_000) : (options.pollMs ?? 5_000)), run: (symbols) => perSymbol(symbols, ticker) },
      { name: 'statistics', everyMs: options.statsEveryMs ?? 300_000, run: (symbols) => perSymbol(symbols, (s) => statistics(s, 3)) },
      { name: 'funding', everyMs: options.fundingEveryMs ?? 300_000, run: (symbols) => perSymbol(symbols, async (s) => (await funding(s, 3)).map((f) => ({ type: 'funding' as const, funding: f }))) },
      {
        name: 'candles',
        everyMs: options.candleEveryMs ?? 30_000,
        run: (symbols) => perSymbol(symbols, async (s) => (await Promise.all([...new Set(['1m' as const, ...candleIntervals])].map((i) => candles(s, i, { limit: 3 })))).flat().map((candle) => ({ type: 'candle' as const, candle }))),
      },
    ],
    createStream(symbols, hooks) {
      if (!options.streamUrl) return null;
      const args = [
        ...symbols.flatMap((s) => {
          const instId = toInstId(s);
          return [{ channel: 'trades', instId }, { channel: 'mark-price', instId }, { channel: 'funding-rate', instId }, { channel: 'index-tickers', instId: instId.replace(/-SWAP$/, '') }];
        }),
        { channel: 'liquidation-orders', instType: 'SWAP' },
      ];
      const topics = args.map((a) => JSON.stringify(a));
      return createSubscribeStream({
        name: 'okx',
        url: options.streamUrl,
        topics,
        // 20 args per request keeps each far below the 64 KB request limit.
        subscribeFrames: (all) => Array.from({ length: Math.ceil(all.length / 20) }, (_, i) => `{"id":"sub${i}","op":"subscribe","args":[${all.slice(i * 20, i * 20 + 20).join(',')}]}`),
        heartbeat: { everyMs: pingEveryMs, frame: 'ping', isPong: (text) => text === 'pong' },
        onMessage: hooks.onMessage,
        onReconnect: hooks.onReconnect,
        logger: options.logger?.child({ venue: OKX_VENUE, part: 'stream' }),
        now,
        staleAfterMs: options.streamOptions?.staleAfterMs ?? Math.min(29_000, 3 * pingEveryMs),
        ...(options.streamOptions?.backoff ? { backoff: options.streamOptions.backoff } : {}),
        ...(options.streamOptions?.random ? { random: options.streamOptions.random } : {}),
      });
    },
    parseMessage: parser,
    symbolOfTopic(topic) {
      const arg = JSON.parse(topic) as { channel: string; instId?: string };
      if (arg.channel !== 'trades' || !arg.instId) return null;
      return arg.instId.replace(/-USDT-SWAP$/, 'USDT');
    },
    async fillGap(symbol, gap) {
      const size = sizes.get(symbol);
      const [bars, trades] = await Promise.all([
        candles(symbol, '1m', { startTime: Math.floor(gap.from / 60_000) * 60_000, limit: 300 }),
        get('/api/v5/market/trades', { instId: toInstId(symbol), limit: 500 }, okxTradesSchema, 'trades'),
      ]);
      const mapped = size === undefined ? [] : trades.data.map((t) => toTrade(symbol, t, size)).filter((t) => t.time >= gap.from - GAP_OVERLAP_MS).sort((a, b) => a.time - b.time);
      return [...bars.filter((c) => c.closed).map((candle) => ({ type: 'candle' as const, candle })), ...mapped.map((trade) => ({ type: 'trade' as const, trade }))];
    },
    fetchCandles: candles,
    fetchFundingHistory: funding,
  };
  return createPerpVenueSource(adapter, { logger: options.logger, now });
}
