import { computeOpenInterestAnalysis, OPEN_INTEREST_METHODOLOGY_VERSION } from '../../analyzers/open-interest.js';
import type { OpenInterestAnalysis, PricePoint } from '../../analyzers/open-interest.types.js';
import { INTERVAL_MS, type CandleInterval } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/** Coarse to fine: each finer series takes over where it starts, so the path is dense near now. */
const PRICE_INTERVALS: readonly CandleInterval[] = ['1h', '15m', '5m', '1m'];

/**
 * The price path of a symbol for the open-interest analysis: closes of closed candles, each stamped at
 * the end of its bar (openTime + interval), from the finest interval that covers each stretch, then the
 * last trade (or, for sources without trades, the newest candle update). Strictly ascending by time.
 */
export function pricePath(market: SymbolMarket): PricePoint[] {
  let path: PricePoint[] = [];
  for (const interval of PRICE_INTERVALS) {
    const closes = (market.candles.get(interval)?.toArray() ?? [])
      .filter((c) => c.closed)
      .map((c) => ({ time: c.openTime + INTERVAL_MS[interval], price: c.close }));
    const first = closes[0];
    if (!first) continue;
    path = [...path.filter((p) => p.time < first.time), ...closes];
  }
  const lastTime = market.lastTradeAt ?? market.updatedAtByType.get('candle') ?? null;
  if (market.lastPrice !== null && lastTime !== null) {
    const tail = path.at(-1);
    if (!tail || lastTime > tail.time) path.push({ time: lastTime, price: market.lastPrice });
  }
  return path;
}

export const openInterestDefinition: AnalysisDefinition<OpenInterestAnalysis> = {
  kind: 'OPEN_INTEREST',
  methodologyVersion: OPEN_INTEREST_METHODOLOGY_VERSION,
  triggers: new Set(['openInterest']),
  inputs: [{ type: 'openInterest' }],
  compute(market) {
    const points = market.openInterest.toArray();
    const last = points.at(-1);
    if (!last) return null;
    const result = computeOpenInterestAnalysis({
      symbol: market.symbol,
      points: points.map((p) => ({ time: p.time, openInterest: p.openInterest, openInterestValue: p.openInterestValue })),
      prices: pricePath(market),
    });
    return { result, asOf: last.time };
  },
};
