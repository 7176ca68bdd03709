import type { OrderBookAnalysis } from '../../analyzers/order-book.types.js';
import { averageTrueRange } from '../../analyzers/confirmation-layers-chart.js';
import type { Confirmation, LayerSource } from '../../analyzers/confirmation.types.js';
import type { KeyLevels } from '../../analyzers/key-levels.types.js';
import type { LiquidationHeatmap } from '../../analyzers/liquidation-heatmap.types.js';
import type { VolatilityAnalysis } from '../../analyzers/volatility.types.js';
import type { VolumeProfile } from '../../analyzers/volume-profile.types.js';
import { bracketTableFor } from '../../analyzers/liquidation-brackets.js';
import { computeScenarios, SCENARIOS_METHODOLOGY_VERSION } from '../../analyzers/scenarios.js';
import type { ScenarioSet } from '../../analyzers/scenarios.types.js';
import type { AnalysisKind } from '../../domain/analysis.js';
import type { CandleInterval } from '../../domain/market.js';
import type { AnalysisSettings, DependencyView, DerivedDefinition } from '../definition.js';
import type { InputSpec } from '../freshness.js';
import type { SymbolMarket } from '../market-store.js';
import { CONFIRMATION_CANDLES, CONFIRMATION_MIN_INTERVAL_MS, confirmationDefinition, DEFAULT_CONFIRMATION_INTERVAL, fromRecord, intervalSource } from './confirmation.js';
import { closedCandles } from './volume.js';

/** The analyses the scenarios read besides the inputs the confirmation assembles for the interval. */
export const SCENARIO_DEPENDENCIES: readonly AnalysisKind[] = ['CONFIRMATION', 'KEY_LEVELS', 'VOLUME_PROFILE', 'LIQUIDATION_HEATMAP', 'VOLATILITY', 'ORDER_BOOK'];

/** Caller-chosen parameters (the `interval` argument; `maxScenarios` is applied when resolved). */
export interface ScenarioParams {
  interval: CandleInterval;
}

const intervalOf = (params: unknown): CandleInterval => ((params ?? {}) as Partial<ScenarioParams>).interval ?? DEFAULT_CONFIRMATION_INTERVAL;
const inputsFor = (interval: CandleInterval): InputSpec[] => [{ type: 'candle', interval }];

/**
 * The composite of `interval`: the published CONFIRMATION for the default interval (the one snapshotted and
 * graded), else the confirmation's own computation for that interval on the same engine records.
 */
function confirmationFor(
  market: SymbolMarket,
  interval: CandleInterval,
  now: number,
  settings: AnalysisSettings,
  deps: DependencyView,
): { value: Confirmation; asOf: number; stale: boolean } | null {
  if (interval === DEFAULT_CONFIRMATION_INTERVAL) {
    const latest = deps.latest<Confirmation>('CONFIRMATION', market.symbol);
    return latest ? { value: latest.record.result, asOf: latest.record.asOf, stale: latest.stale } : null;
  }
  const out = confirmationDefinition.computeWith!(market, now, settings, { interval }, deps);
  return out ? { value: out.result, asOf: out.asOf, stale: deps.overdue(market, inputsFor(interval)) } : null;
}

function compute(market: SymbolMarket, interval: CandleInterval, now: number, settings: AnalysisSettings, deps: DependencyView): { result: ScenarioSet; asOf: number } | null {
  const confirmation = confirmationFor(market, interval, now, settings, deps);
  if (!confirmation) return null;
  // Only what the scenarios read (the confirmation already holds the layers): candles, ATR, levels, profile, heatmap, book.
  const candles = closedCandles(market, interval).slice(-CONFIRMATION_CANDLES);
  const last = candles.at(-1);
  const price = market.lastPrice ?? last?.close ?? null;
  // The volatility analysis's ATR when it is current, else the same Wilder ATR over the interval's closed bars.
  const volatility = intervalSource<VolatilityAnalysis>('volatility', market, interval, now, settings, deps);
  const vol = volatility.value !== null && !volatility.stale ? volatility.value.atr : null;
  const atr = vol ?? averageTrueRange(candles);
  if (price === null || atr === null || last === undefined) return null;
  const fresh = <T>(source: LayerSource<T>): T | null => (source.value !== null && 'stale' in source && !source.stale ? source.value : null);
  const result = computeScenarios({
    symbol: market.symbol,
    interval,
    now,
    price,
    atr,
    confirmation: confirmation.value,
    levels: fresh(intervalSource<KeyLevels>('levels', market, interval, now, settings, deps)),
    profile: fresh(intervalSource<VolumeProfile>('profile', market, interval, now, settings, deps)),
    heatmap: fresh(fromRecord<LiquidationHeatmap>(deps, 'LIQUIDATION_HEATMAP', market.symbol)),
    orderBook: fresh(fromRecord<OrderBookAnalysis>(deps, 'ORDER_BOOK', market.symbol)),
    brackets: bracketTableFor(market.symbol),
  });
  if (confirmation.stale) result.notes.unshift('The confirmation these scenarios are built from is stale (one of its inputs is overdue).');
  // The newest market time behind it: the composite's (its freshest layer input) or the interval's last close.
  return { result, asOf: Math.max(last.closeTime, confirmation.asOf) };
}

/**
 * SCENARIOS: a derived analysis of the confirmation and the level map (docs/confirmation.md "Scenarios");
 * recomputed when one of them publishes a changed result, at most once per CONFIRMATION_MIN_INTERVAL_MS.
 */
export const scenariosDefinition: DerivedDefinition<ScenarioSet> = {
  kind: 'SCENARIOS',
  methodologyVersion: SCENARIOS_METHODOLOGY_VERSION,
  dependsOn: SCENARIO_DEPENDENCIES,
  triggers: new Set(),
  inputs: inputsFor(DEFAULT_CONFIRMATION_INTERVAL),
  inputsWith: (params) => inputsFor(intervalOf(params)),
  minIntervalMs: CONFIRMATION_MIN_INTERVAL_MS,
  compute: (market, now, settings, deps) => compute(market, DEFAULT_CONFIRMATION_INTERVAL, now, settings, deps),
  computeWith: (market, now, settings, params, deps) => compute(market, intervalOf(params), now, settings, deps),
};
