import { computeLongShortAnalysis, LONG_SHORT_METHODOLOGY_VERSION } from '../../analyzers/long-short.js';
import type { LongShortAnalysis } from '../../analyzers/long-short.types.js';
import { LongShortKinds, type LongShortKind } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/** Earlier readings each percentile compares with: one day of 5-minute statistics periods. */
export const LONG_SHORT_HISTORY_WINDOW = 288;

const ratios = (market: SymbolMarket, kind: LongShortKind) =>
  (market.longShort.get(kind)?.toArray(LONG_SHORT_HISTORY_WINDOW + 1) ?? []).map((r) => ({ time: r.time, ratio: r.longShortRatio }));

export const longShortDefinition: AnalysisDefinition<LongShortAnalysis> = {
  kind: 'LONG_SHORT',
  methodologyVersion: LONG_SHORT_METHODOLOGY_VERSION,
  triggers: new Set(['longShortRatio', 'takerVolume']),
  inputs: [{ type: 'longShortRatio' }, { type: 'takerVolume' }],
  compute(market) {
    const globalAccounts = ratios(market, LongShortKinds.GLOBAL_ACCOUNTS);
    const topAccounts = ratios(market, LongShortKinds.TOP_ACCOUNTS);
    const topPositions = ratios(market, LongShortKinds.TOP_POSITIONS);
    const takerVolume = market.takerVolume
      .toArray(LONG_SHORT_HISTORY_WINDOW + 1)
      .map((v) => ({ time: v.time, buyVolume: v.buyVolume, sellVolume: v.sellVolume, ratio: v.buySellRatio }));
    const times = [globalAccounts, topAccounts, topPositions, takerVolume].map((s) => s.at(-1)?.time ?? -Infinity);
    const asOf = Math.max(...times);
    if (asOf === -Infinity) return null;
    const result = computeLongShortAnalysis({
      symbol: market.symbol,
      globalAccounts,
      topAccounts,
      topPositions,
      takerVolume,
      historyWindow: LONG_SHORT_HISTORY_WINDOW,
    });
    return { result, asOf };
  },
};
