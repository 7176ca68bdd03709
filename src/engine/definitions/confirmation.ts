import { CONFIRMATION_LAYERS } from '../../analyzers/confirmation-layers.js';
import { CONFIRMATION_METHODOLOGY_VERSION, computeConfirmation } from '../../analyzers/confirmation.js';
import type { Confirmation, ConfirmationInputs, LayerSource } from '../../analyzers/confirmation.types.js';
import type { OptionsFlowAnalysis } from '../../analyzers/options-flow.types.js';
import type { AnalysisKind } from '../../domain/analysis.js';
import type { CandleInterval } from '../../domain/market.js';
import type { AnalysisDefinition, AnalysisSettings, DependencyView, DerivedDefinition } from '../definition.js';
import type { InputSpec } from '../freshness.js';
import type { SymbolMarket } from '../market-store.js';
import { DEFAULT_KEY_LEVELS_PARAMS, keyLevelsDefinition } from './key-levels.js';
import { DEFAULT_STRUCTURE_PARAMS, marketStructureDefinition } from './market-structure.js';
import { DEFAULT_VOLATILITY_INTERVAL, volatilityDefinition } from './volatility.js';
import { DEFAULT_PROFILE_INTERVAL, volumeProfileDefinition } from './volume-profile.js';
import { closedCandles, createClosedCandleMemo, DEFAULT_VOLUME_INTERVAL, volumeDefinition } from './volume.js';
import { SENTIMENT_ALL } from './sentiment.js';
import { CORRELATION_KEY } from './correlation.js';

/** Interval of the default (streamed, snapshotted) confirmation. */
export const DEFAULT_CONFIRMATION_INTERVAL: CandleInterval = '1h';
/** Closed bars of the interval handed to the layers (the chart layers read at most 200). */
export const CONFIRMATION_CANDLES = 300;
/**
 * Lower bound between two recomputations per symbol: its dependencies publish up to once a second each
 * (whales, key levels on every trade); a confirmation every 5 s is as current as a trader reads it.
 */
export const CONFIRMATION_MIN_INTERVAL_MS = 5_000;

/** The interval-dependent analyses the chart layers read, with the interval of their default computation. */
const INTERVAL_SOURCES = {
  structure: { def: marketStructureDefinition, defaultInterval: DEFAULT_STRUCTURE_PARAMS.interval },
  levels: { def: keyLevelsDefinition, defaultInterval: DEFAULT_KEY_LEVELS_PARAMS.interval },
  profile: { def: volumeProfileDefinition, defaultInterval: DEFAULT_PROFILE_INTERVAL },
  volume: { def: volumeDefinition, defaultInterval: DEFAULT_VOLUME_INTERVAL },
  volatility: { def: volatilityDefinition, defaultInterval: DEFAULT_VOLATILITY_INTERVAL },
} as const satisfies Record<string, { def: AnalysisDefinition<unknown>; defaultInterval: CandleInterval }>;
export type IntervalSource = keyof typeof INTERVAL_SOURCES;

/** Every analysis the confirmation reads; a changed result of any of them schedules a recomputation. */
export const CONFIRMATION_DEPENDENCIES: readonly AnalysisKind[] = [
  'REGIME',
  'MARKET_STRUCTURE',
  'KEY_LEVELS',
  'VOLUME_PROFILE',
  'VOLUME',
  'VOLATILITY',
  'FUNDING',
  'OPEN_INTEREST',
  'LONG_SHORT',
  'WHALES',
  'LIQUIDATION_HEATMAP',
  'SENTIMENT',
  'CORRELATION',
  'OPTIONS_FLOW',
  'FORECAST',
  'ORDER_BOOK',
];

/** One memo per (analysis, interval): each keeps the result of the closed candles it last saw, per market. */
const memos = new Map<string, ReturnType<typeof createClosedCandleMemo<{ result: unknown; asOf: number } | null>>>();
function memoFor(kind: string, interval: CandleInterval) {
  const key = `${kind}:${interval}`;
  let memo = memos.get(key);
  if (!memo) memos.set(key, (memo = createClosedCandleMemo()));
  return memo;
}

export function fromRecord<T>(deps: DependencyView, kind: AnalysisKind, key: string): LayerSource<T> {
  const latest = deps.latest<T>(kind, key);
  if (!latest) return { value: null, reason: `no ${kind} result for ${key} yet` };
  return { value: latest.record.result, asOf: latest.record.asOf, stale: latest.stale };
}

/**
 * An interval-dependent source: the published record when `interval` is that analysis's default, else its
 * own computation for `interval` (the same code as its `computeWith`), remembered per closed-candle set so it
 * runs once per new bar, judged stale when the interval's closed candles are overdue.
 */
export function intervalSource<T>(name: IntervalSource, market: SymbolMarket, interval: CandleInterval, now: number, settings: AnalysisSettings, deps: DependencyView): LayerSource<T> {
  const { def, defaultInterval } = INTERVAL_SOURCES[name];
  if (interval === defaultInterval) return fromRecord<T>(deps, def.kind, market.symbol);
  const out = memoFor(def.kind, interval)(market, interval, () => def.computeWith!(market, now, settings, { interval }) as { result: unknown; asOf: number } | null);
  if (!out) return { value: null, reason: `no closed ${interval} candle yet` };
  return { value: out.result as T, asOf: out.asOf, stale: deps.overdue(market, [{ type: 'candle', interval }]) };
}

