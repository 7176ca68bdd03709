import { computeRegimeAnalysis, REGIME_METHODOLOGY_VERSION } from '../../analyzers/regime.js';
import { REGIME_TIMEFRAMES, type RegimeAnalysis, type RegimeCandle, type RegimeThresholds, type RegimeTimeframe } from '../../analyzers/regime.types.js';
import type { AnalysisDefinition, AnalysisSettings } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';
import { closedCandles } from './volume.js';

/** Caller-chosen parameters (GraphQL arguments of `Market.regime`), validated by the resolver. */
export type RegimeParams = Partial<Pick<RegimeThresholds, 'lookback' | 'trendEfficiency' | 'varianceRatioPeriod'>>;

const PARAM_KEYS = ['lookback', 'trendEfficiency', 'varianceRatioPeriod'] as const;

type History = readonly { from: number; to: number }[] | null;

function computeRegime(market: SymbolMarket, params: RegimeParams, recordedHistory: History): { result: RegimeAnalysis; asOf: number } | null {
  const candles: Partial<Record<RegimeTimeframe, RegimeCandle[]>> = {};
  let asOf = 0;
  for (const tf of REGIME_TIMEFRAMES) {
    const closed = closedCandles(market, tf);
    asOf = Math.max(asOf, closed.at(-1)?.closeTime ?? 0);
    candles[tf] = closed.map((c) => ({
      openTime: c.openTime,
      closeTime: c.closeTime,
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
      volume: c.volume,
      takerBuyVolume: c.takerBuyVolume === null ? null : Math.min(c.takerBuyVolume, c.volume),
    }));
  }
  if (asOf === 0) return null;
  const result = computeRegimeAnalysis({ symbol: market.symbol, candles, thresholds: params, recordedHistory });
  return { result, asOf };
}

function toParams(raw: unknown): RegimeParams {
  const p = (raw ?? {}) as Record<string, unknown>;
  const out: RegimeParams = {};
  for (const key of PARAM_KEYS) if (typeof p[key] === 'number') out[key] = p[key];
  return out;
}

/** Recomputes only when a closed candle of one of the four intervals changes (not on forming-bar ticks). */
function createRegimeMemo() {
  const memo = new WeakMap<SymbolMarket, { key: string; out: ReturnType<typeof computeRegime> }>();
  return (market: SymbolMarket, settings: AnalysisSettings): ReturnType<typeof computeRegime> => {
    const history = settings.recordedHistory?.(market.symbol) ?? null;
    const key = REGIME_TIMEFRAMES.map((tf) => {
      const closed = closedCandles(market, tf);
      return `${closed.length}:${closed[0]?.openTime}:${closed.at(-1)?.openTime}:${closed.at(-1)?.close}`;
    })
      .concat(JSON.stringify(history))
      .join('|');
    const hit = memo.get(market);
    if (hit && hit.key === key) return hit.out;
    const out = computeRegime(market, {}, history);
    memo.set(market, { key, out });
    return out;
  };
}

const memo = createRegimeMemo();

export const regimeDefinition: AnalysisDefinition<RegimeAnalysis> = {
  kind: 'REGIME',
  methodologyVersion: REGIME_METHODOLOGY_VERSION,
  triggers: new Set(['candle']),
  // Every timeframe it classifies: each held interval is judged by its own bar clock (an interval the store
  // does not hold, derived from a finer one, has no lastAt and is not overdue by itself).
  inputs: REGIME_TIMEFRAMES.map((interval) => ({ type: 'candle', interval })),
  compute: (market, _now, settings) => memo(market, settings),
  computeWith: (market, _now, settings, params) => computeRegime(market, toParams(params), settings.recordedHistory?.(market.symbol) ?? null),
};
