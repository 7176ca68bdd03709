import { computeSessionsAnalysis, SESSIONS_METHODOLOGY_VERSION } from '../../analyzers/sessions.js';
import type { SessionsAnalysis } from '../../analyzers/sessions.types.js';
import { INTERVAL_MS, type CandleInterval } from '../../domain/market.js';
import type { AnalysisDefinition, AnalysisSettings } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/** Intervals the sessions analysis can use (they divide 1 hour), finest first. */
export const SESSION_INTERVALS: readonly CandleInterval[] = ['1m', '5m', '15m', '30m', '1h'];
export const DEFAULT_SESSION_LOOKBACK_DAYS = 7;

/** Caller-chosen parameters (GraphQL arguments of `Market.sessions`), validated by the resolver. */
export interface SessionsParams {
  /** Candle interval; unset: the finest held interval whose candles reach back to 00:00 UTC today. */
  interval?: CandleInterval;
  lookbackDays?: number;
}

const DAY_MS = 86_400_000;

/**
 * The default interval: the finest one whose candles reach back to today's 00:00 UTC (so every session of
 * today is covered), else the one reaching back furthest. The simulated market backfills 500 bars per
 * interval (1m: 8 h, 5m: 41 h); Binance backfills 1m and 1h, so live sessions use 1h candles until the 1m
 * history reaches midnight.
 */
export function chooseSessionInterval(market: SymbolMarket, now: number): CandleInterval | null {
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
  let furthest: { interval: CandleInterval; first: number } | null = null;
  for (const interval of SESSION_INTERVALS) {
    const first = firstOpenTime(market, interval);
    if (first === undefined) continue;
    if (first <= dayStart) return interval;
    if (furthest === null || first < furthest.first) furthest = { interval, first };
  }
  return furthest?.interval ?? null;
}

/** Open time of the oldest held candle (toArray(size) copies the buffer; a ring buffer has no cheaper first()). */
function firstOpenTime(market: SymbolMarket, interval: CandleInterval): number | undefined {
  const buffer = market.candles.get(interval);
  return buffer && buffer.size > 0 ? buffer.toArray()[0]?.openTime : undefined;
}

function computeSessions(market: SymbolMarket, now: number, settings: AnalysisSettings, params: SessionsParams): { result: SessionsAnalysis; asOf: number } | null {
  const interval = params.interval ?? chooseSessionInterval(market, now);
  if (interval === null) return null;
  const candles = market.candles.get(interval)?.toArray() ?? [];
  if (candles.length === 0) return null;
  const asOf = market.updatedAtByType.get('candle') ?? market.updatedAt ?? now;
  const result = computeSessionsAnalysis({
    symbol: market.symbol,
    now,
    candles: candles.map((c) => ({ openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, quoteVolume: c.quoteVolume })),
    intervalMs: INTERVAL_MS[interval],
    nextFundingTime: market.mark?.nextFundingTime ?? null,
    fundingIntervalHours: settings.fundingIntervalHours(market.symbol),
    lookbackDays: params.lookbackDays ?? DEFAULT_SESSION_LOOKBACK_DAYS,
  });
  return { result, asOf };
}

function toParams(raw: unknown): SessionsParams {
  const p = (raw ?? {}) as Record<string, unknown>;
  const out: SessionsParams = {};
  if (typeof p.interval === 'string' && (SESSION_INTERVALS as readonly string[]).includes(p.interval)) out.interval = p.interval as CandleInterval;
  if (typeof p.lookbackDays === 'number') out.lookbackDays = p.lookbackDays;
  return out;
}

export const sessionsDefinition: AnalysisDefinition<SessionsAnalysis> = {
  kind: 'SESSIONS',
  methodologyVersion: SESSIONS_METHODOLOGY_VERSION,
  triggers: new Set(['candle']),
  inputs: [{ type: 'candle' }],
  compute: (market, now, settings) => computeSessions(market, now, settings, {}),
  computeWith: (market, now, settings, params) => computeSessions(market, now, settings, toParams(params)),
};
