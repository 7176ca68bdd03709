import { bracketTableFor } from '../../analyzers/liquidation-brackets.js';
import { computeLiquidationHeatmap, LIQUIDATION_HEATMAP_METHODOLOGY_VERSION } from '../../analyzers/liquidation-heatmap.js';
import {
  DEFAULT_BUCKETS,
  DEFAULT_LEVERAGE_TIERS,
  DEFAULT_LIQUIDATION_HEATMAP_THRESHOLDS,
  DEFAULT_RANGE_PCT,
  type HeatmapCandle,
  type LeverageTier,
  type LiquidationHeatmap,
} from '../../analyzers/liquidation-heatmap.types.js';
import { INTERVAL_MS, type Candle, type CandleInterval } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/** Caller-chosen parameters (GraphQL arguments of `Market.liquidationHeatmap`), validated by the resolver. */
export interface LiquidationHeatmapParams {
  /** Replaces the default leverage mix with these tiers at equal weights. */
  leverages?: readonly number[];
  rangePct?: number;
  buckets?: number;
}

/** The volatility series for the cascade ATR: hourly candles when the store has enough of them. */
const ATR_INTERVAL: CandleInterval = '1h';
/**
 * Hourly candles handed to the ATR. Wilder smoothing (period 14) weighs a candle 100 hours back by
 * (13/14)^86 ≈ 0.2 %, so older ones change nothing visible and only cost time.
 */
const ATR_CANDLES = 100;

const HOUR_MS = INTERVAL_MS['1h'];

/** Hourly candles aggregated from finer ones (for sources without a 1 h stream); partial hours included. */
function hourlyFrom(candles: readonly Candle[]): HeatmapCandle[] {
  const out: HeatmapCandle[] = [];
  for (const c of candles) {
    const openTime = Math.floor(c.openTime / HOUR_MS) * HOUR_MS;
    const last = out[out.length - 1];
    if (last && last.openTime === openTime) {
      last.high = Math.max(last.high, c.high);
      last.low = Math.min(last.low, c.low);
      last.close = c.close;
      last.volume += c.volume;
      last.quoteVolume = last.quoteVolume === null || c.quoteVolume === null ? null : last.quoteVolume + c.quoteVolume;
      last.takerBuyVolume = last.takerBuyVolume === null || c.takerBuyVolume === null ? null : last.takerBuyVolume + c.takerBuyVolume;
    } else {
      out.push({ openTime, closeTime: openTime + HOUR_MS - 1, high: c.high, low: c.low, close: c.close, volume: c.volume, quoteVolume: c.quoteVolume, takerBuyVolume: c.takerBuyVolume });
    }
  }
  return out;
}

/**
 * Feeds {@link computeLiquidationHeatmap} from the store: open interest, the finest candle interval held
 * (entry levels and price path; 1m on every source), the last 100 hourly candles for the ATR (aggregated
 * from the finest candles when the store holds too few hourly ones), recent trades (levels of intervals no
 * candle covers), the last traded price and the symbol's Binance bracket table. Open-interest observations
 * older than the first candle are left out: no price levels exist for them.
 */
function computeHeatmap(market: SymbolMarket, now: number, params: LiquidationHeatmapParams): { result: LiquidationHeatmap; asOf: number } | null {
  const price = market.lastPrice;
  const intervals = [...market.candles.keys()].filter((i) => (market.candles.get(i)?.size ?? 0) > 0).sort((a, b) => INTERVAL_MS[a] - INTERVAL_MS[b]);
  const finest = intervals[0];
  if (price === null || finest === undefined) return null;
  const candles = (market.candles.get(finest)?.toArray() ?? []) as Candle[];
  const first = candles[0];
  if (!first) return null;
  // The model allocates open interest in contracts: a source that never delivered one (no OI feed, or a
  // value-only export) gets no result (NOT_READY), not an empty map reading BALANCED with score 0.
  if (!market.openInterest.toArray().some((p) => p.openInterest !== null)) return null;
  const hourly = market.candles.get(ATR_INTERVAL)?.toArray(ATR_CANDLES) ?? [];
  const atrCandles =
    hourly.length >= DEFAULT_LIQUIDATION_HEATMAP_THRESHOLDS.atrPeriod || INTERVAL_MS[finest] > HOUR_MS ? hourly : hourlyFrom(candles).slice(-ATR_CANDLES);
  // The model allocates contracts: observations without a contract count (value-only sources) are left out.
  const openInterest = market.openInterest
    .toArray()
    .filter((p) => p.time >= first.openTime)
    .flatMap((p) => (p.openInterest === null ? [] : [{ time: p.time, openInterest: p.openInterest }]));
  // Streams and REST backfill can interleave slightly out of order; the analyzer wants time order.
  const trades = market.trades.toArray().sort((a, b) => a.time - b.time);
  const leverageTiers: readonly LeverageTier[] = params.leverages
    ? [...params.leverages].sort((a, b) => a - b).map((leverage) => ({ leverage, weight: 1 }))
    : DEFAULT_LEVERAGE_TIERS;

  const result = computeLiquidationHeatmap({
    symbol: market.symbol,
    now,
    price,
    openInterest,
    candles,
    trades,
    atrCandles,
    bracketTable: bracketTableFor(market.symbol),
    leverageTiers,
    rangePct: params.rangePct ?? DEFAULT_RANGE_PCT,
    buckets: params.buckets ?? DEFAULT_BUCKETS,
  });
  const asOf = Math.max(market.updatedAtByType.get('openInterest') ?? 0, market.updatedAtByType.get('candle') ?? 0, market.lastTradeAt ?? 0);
  return { result, asOf: asOf > 0 ? asOf : (market.updatedAt ?? now) };
}

function toParams(raw: unknown): LiquidationHeatmapParams {
  const p = (raw ?? {}) as Record<string, unknown>;
  const out: LiquidationHeatmapParams = {};
  if (Array.isArray(p.leverages)) out.leverages = p.leverages.map(Number);
  if (typeof p.rangePct === 'number') out.rangePct = p.rangePct;
  if (typeof p.buckets === 'number') out.buckets = p.buckets;
  return out;
}

export const liquidationHeatmapDefinition: AnalysisDefinition<LiquidationHeatmap> = {
  kind: 'LIQUIDATION_HEATMAP',
  // ~5 ms per run; positions only move with open interest (once a minute) and closed candles, so a
  // 5-second cadence keeps the map current without recomputing it on every tick.
  minIntervalMs: 5_000,
  methodologyVersion: LIQUIDATION_HEATMAP_METHODOLOGY_VERSION,
  // New positions come with open interest; candles move the price path that liquidates them.
  triggers: new Set(['openInterest', 'candle']),
  inputs: [{ type: 'openInterest' }, { type: 'candle' }],
  // 16 ms p50, 106 ms p99 per run on the 20-symbol server, 8 % of a core: the largest event-loop blocker.
  offload: true,
  compute: (market, now) => computeHeatmap(market, now, {}),
  computeWith: (market, now, _settings, params) => computeHeatmap(market, now, toParams(params)),
};
