import { computeMarketStructure, MARKET_STRUCTURE_METHODOLOGY_VERSION } from '../../analyzers/market-structure.js';
import { DEFAULT_STRUCTURE_CONFIRM_BARS, type MarketStructure } from '../../analyzers/market-structure.types.js';
import type { CandleInterval } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/** Caller-chosen parameters (GraphQL arguments of `Market.structure`), validated by the resolver. */
export interface MarketStructureParams {
  interval: CandleInterval;
  confirmBars: number;
}

export const DEFAULT_STRUCTURE_PARAMS: Readonly<MarketStructureParams> = { interval: '15m', confirmBars: DEFAULT_STRUCTURE_CONFIRM_BARS };

/**
 * Feeds {@link computeMarketStructure} with the store's closed candles of one interval (the forming
 * candle is left out: it would repaint). Null when the store holds no closed candle of that interval.
 */
export function computeStructureFor(market: SymbolMarket, params: MarketStructureParams): { result: MarketStructure; asOf: number } | null {
  const candles = (market.candles.get(params.interval)?.toArray() ?? []).filter((c) => c.closed);
  const last = candles.at(-1);
  if (!last) return null;
  const result = computeMarketStructure({ symbol: market.symbol, interval: params.interval, candles, confirmBars: params.confirmBars });
  return { result, asOf: Math.max(market.updatedAtByType.get('candle') ?? 0, last.closeTime) };
}

function toParams(raw: unknown): MarketStructureParams {
  const p = (raw ?? {}) as Partial<MarketStructureParams>;
  return { interval: p.interval ?? DEFAULT_STRUCTURE_PARAMS.interval, confirmBars: p.confirmBars ?? DEFAULT_STRUCTURE_PARAMS.confirmBars };
}

export const marketStructureDefinition: AnalysisDefinition<MarketStructure> = {
  kind: 'MARKET_STRUCTURE',
  methodologyVersion: MARKET_STRUCTURE_METHODOLOGY_VERSION,
  triggers: new Set(['candle']),
  inputs: [{ type: 'candle', interval: DEFAULT_STRUCTURE_PARAMS.interval }],
  compute: (market) => computeStructureFor(market, DEFAULT_STRUCTURE_PARAMS),
  computeWith: (market, _now, _settings, params) => computeStructureFor(market, toParams(params)),
};
