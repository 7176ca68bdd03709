import type { AnalysisKind, AnalysisRecord, TickerRecord } from './domain/analysis.js';
import type { SymbolInfo } from './domain/market.js';
import type { SnapshotStore } from './db/snapshot-repository.js';
import type { HealthReport } from './health.js';
import type { AppPubSub } from './pubsub.js';

/** What resolvers may use. Built once in app.ts; resolvers never reach past it to exchanges or databases. */
export interface AppServices {
  symbols(): readonly SymbolInfo[];
  hasSymbol(symbol: string): boolean;
  /** Latest cached result; on a cold start computed on demand where this instance runs the engine. */
  latest(kind: AnalysisKind, symbol: string): Promise<AnalysisRecord | undefined>;
  ticker(symbol: string): Promise<TickerRecord | undefined>;
  /** False when the local market source reports trouble; null when this instance runs no source. */
  sourceHealthy(): boolean | null;
  snapshots: SnapshotStore;
  health(): Promise<HealthReport>;
  pubsub: AppPubSub['pubsub'];
  staleAfterMs: number;
  now(): number;
}

export interface GraphQLContext {
  services: AppServices;
}
