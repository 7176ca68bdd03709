import { computeEmergency, EMERGENCY_METHODOLOGY_VERSION } from '../../analyzers/emergency.js';
import { DEFAULT_EMERGENCY_THRESHOLDS, type EmergencyAnalysis, type EmergencyBar } from '../../analyzers/emergency.types.js';
import { INTERVAL_MS, type CandleInterval } from '../../domain/market.js';
import type { AnalysisSettings, DependencyView, DerivedDefinition } from '../definition.js';
import type { InputSpec } from '../freshness.js';
import type { SymbolMarket } from '../market-store.js';

/** Base intervals, finest first: 1 m where the store holds enough of it (live venues, simulated), else 5 m (recordings). */
const BASE_INTERVALS: readonly CandleInterval[] = ['1m', '5m'];
/** Bars a base interval needs to be chosen: the σ baseline, the hour excluded from it and the window start. */
const barsNeeded = (interval: CandleInterval) => DEFAULT_EMERGENCY_THRESHOLDS.minBaselineBars + 3_600_000 / INTERVAL_MS[interval] + 1;

/** Recomputed at most once a second; re-run every 15 s without triggers, so a feed that stops is noticed. */
export const EMERGENCY_MIN_INTERVAL_MS = 1_000;
export const EMERGENCY_HEARTBEAT_MS = 15_000;

/**
 * The price feeds whose silence the protocol reports (DATA_STALE): trades and the closed bars of the base
 * interval. Mark price is read for the premium but not judged here: recordings carry 8 h mark candles only.
 */
const stalenessInputs = (interval: CandleInterval): InputSpec[] => [{ type: 'trade' }, { type: 'candle', interval }];

function baseInterval(market: SymbolMarket): CandleInterval | null {
  let fallback: CandleInterval | null = null;
  for (const interval of BASE_INTERVALS) {
    const size = market.candles.get(interval)?.size ?? 0;
    if (size >= barsNeeded(interval)) return interval;
    if (size > 0 && fallback === null) fallback = interval;
  }
  return fallback;
}

function compute(market: SymbolMarket, now: number, settings: AnalysisSettings, deps: DependencyView): { result: EmergencyAnalysis; asOf: number } | null {
  const interval = baseInterval(market);
  if (interval === null) return null;
  const candles = market.candles.get(interval)!.toArray();
  // Closed bars, then the forming one: its close is the latest price, so a crash shows before its bar closes.
  const bars: EmergencyBar[] = candles.filter((c, i) => c.closed || i === candles.length - 1);
  if (bars.length === 0) return null;
  const settled = market.funding.last();
  const predicted = market.mark?.predictedFundingRate ?? null;
  const funding = predicted !== null
    ? { rate: predicted, intervalHours: settings.fundingIntervalHours(market.symbol), predicted: true }
    : settled
      ? { rate: settled.rate, intervalHours: settings.fundingIntervalHours(market.symbol), predicted: false }
      : null;
  const result = computeEmergency({
    symbol: market.symbol,
    interval,
    intervalMs: INTERVAL_MS[interval],
    bars,
    // Liquidations are optional evidence: without any the store cannot tell a quiet market from a source that sends none.
    liquidations: market.liquidations.size > 0 ? market.liquidations.toArray() : undefined,
    funding,
    mark: market.mark ? { markPrice: market.mark.markPrice, indexPrice: market.mark.indexPrice, time: market.mark.time } : null,
    staleInputs: deps.overdueInputs(market, stalenessInputs(interval)).map((i) => ({ type: i.type, interval: i.interval, lastAt: i.lastAt })),
    now,
  });
  if (!result) return null;
  const last = bars.at(-1)!;
  const asOf = Math.max(Math.min(last.closeTime, market.updatedAtByType.get('candle') ?? last.openTime), market.lastTradeAt ?? -Infinity, market.mark?.time ?? -Infinity);
  return { result, asOf };
}

/**
 * EMERGENCY: the emergency protocol of each symbol (flash crash/pump, circuit-breaker moves, extreme volatility,
 * stale or halted venue data, funding and basis dislocations). A derived definition because it judges its own
 * inputs' freshness through the engine (DependencyView.overdueInputs) and needs the heartbeat; it reads no
 * other analysis.
 */
export const emergencyDefinition: DerivedDefinition<EmergencyAnalysis> = {
  kind: 'EMERGENCY',
  methodologyVersion: EMERGENCY_METHODOLOGY_VERSION,
  dependsOn: [],
  triggers: new Set(['candle', 'trade', 'liquidation', 'markPrice', 'funding']),
  inputs: [{ type: 'trade' }, { type: 'candle', interval: '1m' }, { type: 'candle', interval: '5m' }, { type: 'liquidation' }],
  minIntervalMs: EMERGENCY_MIN_INTERVAL_MS,
  heartbeatMs: EMERGENCY_HEARTBEAT_MS,
  compute,
};
