import type { AnalysisDefinition, DerivedDefinition, MarketWideDefinition } from './definition.js';
import type { InputSpec } from './freshness.js';
import { fundingDefinition } from './definitions/funding.js';
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
import { forecastDefinition } from './definitions/forecast.js';
import { orderBookDefinition } from './definitions/order-book.js';
import { optionsFlowDefinition } from './definitions/options-flow.js';
import { optionsSurfaceDefinition } from './definitions/options-surface.js';
import { correlationDefinition } from './definitions/correlation.js';
import { sentimentDefinition } from './definitions/sentiment.js';
import { confirmationDefinition } from './definitions/confirmation.js';
import { scenariosDefinition } from './definitions/scenarios.js';
import { emergencyDefinition } from './definitions/emergency.js';

// Consumers outside the engine keep importing the contract from here; members import ./definition.js.
export type { AnalysisDefinition, AnalysisSettings, DerivedDefinition, MarketWideDefinition } from './definition.js';
export { fundingDefinition };

export const ANALYSES: readonly AnalysisDefinition[] = [fundingDefinition as AnalysisDefinition, marketStructureDefinition as AnalysisDefinition, keyLevelsDefinition as AnalysisDefinition, liquidationCascadesDefinition as AnalysisDefinition, openInterestDefinition as AnalysisDefinition, longShortDefinition as AnalysisDefinition, basisDefinition as AnalysisDefinition, liquidationHeatmapDefinition as AnalysisDefinition, volumeDefinition as AnalysisDefinition, volumeProfileDefinition as AnalysisDefinition, trapsDefinition as AnalysisDefinition, whalesDefinition as AnalysisDefinition, sessionsDefinition as AnalysisDefinition, volatilityDefinition as AnalysisDefinition, regimeDefinition as AnalysisDefinition, forecastDefinition as AnalysisDefinition, orderBookDefinition as AnalysisDefinition];

/** Market-wide analyses, registered like ANALYSES. */
export const MARKET_ANALYSES: readonly MarketWideDefinition[] = [correlationDefinition as MarketWideDefinition, sentimentDefinition as MarketWideDefinition, optionsFlowDefinition as MarketWideDefinition, optionsSurfaceDefinition as MarketWideDefinition];

/** Per-symbol analyses of other analyses' latest results (computed on the main thread, see DerivedDefinition). */
export const DERIVED_ANALYSES: readonly DerivedDefinition[] = [confirmationDefinition as DerivedDefinition, scenariosDefinition as DerivedDefinition, emergencyDefinition as DerivedDefinition];

/** Kinds computed per market-wide key rather than per symbol. */
export const isMarketWideKind = (kind: string): boolean => MARKET_ANALYSES.some((d) => d.kind === kind);

/** The inputs an analysis kind is built from (undefined: unknown kind). */
export function inputsOf(kind: string): readonly InputSpec[] | undefined {
  return (ANALYSES.find((d) => d.kind === kind) ?? MARKET_ANALYSES.find((d) => d.kind === kind) ?? DERIVED_ANALYSES.find((d) => d.kind === kind))?.inputs;
}