/** Deribit lists options by base currency (BTC, ETH): the perpetual's symbol without its quote. */
export function optionCurrencyOf(symbol: string): string {
  return symbol.replace(/(USDT|USDC|BUSD|FDUSD|USD)$/, '');
}

/** Assembles the twelve layers' inputs from the store (candles, price) and the engine's latest records. */
export function confirmationInputs(market: SymbolMarket, interval: CandleInterval, now: number, settings: AnalysisSettings, deps: DependencyView): ConfirmationInputs {
  const symbol = market.symbol;
  const currency = optionCurrencyOf(symbol);
  let optionsFlow = fromRecord<OptionsFlowAnalysis>(deps, 'OPTIONS_FLOW', currency);
  if (optionsFlow.value === null) {
    const keys = deps.keys('OPTIONS_FLOW');
    optionsFlow = {
      value: null,
      reason: keys.length > 0 ? `no options market for ${currency} (options flow covers ${keys.join(', ')})` : `no options chain received yet (Deribit lists BTC and ETH options)`,
    };
  }
  const sentimentKey = deps.latest('SENTIMENT', symbol) ? symbol : SENTIMENT_ALL;
  return {
    symbol,
    interval,
    now,
    candles: closedCandles(market, interval).slice(-CONFIRMATION_CANDLES),
    price: market.lastPrice,
    regime: fromRecord(deps, 'REGIME', symbol),
    structure: intervalSource('structure', market, interval, now, settings, deps),
    levels: intervalSource('levels', market, interval, now, settings, deps),
    profile: intervalSource('profile', market, interval, now, settings, deps),
    volume: intervalSource('volume', market, interval, now, settings, deps),
    volatility: intervalSource('volatility', market, interval, now, settings, deps),
    funding: fromRecord(deps, 'FUNDING', symbol),
    openInterest: fromRecord(deps, 'OPEN_INTEREST', symbol),
    longShort: fromRecord(deps, 'LONG_SHORT', symbol),
    whales: fromRecord(deps, 'WHALES', symbol),
    heatmap: fromRecord(deps, 'LIQUIDATION_HEATMAP', symbol),
    sentiment: fromRecord(deps, 'SENTIMENT', sentimentKey),
    correlation: fromRecord(deps, 'CORRELATION', CORRELATION_KEY),
    optionsFlow,
    forecast: fromRecord(deps, 'FORECAST', symbol),
    orderBook: fromRecord(deps, 'ORDER_BOOK', symbol),
  };
}

/** asOf of a confirmation: the newest market time among its fresh sources and its closed candles. */
function asOfOf(inputs: ConfirmationInputs): number {
  let asOf = inputs.candles.at(-1)?.closeTime ?? 0;
  for (const source of [inputs.regime, inputs.structure, inputs.levels, inputs.profile, inputs.volume, inputs.volatility, inputs.funding, inputs.openInterest, inputs.longShort, inputs.whales, inputs.heatmap, inputs.sentiment, inputs.correlation, inputs.optionsFlow, inputs.forecast, inputs.orderBook]) {
    if ('asOf' in source && !source.stale) asOf = Math.max(asOf, source.asOf);
  }
  return asOf;
}

function compute(market: SymbolMarket, interval: CandleInterval, now: number, settings: AnalysisSettings, deps: DependencyView): { result: Confirmation; asOf: number } | null {
  const inputs = confirmationInputs(market, interval, now, settings, deps);
  const result = computeConfirmation(inputs, { layers: CONFIRMATION_LAYERS });
  return result ? { result, asOf: asOfOf(inputs) } : null;
}

/** Caller-chosen parameters (the `interval` argument); weights and language are applied when resolved. */
export interface ConfirmationParams {
  interval: CandleInterval;
}

const intervalOf = (params: unknown): CandleInterval => ((params ?? {}) as Partial<ConfirmationParams>).interval ?? DEFAULT_CONFIRMATION_INTERVAL;
const inputsFor = (interval: CandleInterval): InputSpec[] => [{ type: 'candle', interval }];

/**
 * CONFIRMATION: a derived analysis (engine/definition.ts DerivedDefinition) of fifteen others; see
 * docs/confirmation.md "Engine: derived analyses".
 */
export const confirmationDefinition: DerivedDefinition<Confirmation> = {
  kind: 'CONFIRMATION',
  methodologyVersion: CONFIRMATION_METHODOLOGY_VERSION,
  dependsOn: CONFIRMATION_DEPENDENCIES,
  // A sentiment key other than ALL belongs to its symbol; ALL, correlations and option currencies concern every symbol.
  dependents: (store, kind, key) => (kind === 'SENTIMENT' && key !== SENTIMENT_ALL ? [key] : store.get(key) ? [key] : store.symbols()),
  // Closed candles of the interval feed layers 1–6 directly; their bar closes also publish VOLUME and others.
  triggers: new Set(),
  inputs: inputsFor(DEFAULT_CONFIRMATION_INTERVAL),
  inputsWith: (params) => inputsFor(intervalOf(params)),
  minIntervalMs: CONFIRMATION_MIN_INTERVAL_MS,
  compute: (market, now, settings, deps) => compute(market, DEFAULT_CONFIRMATION_INTERVAL, now, settings, deps),
  computeWith: (market, now, settings, params, deps) => compute(market, intervalOf(params), now, settings, deps),
};
