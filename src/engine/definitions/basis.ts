import { z } from 'zod';
import { BASIS_METHODOLOGY_VERSION, computeBasisAnalysis } from '../../analyzers/basis.js';
import { DEFAULT_BASIS_THRESHOLDS, type BasisAnalysis, type BasisThresholds } from '../../analyzers/basis.types.js';
import type { AnalysisDefinition, AnalysisSettings } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/** Caller-chosen classification thresholds (the GraphQL arguments of `Market.basis`), already validated there. */
export const basisParamsSchema = z.object({
  contangoPct: z.number().finite().positive(),
  backwardationPct: z.number().finite().negative(),
});
export type BasisParams = z.infer<typeof basisParamsSchema>;

function computeBasis(market: SymbolMarket, settings: AnalysisSettings, thresholds: Partial<BasisThresholds>) {
  const mark = market.mark;
  const last = market.lastPrice === null ? null : { price: market.lastPrice, time: market.lastTradeAt ?? market.updatedAtByType.get('candle') ?? 0 };
  if (!mark && !last) return null;
  const result = computeBasisAnalysis({
    symbol: market.symbol,
    spot: market.spot ? { price: market.spot.price, time: market.spot.time } : null,
    mark: mark ? { markPrice: mark.markPrice, indexPrice: mark.indexPrice, time: mark.time } : null,
    last,
    fundingIntervalHours: settings.fundingIntervalHours(market.symbol),
    thresholds,
  });
  const asOf = Math.max(market.spot?.time ?? -Infinity, mark?.time ?? -Infinity, mark ? -Infinity : (last?.time ?? -Infinity));
  return { result, asOf };
}

export const basisDefinition: AnalysisDefinition<BasisAnalysis> = {
  kind: 'BASIS',
  methodologyVersion: BASIS_METHODOLOGY_VERSION,
  triggers: new Set(['spotPrice', 'markPrice']),
  inputs: [{ type: 'markPrice' }, { type: 'spotPrice' }],
  compute: (market, _now, settings) => computeBasis(market, settings, DEFAULT_BASIS_THRESHOLDS),
  computeWith(market, _now, settings, params) {
    // Parsed again because the engine's contract is `unknown`: a caller bypassing the resolver still cannot inject garbage.
    return computeBasis(market, settings, basisParamsSchema.parse(params));
  },
};
