import { computeWhaleActivity, WHALES_METHODOLOGY_VERSION } from '../../analyzers/whales.js';
import { DEFAULT_WHALE_MIN_NOTIONAL, WHALE_WINDOW_MS, type WhaleActivity, type WhaleWindow } from '../../analyzers/whales.types.js';
import { INTERVAL_MS, type CandleInterval, type Trade } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/**
 * Smallest notional (quote currency, USDT ≈ USD) the whale tape keeps and `trade:created` publishes; the
 * lowest `minNotional` callers may ask for. Config-free on purpose: below it nearly every trade of a
 * major perpetual qualifies and the tape and pub/sub would carry the whole trade stream.
 */
export const WHALE_TRADE_FLOOR = 10_000;
/** The tape keeps trades for the longest window (24 h) ... */
const TAPE_RETENTION_MS = 86_400_000;
/** ... but at most this many per symbol (~100 bytes each); coverage shrinks rather than memory growing. */
const TAPE_MAX = 200_000;
const CANDLE_INTERVALS: readonly CandleInterval[] = ['1m', '5m', '15m', '1h'];

/** Caller-chosen parameters (GraphQL arguments of `Market.whales`), validated by the resolver. */
export interface WhaleParams {
  minNotional?: number;
  window?: WhaleWindow;
}

interface Tape {
  trades: Trade[];
  /** Time since which every trade ≥ the floor is on the tape. */
  observedSince: number | null;
  lastId: number | null;
  lastTime: number | null;
}

/**
 * Whale tapes, one per market. The store keeps only the last few thousand trades (minutes on a busy
 * perpetual), so trades ≥ {@link WHALE_TRADE_FLOOR} are copied here on every computation (the engine runs
 * it on trades, at most once per ANALYSIS_MIN_INTERVAL_MS) and kept for 24 h. Keyed by the market object,
 * so separate stores (tests, several apps in one process) never share a tape.
 */
const tapes = new WeakMap<SymbolMarket, Tape>();

/**
 * Copies the trades that arrived since the last sync onto the tape (by id: ids grow with time on Binance
 * aggTrades and in the simulated market). When the store's buffer has rolled past the last trade seen
 * (the oldest buffered trade is newer and its id not the next one), trades were missed: the tape restarts
 * and `observedSince` says from when it is complete again.
 */
export function syncWhaleTape(market: SymbolMarket): Readonly<Tape> {
  let tape = tapes.get(market);
  if (!tape) {
    tape = { trades: [], observedSince: null, lastId: null, lastTime: null };
    tapes.set(market, tape);
  }
  const size = market.trades.size;
  if (size === 0) return tape;
  // Read only the newest trades, widening until the last id seen is reached (or the whole buffer).
  let fresh: Trade[] = [];
  for (let n = Math.min(size, 256); ; n = Math.min(size, n * 4)) {
    fresh = market.trades.toArray(n);
    const oldest = fresh[0] as Trade;
    if (n === size || (tape.lastId !== null && oldest.id <= tape.lastId)) break;
  }
  const oldest = fresh[0] as Trade;
  if (tape.lastId === null || (oldest.id > tape.lastId + 1 && tape.lastTime !== null && oldest.time > tape.lastTime)) {
    tape.trades = [];
    tape.observedSince = oldest.time;
  }
  const added: Trade[] = [];
  for (const trade of fresh) {
    if (tape.lastId !== null && trade.id <= tape.lastId) continue;
    if (trade.price * trade.qty >= WHALE_TRADE_FLOOR) added.push(trade);
    tape.lastId = trade.id;
    tape.lastTime = Math.max(tape.lastTime ?? trade.time, trade.time);
  }
  if (added.length > 0) {
    added.sort((a, b) => a.time - b.time);
    tape.trades.push(...added);
  }
  const horizon = (tape.lastTime ?? 0) - TAPE_RETENTION_MS;
  let drop = 0;
  while (drop < tape.trades.length && (tape.trades[drop] as Trade).time < horizon) drop += 1;
  if (tape.trades.length - drop > TAPE_MAX) {
    drop = tape.trades.length - TAPE_MAX;
    // Trades before the oldest one kept may be missing now.
    tape.observedSince = Math.max(tape.observedSince ?? 0, (tape.trades[drop] as Trade).time);
  }
  if (drop > 0) tape.trades.splice(0, drop);
  return tape;
}

function computeWhales(market: SymbolMarket, now: number, params: WhaleParams): { result: WhaleActivity; asOf: number } | null {
  const tape = syncWhaleTape(market);
  // No trade ever received (a source without a trade feed, e.g. a candle replay): nothing measured, so no
  // result (NOT_READY) rather than zero whale counts and a 0 score.
  if (tape.observedSince === null) return null;
  const interval = CANDLE_INTERVALS.find((i) => (market.candles.get(i)?.size ?? 0) > 0) ?? '1m';
  const candles = (market.candles.get(interval)?.toArray() ?? []).map((c) => ({ openTime: c.openTime, close: c.close, quoteVolume: c.quoteVolume }));
  const asOf = market.lastTradeAt ?? market.updatedAt ?? now;
  // The window ends at the newest trade, not at the wall clock: a replay or a lagging feed stays coherent.
  const end = Math.max(asOf, tape.lastTime ?? 0);
  const window = params.window ?? 'H1';
  // Only the window's part of the tape (up to 24 h of trades) goes to the analyzer.
  const trades = tape.trades.slice(lowerBound(tape.trades, end - WHALE_WINDOW_MS[window]));
  const result = computeWhaleActivity({
    symbol: market.symbol,
    now: end,
    window,
    minNotional: params.minNotional ?? DEFAULT_WHALE_MIN_NOTIONAL,
    trades,
    observedSince: tape.observedSince,
    candles,
    intervalMs: INTERVAL_MS[interval],
    lastPrice: market.lastPrice,
  });
  return { result, asOf };
}

/** First index with time ≥ `time` (the tape is ascending by time). */
function lowerBound(trades: readonly Trade[], time: number): number {
  let lo = 0;
  let hi = trades.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((trades[mid] as Trade).time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function toParams(raw: unknown): WhaleParams {
  const p = (raw ?? {}) as Record<string, unknown>;
  const out: WhaleParams = {};
  if (typeof p.minNotional === 'number') out.minNotional = p.minNotional;
  if (typeof p.window === 'string') out.window = p.window as WhaleWindow;
  return out;
}

export const whalesDefinition: AnalysisDefinition<WhaleActivity> = {
  kind: 'WHALES',
  methodologyVersion: WHALES_METHODOLOGY_VERSION,
  triggers: new Set(['trade']),
  inputs: [{ type: 'trade' }],
  compute: (market, now) => computeWhales(market, now, {}),
  computeWith: (market, now, _settings, params) => computeWhales(market, now, toParams(params)),
};
