import { computeLiquidationCascades, LIQUIDATION_CASCADES_METHODOLOGY_VERSION } from '../../analyzers/liquidation-cascades.js';
import { DEFAULT_CASCADE_OPTIONS, type LiquidationCascadeAnalysis } from '../../analyzers/liquidation-cascades.types.js';
import type { Liquidation } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/** Caller-chosen parameters of `Market.liquidationCascades(window)`. */
export interface LiquidationCascadeParams {
  windowMs: number;
}

export const DEFAULT_CASCADE_WINDOW_MS = DEFAULT_CASCADE_OPTIONS.windowMs;

/** Closed 1 h candles averaged for the typical volume when the source sends no 24 h ticker. */
const VOLUME_CANDLES = 24;
const MIN_VOLUME_CANDLES = 6;

/**
 * When the engine first saw each market holding data: the liquidation feed is taken as observed from then
 * on (sources subscribe to liquidations together with their other streams). Keyed by the market object,
 * so every store (every app, every test) starts afresh.
 */
const firstSeen = new WeakMap<SymbolMarket, number>();

/**
 * Start of the period over which the store holds every liquidation the feed delivered. Once the ring
 * buffer is full, older events have been dropped, so the oldest retained one bounds it; before that, the
 * first sighting of the market or just before the oldest event (a backfill reaches further back).
 */
export function observedSince(market: SymbolMarket, oldest: number | undefined, now: number): number {
  let seen = firstSeen.get(market);
  if (seen === undefined) {
    seen = now;
    firstSeen.set(market, seen);
  }
  if (oldest === undefined) return Math.min(seen, now);
  if (market.liquidations.size >= market.liquidations.capacity) return Math.min(oldest, now);
  return Math.min(seen, oldest - 1, now);
}

/**
 * Typical traded quote volume per hour: the 24 h ticker, else the mean of the last closed 1 h candles
 * whose quote volume was recorded (null with fewer than 6 such: a freqtrade replay records none, and the
 * volume-relative measures then stay null instead of dividing by a made-up 0).
 */
export function typicalHourlyVolume(market: SymbolMarket): number | null {
  const quoteVolume = market.ticker24h?.quoteVolume;
  if (quoteVolume !== undefined && Number.isFinite(quoteVolume) && quoteVolume > 0) return quoteVolume / 24;
  const volumes = (market.candles.get('1h')?.toArray(VOLUME_CANDLES + 1) ?? [])
    .filter((c) => c.closed)
    .slice(-VOLUME_CANDLES)
    .flatMap((c) => (c.quoteVolume === null ? [] : [c.quoteVolume]));
  if (volumes.length < MIN_VOLUME_CANDLES) return null;
  const mean = volumes.reduce((sum, v) => sum + v, 0) / volumes.length;
  return Number.isFinite(mean) && mean > 0 ? mean : null;
}

function cascades(market: SymbolMarket, now: number, windowMs: number): { result: LiquidationCascadeAnalysis; asOf: number } | null {
  if (market.updatedAt === null) return null;
  const stored = market.liquidations.toArray();
  const since = observedSince(market, stored.reduce<number | undefined>((min, l) => (min === undefined || l.time < min ? l.time : min), undefined), now);
  // Without a single liquidation the store cannot tell a calm market from a source that sends none.
  if (stored.length === 0) return null;
  // Arrival order is time order but for the odd late event, which a stable sort puts in place.
  if (stored.some((l, i) => i > 0 && l.time < (stored[i - 1] as Liquidation).time)) stored.sort((a, b) => a.time - b.time);
  const result = computeLiquidationCascades({
    symbol: market.symbol,
    liquidations: stored.map((l) => ({ side: l.side, price: l.averagePrice, notional: l.notional, time: l.time, complete: l.complete })),
    observedSince: since,
    typicalHourlyVolumeUsd: typicalHourlyVolume(market),
    now,
    options: { windowMs, shortWindowMs: Math.min(DEFAULT_CASCADE_OPTIONS.shortWindowMs, windowMs) },
  });
  // The absence of newer liquidations is itself an input, as of the newest market event of any kind.
  return { result, asOf: Math.max(market.updatedAt, result.lastLiquidationTime ?? 0) };
}

/**
 * LIQUIDATION_CASCADES from the store's liquidations. Recomputed on every liquidation and on mark-price
 * and ticker updates too: velocities decay as events leave the window even when nothing new arrives.
 */
export const liquidationCascadesDefinition: AnalysisDefinition<LiquidationCascadeAnalysis> = {
  kind: 'LIQUIDATION_CASCADES',
  methodologyVersion: LIQUIDATION_CASCADES_METHODOLOGY_VERSION,
  triggers: new Set(['liquidation', 'markPrice', 'ticker24h']),
  // Liquidations have no cadence; the mark-price stream proves the feed alive.
  inputs: [{ type: 'liquidation' }, { type: 'markPrice' }],
  compute: (market, now) => cascades(market, now, DEFAULT_CASCADE_WINDOW_MS),
  computeWith: (market, now, _settings, params) => cascades(market, now, (params as LiquidationCascadeParams).windowMs),
};

/**
 * Tracks the last known severity per symbol and says when it changed. The first known severity counts as
 * a change from 1 (CALM), so a cascade under way when the process starts is announced, a calm market is
 * not; null severities (nothing to judge yet) are skipped and change nothing.
 */
export function createSeverityChangeDetector(): (symbol: string, severity: number | null) => boolean {
  const last = new Map<string, number>();
  return (symbol, severity) => {
    if (severity === null) return false;
    const previous = last.get(symbol) ?? 1;
    last.set(symbol, severity);
    return severity !== previous;
  };
}
