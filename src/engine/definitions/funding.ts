import { computeFundingAnalysis, FUNDING_METHODOLOGY_VERSION } from '../../analyzers/funding.js';
import type { FundingAnalysis } from '../../analyzers/funding.types.js';
import type { AnalysisDefinition } from '../definition.js';

export const fundingDefinition: AnalysisDefinition<FundingAnalysis> = {
  kind: 'FUNDING',
  methodologyVersion: FUNDING_METHODOLOGY_VERSION,
  triggers: new Set(['funding', 'markPrice']),
  inputs: [{ type: 'funding' }, { type: 'markPrice' }],
  compute(market, now, settings) {
    const settlements = market.funding.toArray(settings.fundingHistoryWindow + 1);
    const last = settlements.at(-1);
    if (!last) return null;
    const result = computeFundingAnalysis({
      symbol: market.symbol,
      settlements: settlements.map((f) => ({ rate: f.rate, fundingTime: f.fundingTime })),
      predictedRate: market.mark?.predictedFundingRate ?? null,
      nextFundingTime: market.mark?.nextFundingTime ?? null,
      fundingIntervalHours: settings.fundingIntervalHours(market.symbol),
      historyWindow: settings.fundingHistoryWindow,
      now,
    });
    return { result, asOf: Math.max(last.fundingTime, market.mark?.time ?? 0) };
  },
};
