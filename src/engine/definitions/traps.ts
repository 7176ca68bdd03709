import { computeTraps, TRAPS_METHODOLOGY_VERSION } from '../../analyzers/traps.js';
import { DEFAULT_TRAP_OPTIONS, type TrapAnalysis } from '../../analyzers/traps.types.js';
import type { CandleInterval } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/** Caller-chosen parameters of `Market.traps(interval, sensitivity)`. */
export interface TrapParams {
  interval: CandleInterval;
  sensitivity: number;
}

export const DEFAULT_TRAP_PARAMS: Readonly<TrapParams> = { interval: '15m', sensitivity: DEFAULT_TRAP_OPTIONS.sensitivity };

/**
 * The last result per market and parameter set, reused while no new candle closed and no liquidation
 * arrived (forming-candle updates trigger the engine often but cannot change a causal detection).
 */
const memo = new WeakMap<SymbolMarket, Map<string, { stamp: string; result: TrapAnalysis }>>();

function traps(market: SymbolMarket, params: TrapParams): { result: TrapAnalysis; asOf: number } | null {
  const candles = (market.candles.get(params.interval)?.toArray() ?? []).filter((c) => c.closed);
  const last = candles.at(-1);
  if (!last) return null;
  const asOf = Math.max(last.closeTime, market.updatedAtByType.get('candle') ?? 0);
  const liquidation = market.liquidations.last();
  const stamp = `${last.openTime}:${candles.length}:${candles[0]!.openTime}:${market.liquidations.size}:${liquidation?.time ?? ''}`;
  let byParams = memo.get(market);
  if (!byParams) memo.set(market, (byParams = new Map()));
  const key = `${params.interval}:${params.sensitivity}`;
  const cached = byParams.get(key);
  if (cached?.stamp === stamp) return { result: cached.result, asOf };
  const result = computeTraps({
    symbol: market.symbol,
    interval: params.interval,
    candles,
    // Liquidations are optional evidence: without any the store cannot tell a quiet market from a source that sends none.
    liquidations: market.liquidations.size > 0 ? market.liquidations.toArray().map((l) => ({ price: l.averagePrice, notional: l.notional, time: l.time })) : undefined,
    options: { sensitivity: params.sensitivity },
  });
  byParams.set(key, { stamp, result });
  return { result, asOf };
}

/** TRAPS on closed 15 m candles by default; other intervals and sensitivities on demand. */
export const trapsDefinition: AnalysisDefinition<TrapAnalysis> = {
  kind: 'TRAPS',
  methodologyVersion: TRAPS_METHODOLOGY_VERSION,
  triggers: new Set(['candle', 'liquidation']),
  inputs: [{ type: 'candle', interval: DEFAULT_TRAP_PARAMS.interval }, { type: 'liquidation' }],
  compute: (market) => traps(market, DEFAULT_TRAP_PARAMS),
  computeWith: (market, _now, _settings, params) => traps(market, params as TrapParams),
};
