import { applyMacroEventProximity, computeVolatilityAnalysis, VOLATILITY_METHODOLOGY_VERSION } from '../../analyzers/volatility.js';
import type { VolatilityAnalysis, VolatilityThresholds } from '../../analyzers/volatility.types.js';
import type { MacroEvent } from '../../domain/macro.js';
import { INTERVAL_MS, type CandleInterval } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';
import { closedCandles, createClosedCandleMemo } from './volume.js';

/** Interval of the default (streamed, snapshotted) volatility analysis. */
export const DEFAULT_VOLATILITY_INTERVAL: CandleInterval = '1h';

/** Caller-chosen parameters (GraphQL arguments of `Market.volatility`), validated by the resolver. */
export type VolatilityParams = { interval?: CandleInterval } & Partial<VolatilityThresholds>;

const THRESHOLD_KEYS = [
  'atrPeriod',
  'percentileLookback',
  'highVolPercentile',
  'explosivePercentile',
  'extremePercentile',
  'persistenceBars',
  'targetVolatility',
] as const satisfies readonly (keyof VolatilityThresholds)[];

function computeVolatility(market: SymbolMarket, params: VolatilityParams): { result: VolatilityAnalysis; asOf: number } | null {
  const interval = params.interval ?? DEFAULT_VOLATILITY_INTERVAL;
  const candles = closedCandles(market, interval);
  const last = candles.at(-1);
  if (!last) return null;
  const thresholds: Partial<VolatilityThresholds> = {};
  for (const key of THRESHOLD_KEYS) if (params[key] !== undefined) thresholds[key] = params[key];
  const result = computeVolatilityAnalysis({
    symbol: market.symbol,
    interval,
    intervalMs: INTERVAL_MS[interval],
    candles: candles.map((c) => ({ openTime: c.openTime, closeTime: c.closeTime, open: c.open, high: c.high, low: c.low, close: c.close })),
    thresholds,
  });
  return { result, asOf: last.closeTime };
}

function toParams(raw: unknown): VolatilityParams {
  const p = (raw ?? {}) as Record<string, unknown>;
  const out: VolatilityParams = {};
  if (typeof p.interval === 'string') out.interval = p.interval as CandleInterval;
  for (const key of THRESHOLD_KEYS) if (typeof p[key] === 'number') out[key] = p[key];
  return out;
}

function withEventRisk(output: ReturnType<typeof computeVolatility>, now: number, events: readonly MacroEvent[] | undefined): ReturnType<typeof computeVolatility> {
  if (!output || !events?.length) return output;
  const result = applyMacroEventProximity(output.result, events, now);
  return result === output.result ? output : { ...output, result };
}

const memo = createClosedCandleMemo<ReturnType<typeof computeVolatility>>();

export const volatilityDefinition: AnalysisDefinition<VolatilityAnalysis> = {
  kind: 'VOLATILITY',
  methodologyVersion: VOLATILITY_METHODOLOGY_VERSION,
  triggers: new Set(['candle']),
  inputs: [{ type: 'candle', interval: DEFAULT_VOLATILITY_INTERVAL }],
  // The candle-only part is memoised on the closed candles; scheduled event risk depends on the clock and is applied after.
  compute: (market, now, settings) => withEventRisk(memo(market, DEFAULT_VOLATILITY_INTERVAL, () => computeVolatility(market, {})), now, settings.macroEvents),
  computeWith: (market, now, settings, params) => withEventRisk(computeVolatility(market, toParams(params)), now, settings.macroEvents),
};
