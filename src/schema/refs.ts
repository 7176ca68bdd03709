import type { FundingAnalysis } from '../analyzers/funding.types.js';
import type { Factor } from '../analyzers/types.js';
import type { AnalysisRecord, EventMeta } from '../domain/analysis.js';
import type { DataOrigin, SymbolInfo } from '../domain/market.js';
import type { SnapshotRow } from '../db/snapshot-repository.js';
import type { HealthReport } from '../health.js';
import { builder } from './builder.js';
import type { InputFreshness } from '../engine/freshness.js';

/** Provenance and freshness, attached to every analysis when it is resolved (ageMs is "now"). */
export interface AnalysisMeta {
  source: DataOrigin;
  venue: string;
  asOf: number;
  ageMs: number;
  stale: boolean;
  methodologyVersion: string;
  /** Each input the result is built from, judged by its own cadence; `stale` is true when one is overdue. */
  inputs: InputFreshness[];
}

export type WithMeta<T> = T & { meta: AnalysisMeta };

export const AnalysisMetaRef = builder.objectRef<AnalysisMeta>('AnalysisMeta');
export const EventMetaRef = builder.objectRef<EventMeta>('EventMeta');
/** An item that carries its provenance when it is published as an event (subscription payloads). */
export type MaybeEventMeta<T> = T & { meta?: EventMeta | null };
export const AnalysisInputRef = builder.objectRef<InputFreshness>('AnalysisInput');
export const FactorRef = builder.objectRef<Factor>('Factor');
export const SymbolInfoRef = builder.objectRef<SymbolInfo>('SymbolInfo');
export const HealthRef = builder.objectRef<HealthReport>('Health');
export const ComponentHealthRef = builder.objectRef<HealthReport['database']>('ComponentHealth');
export const PubSubHealthRef = builder.objectRef<HealthReport['pubsub']>('PubSubHealth');
export const MarketSourceHealthRef = builder.objectRef<HealthReport['marketSource']>('MarketSourceHealth');
export const VenueHealthRef = builder.objectRef<HealthReport['venues'][number]>('VenueHealth');
export const SnapshotWriterHealthRef = builder.objectRef<HealthReport['snapshots']>('SnapshotWriterHealth');
export const AlertsHealthRef = builder.objectRef<NonNullable<HealthReport['alerts']>>('AlertsHealth');
export const ArchiveHealthRef = builder.objectRef<NonNullable<HealthReport['archive']>>('ArchiveHealth');
export const ArchiveTypeHealthRef = builder.objectRef<NonNullable<NonNullable<HealthReport['archive']>['types']>[number]>('ArchiveTypeHealth');
export const EventLoopHealthRef = builder.objectRef<HealthReport['eventLoop']>('EventLoopHealth');
/** `view`: the services as they were at a past instant (`market(symbol, at)`, time travel); absent for the live market. */
export const MarketRef = builder.objectRef<{ symbol: string; view?: import('../context.js').AppServices }>('Market');
export const FundingAnalysisRef = builder.objectRef<WithMeta<FundingAnalysis>>('FundingAnalysis');
export const AnalysisSnapshotRef = builder.objectRef<SnapshotRow>('AnalysisSnapshot');
export const AnalysisUpdateRef = builder.objectRef<AnalysisRecord>('AnalysisUpdate');
