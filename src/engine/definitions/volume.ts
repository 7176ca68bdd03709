import { computeVolumeAnalysis, VOLUME_METHODOLOGY_VERSION } from '../../analyzers/volume.js';
import type { VolumeAnalysis, VolumeThresholds } from '../../analyzers/volume.types.js';
import type { Candle, CandleInterval } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/** Interval of the default (streamed, snapshotted) volume analysis. */
export const DEFAULT_VOLUME_INTERVAL: CandleInterval = '5m';

/** Caller-chosen parameters (GraphQL arguments of `Market.volume`), validated by the resolver. */
export interface VolumeParams {
  interval?: CandleInterval;
  /** Epoch ms; absent: the latest confirmed swing. */
  anchor?: number;
  spikeZ?: number;
  lookback?: number;
}

/** Closed candles of one interval, ascending (the forming bar is left out: its volume is partial). */
export function closedCandles(market: SymbolMarket, interval: CandleInterval): Candle[] {
  return (market.candles.get(interval)?.toArray() ?? []).filter((c) => c.closed).sort((a, b) => a.openTime - b.openTime);
}

function computeVolume(market: SymbolMarket, params: VolumeParams): { result: VolumeAnalysis; asOf: number } | null {
  const interval = params.interval ?? DEFAULT_VOLUME_INTERVAL;
  const candles = closedCandles(market, interval);
  const last = candles.at(-1);
  if (!last) return null;
  const thresholds: Partial<VolumeThresholds> = {};
  if (params.spikeZ !== undefined) thresholds.spikeZ = params.spikeZ;
  if (params.lookback !== undefined) thresholds.lookback = params.lookback;
  const result = computeVolumeAnalysis({
    symbol: market.symbol,
    interval,
    candles: candles.map((c) => ({
      openTime: c.openTime,
      closeTime: c.closeTime,
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      volume: c.volume,
      takerBuyVolume: c.takerBuyVolume === null ? null : Math.min(c.takerBuyVolume, c.volume),
    })),
    anchor: params.anchor ?? null,
    thresholds,
  });
  return { result, asOf: last.closeTime };
}

function toParams(raw: unknown): VolumeParams {
  const p = (raw ?? {}) as Record<string, unknown>;
  const out: VolumeParams = {};
  if (typeof p.interval === 'string') out.interval = p.interval as CandleInterval;
  if (typeof p.anchor === 'number') out.anchor = p.anchor;
  if (typeof p.spikeZ === 'number') out.spikeZ = p.spikeZ;
  if (typeof p.lookback === 'number') out.lookback = p.lookback;
  return out;
}

/**
 * Remembers one result per market and key so the forming-bar updates that trigger the engine (several a
 * second) do not recompute an analysis of closed candles that has not changed.
 */
export function createClosedCandleMemo<R>() {
  const memo = new WeakMap<SymbolMarket, { key: string; out: R }>();
  return (market: SymbolMarket, interval: CandleInterval, compute: () => R): R => {
    const candles = market.candles.get(interval);
    const closed = closedCandles(market, interval);
    const key = `${interval}:${candles?.size ?? 0}:${closed.length}:${closed[0]?.openTime}:${closed.at(-1)?.openTime}:${closed.at(-1)?.volume}`;
    const hit = memo.get(market);
    if (hit && hit.key === key) return hit.out;
    const out = compute();
    memo.set(market, { key, out });
    return out;
  };
}

const memo = createClosedCandleMemo<ReturnType<typeof computeVolume>>();

export const volumeDefinition: AnalysisDefinition<VolumeAnalysis> = {
  kind: 'VOLUME',
  methodologyVersion: VOLUME_METHODOLOGY_VERSION,
  triggers: new Set(['candle']),
  inputs: [{ type: 'candle', interval: DEFAULT_VOLUME_INTERVAL }],
  compute: (market) => memo(market, DEFAULT_VOLUME_INTERVAL, () => computeVolume(market, {})),
  computeWith: (market, _now, _settings, params) => computeVolume(market, toParams(params)),
};
