import { computeFundingAnalysis, FUNDING_METHODOLOGY_VERSION } from '../analyzers/funding.js';
import type { FundingAnalysis } from '../analyzers/funding.types.js';
import type { AnalysisKind } from '../domain/analysis.js';
import type { MarketEventType } from '../domain/market.js';
import type { MarketStore, SymbolMarket } from './market-store.js';
import type { InputSpec } from './freshness.js';
import { marketStructureDefinition } from './definitions/market-structure.js';
import { keyLevelsDefinition } from './definitions/key-levels.js';
import { liquidationCascadesDefinition } from './definitions/liquidation-cascades.js';
import { openInterestDefinition } from './definitions/open-interest.js';
import { longShortDefinition } from './definitions/long-short.js';
import { basisDefinition } from './definitions/basis.js';
import { liquidationHeatmapDefinition } from './definitions/liquidation-heatmap.js';
import { volumeDefinition } from './definitions/volume.js';
import { volumeProfileDefinition } from './definitions/volume-profile.js';
import { trapsDefinition } from './definitions/traps.js';
import { whalesDefinition } from './definitions/whales.js';
import { sessionsDefinition } from './definitions/sessions.js';
import { volatilityDefinition } from './definitions/volatility.js';
import { regimeDefinition } from './definitions/regime.js';
import { optionsFlowDefinition } from './definitions/options-flow.js';
import { correlationDefinition } from './definitions/correlation.js';
import { sentimentDefinition } from './definitions/sentiment.js';

export interface AnalysisSettings {
  fundingHistoryWindow: number;
  fundingIntervalHours: (symbol: string) => number;
}

/** How the engine feeds one pure analyzer from the market store. */
export interface AnalysisDefinition<R = unknown> {
  kind: AnalysisKind;
  methodologyVersion: string;
  /** Store changes that make the result out of date. */
  triggers: ReadonlySet<MarketEventType>;
  /**
   * The inputs the result is built from, each judged by its own cadence (see engine/freshness.ts): the
   * result is stale exactly when one of them is overdue, and `meta.inputs` says which.
   */
  inputs: readonly InputSpec[];
  /**
   * Lower bound on the time between two recomputations of this analysis for one symbol, for costly
   * analyses whose result moves slower than their triggers fire (the engine uses the larger of this
   * and ANALYSIS_MIN_INTERVAL_MS).
   */
  minIntervalMs?: number;
  /** Null when the store does not hold enough input yet to say anything. */
  compute(market: SymbolMarket, now: number, settings: AnalysisSettings): { result: R; asOf: number } | null;
  /**
   * The same analysis with caller-chosen parameters (GraphQL arguments), for analyses that take them.
   * `params` arrive validated by the resolver. The engine caches results per parameter set for
   * `minIntervalMs`, so identical requests in that window cost one computation.
   */
  computeWith?(market: SymbolMarket, now: number, settings: AnalysisSettings, params: unknown): { result: R; asOf: number } | null;
}

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

export const ANALYSES: readonly AnalysisDefinition[] = [fundingDefinition as AnalysisDefinition, marketStructureDefinition as AnalysisDefinition, keyLevelsDefinition as AnalysisDefinition, liquidationCascadesDefinition as AnalysisDefinition, openInterestDefinition as AnalysisDefinition, longShortDefinition as AnalysisDefinition, basisDefinition as AnalysisDefinition, liquidationHeatmapDefinition as AnalysisDefinition, volumeDefinition as AnalysisDefinition, volumeProfileDefinition as AnalysisDefinition, trapsDefinition as AnalysisDefinition, whalesDefinition as AnalysisDefinition, sessionsDefinition as AnalysisDefinition, volatilityDefinition as AnalysisDefinition, regimeDefinition as AnalysisDefinition];

/**
 * An analysis that spans symbols or is about the market as a whole (correlations, options flow,
 * sentiment). Computed per key rather than per symbol: e.g. option currencies (`BTC`, `ETH`) or `ALL`.
 * Keys play the role of the symbol in the cache, topics (`analysisUpdated(kind, symbol: key)`) and
 * snapshots.
 */
export interface MarketWideDefinition<R = unknown> {
  kind: AnalysisKind;
  methodologyVersion: string;
  /** Store changes (symbol-level or market-wide) that make results out of date. */
  triggers: ReadonlySet<MarketEventType>;
  /** As for per-symbol analyses; symbol-level inputs are sampled over {@link MarketWideDefinition.inputSymbols}. */
  inputs: readonly InputSpec[];
  /** Symbols whose symbol-level inputs a key depends on (default: every configured symbol); the oldest decides. */
  inputSymbols?(store: MarketStore, key: string): string[];
  /** As for per-symbol analyses: lower bound between two recomputations of one key. */
  minIntervalMs?: number;
  /** The keys to compute now, given what the store holds. */
  keys(store: MarketStore): string[];
  compute(store: MarketStore, key: string, now: number, settings: AnalysisSettings): { result: R; asOf: number } | null;
  computeWith?(store: MarketStore, key: string, now: number, settings: AnalysisSettings, params: unknown): { result: R; asOf: number } | null;
}

/** Market-wide analyses, registered like ANALYSES. */
export const MARKET_ANALYSES: readonly MarketWideDefinition[] = [correlationDefinition as MarketWideDefinition, sentimentDefinition as MarketWideDefinition, optionsFlowDefinition as MarketWideDefinition];

/** Kinds computed per market-wide key rather than per symbol. */
export const isMarketWideKind = (kind: string): boolean => MARKET_ANALYSES.some((d) => d.kind === kind);

/** The inputs an analysis kind is built from (undefined: unknown kind). */
export function inputsOf(kind: string): readonly InputSpec[] | undefined {
  return (ANALYSES.find((d) => d.kind === kind) ?? MARKET_ANALYSES.find((d) => d.kind === kind))?.inputs;
}
