import type { LiquidationCascadeAnalysis } from '../analyzers/liquidation-cascades.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { DataOrigin } from '../domain/market.js';
import type { AppPubSub } from '../pubsub.js';
import { createSeverityChangeDetector } from './definitions/liquidation-cascades.js';
import type { MarketStore } from './market-store.js';

export interface LiquidationEvents {
  /** Starts publishing `liquidation:created` for every liquidation the store receives. */
  start(): void;
  stop(): void;
  /** Engine hook: publishes `cascade:detected` when a fresh LIQUIDATION_CASCADES result changes severity. */
  onResult(record: AnalysisRecord): void;
}

/**
 * The two liquidation topics, published where the data is ingested (ROLE=all) so that each event is
 * published once however many API instances relay it.
 */
export function createLiquidationEvents(options: { store: MarketStore; pubsub: AppPubSub['pubsub']; source: DataOrigin; venue: string }): LiquidationEvents {
  const { store, pubsub, source, venue } = options;
  const severityChanged = createSeverityChangeDetector();
  let unsubscribe: (() => void) | null = null;
  return {
    start() {
      unsubscribe?.();
      // Listeners run synchronously right after the store appended the event, so it is the newest one.
      unsubscribe = store.onChange((symbol, type) => {
        if (type !== 'liquidation' || symbol === null) return;
        const liquidation = store.get(symbol)?.liquidations.last();
        if (liquidation) pubsub.publish('liquidation:created', symbol, { ...liquidation, meta: { source, venue, asOf: liquidation.time } });
      });
    },
    stop() {
      unsubscribe?.();
      unsubscribe = null;
    },
    onResult(record) {
      if (record.kind !== 'LIQUIDATION_CASCADES') return;
      if (severityChanged(record.symbol, (record.result as LiquidationCascadeAnalysis).severity)) pubsub.publish('cascade:detected', record.symbol, record);
    },
  };
}
