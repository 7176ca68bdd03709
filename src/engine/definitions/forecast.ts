import { computeForecastAnalysis, FORECAST_METHODOLOGY_VERSION } from '../../analyzers/forecast.js';
import type { ForecastAnalysis } from '../../analyzers/forecast.types.js';
import { INTERVAL_MS, type CandleInterval } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';
import { closedCandles, createClosedCandleMemo } from './volume.js';

/** Interval the forecast models (its horizons count in these bars: H1 = 1, H4 = 4, D1 = 24). */
export const FORECAST_INTERVAL: CandleInterval = '1h';

function computeForecast(market: SymbolMarket): { result: ForecastAnalysis; asOf: number } | null {
  const candles = closedCandles(market, FORECAST_INTERVAL);
  const last = candles.at(-1);
  if (!last) return null;
  const result = computeForecastAnalysis({
    symbol: market.symbol,
    intervalMs: INTERVAL_MS[FORECAST_INTERVAL],
    candles: candles.map((c) => ({ openTime: c.openTime, closeTime: c.closeTime, close: c.close })),
  });
  return { result, asOf: last.closeTime };
}

const memo = createClosedCandleMemo<ReturnType<typeof computeForecast>>();

/**
 * FORECAST: GARCH(1,1) forecasts for H1/H4/D1 with their rolling out-of-sample evaluation, over the closed 1 h
 * candles the store holds. Recomputed once per closed 1 h candle (the memo keys on the closed set; forming-bar
 * ticks return the remembered result). Offloaded: a run refits the model about (bars − 300) / 24 times for the
 * evaluation, ≈ 0.3–0.4 s for 1000 bars on one core of the development machine (README "Forecast").
 */
export const forecastDefinition: AnalysisDefinition<ForecastAnalysis> = {
  kind: 'FORECAST',
  methodologyVersion: FORECAST_METHODOLOGY_VERSION,
  triggers: new Set(['candle']),
  inputs: [{ type: 'candle', interval: FORECAST_INTERVAL }],
  offload: true,
  compute: (market) => memo(market, FORECAST_INTERVAL, () => computeForecast(market)),
};
