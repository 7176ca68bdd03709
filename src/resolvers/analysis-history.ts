import { z } from 'zod';
import type { AnalysisKind } from '../domain/analysis.js';
import type { DataOrigin } from '../domain/market.js';
import type { SnapshotPosition, SnapshotRow } from '../db/snapshot-repository.js';
import type { GraphQLContext } from '../context.js';
import { badInput } from '../errors.js';
import { builder } from '../schema/builder.js';
import { AnalysisKindEnum, DataOriginEnum } from '../schema/enums.js';
import { FundingAnalysisRef, type WithMeta } from '../schema/refs.js';
import { BasisAnalysisRef } from '../schema/refs-basis.js';
import { ConfirmationRef } from '../schema/refs-confirmation.js';
import { CorrelationMatrixRef } from '../schema/refs-correlation.js';
import { EmergencyRef } from '../schema/refs-emergency.js';
import { ForecastRef } from '../schema/refs-forecast.js';
import { KeyLevelsRef } from '../schema/refs-key-levels.js';
import { LiquidationCascadeAnalysisRef } from '../schema/refs-liquidation-cascades.js';
import { LiquidationHeatmapRef } from '../schema/refs-liquidation-heatmap.js';
import { LongShortAnalysisRef } from '../schema/refs-long-short.js';
import { MarketStructureRef } from '../schema/refs-market-structure.js';
import { OpenInterestAnalysisRef } from '../schema/refs-open-interest.js';
import { OptionsFlowRef } from '../schema/refs-options-flow.js';
import { OptionsSurfaceRef } from '../schema/refs-options-surface.js';
import { RegimeAnalysisRef } from '../schema/refs-regime.js';
import { ScenarioSetRef } from '../schema/refs-scenarios.js';
import { SentimentAnalysisRef } from '../schema/refs-sentiment.js';
import { SessionsAnalysisRef } from '../schema/refs-sessions.js';
import { TrapAnalysisRef } from '../schema/refs-traps.js';
import { VolatilityAnalysisRef } from '../schema/refs-volatility.js';
import { VolumeAnalysisRef } from '../schema/refs-volume.js';
import { VolumeProfileRef } from '../schema/refs-volume-profile.js';
import { WhaleActivityRef } from '../schema/refs-whales.js';
import { metaOf, requireAnalysisKey } from './shared.js';
import { roundAnalysisPrices } from './prices.js';
import { OrderBookAnalysisRef } from '../schema/refs-order-book.js';

export const MAX_HISTORY_PAGE = 100;
const DEFAULT_HISTORY_PAGE = 20;

/** The GraphQL object type of each kind's result: the same type its `Market` (or `Query`) field returns. */
const TYPE_OF_KIND: Readonly<Record<AnalysisKind, { name: string }>> = {
  FUNDING: FundingAnalysisRef,
  LIQUIDATION_HEATMAP: LiquidationHeatmapRef,
  OPEN_INTEREST: OpenInterestAnalysisRef,
  LONG_SHORT: LongShortAnalysisRef,
  BASIS: BasisAnalysisRef,
  LIQUIDATION_CASCADES: LiquidationCascadeAnalysisRef,
  WHALES: WhaleActivityRef,
  VOLUME: VolumeAnalysisRef,
  VOLUME_PROFILE: VolumeProfileRef,
  MARKET_STRUCTURE: MarketStructureRef,
  KEY_LEVELS: KeyLevelsRef,
  TRAPS: TrapAnalysisRef,
  SESSIONS: SessionsAnalysisRef,
  VOLATILITY: VolatilityAnalysisRef,
  REGIME: RegimeAnalysisRef,
  FORECAST: ForecastRef,
  ORDER_BOOK: OrderBookAnalysisRef,
  CORRELATION: CorrelationMatrixRef,
  SENTIMENT: SentimentAnalysisRef,
  OPTIONS_FLOW: OptionsFlowRef,
  OPTIONS_SURFACE: OptionsSurfaceRef,
  CONFIRMATION: ConfirmationRef,
  SCENARIOS: ScenarioSetRef,
  EMERGENCY: EmergencyRef,
};

/** Which union member a presented node is (set when it is built, read by resolveType). */
const typeOfNode = new WeakMap<object, string>();

const AnalysisResultUnion = builder.unionType('AnalysisResult', {
  description: 'One analysis result, typed by its kind: the same object type as the live field of that analysis (FundingAnalysis for FUNDING, Confirmation for CONFIRMATION, and so on).',
  types: [
    FundingAnalysisRef,
    LiquidationHeatmapRef,
    OpenInterestAnalysisRef,
    LongShortAnalysisRef,
    BasisAnalysisRef,
    LiquidationCascadeAnalysisRef,
    WhaleActivityRef,
    VolumeAnalysisRef,
    VolumeProfileRef,
    MarketStructureRef,
    KeyLevelsRef,
    TrapAnalysisRef,
    SessionsAnalysisRef,
    VolatilityAnalysisRef,
    RegimeAnalysisRef,
    ForecastRef,
    OrderBookAnalysisRef,
    CorrelationMatrixRef,
    SentimentAnalysisRef,
    OptionsFlowRef,
    OptionsSurfaceRef,
    ConfirmationRef,
    ScenarioSetRef,
    EmergencyRef,
  ],
  resolveType: (value) => typeOfNode.get(value as object) ?? null,
});

interface HistoryEdge {
  cursor: string;
  row: SnapshotRow;
  node: WithMeta<object>;
}
interface HistoryConnection {
  edges: HistoryEdge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Opaque cursor: base64url of `asOf:id` (the keyset of the newest-first order). */
export function encodeCursor(position: SnapshotPosition): string {
  return Buffer.from(`${position.asOf}:${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): SnapshotPosition {
  const match = /^(\d{1,16}):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput(`after: "${cursor}" is not a cursor of analysisHistory`, { after: cursor });
  return { asOf: Number(match[1]), id: match[2]! };
}

/**
 * A stored result as its typed analysis: prices rounded to the tick size like the live field, `meta` from the
 * row alone, not the store's current inputs (age against now: a past result is stale once older than STALE_AFTER_MS).
 */
function present(ctx: GraphQLContext, row: SnapshotRow): WithMeta<object> {
  const kind = row.kind as AnalysisKind;
  const tickSize = ctx.services.symbols().find((s) => s.symbol === row.symbol)?.tickSize;
  const node = { ...roundAnalysisPrices(kind, row.payload as object, tickSize), meta: metaOf(ctx, { asOf: row.asOf, source: row.source as DataOrigin, venue: row.venue, methodologyVersion: row.methodologyVersion }) };
  typeOfNode.set(node, TYPE_OF_KIND[kind].name);
  return node;
}

const HistoryEdgeRef = builder.objectRef<HistoryEdge>('AnalysisHistoryEdge');
const HistoryPageInfoRef = builder.objectRef<HistoryConnection['pageInfo']>('AnalysisHistoryPageInfo');
const HistoryConnectionRef = builder.objectRef<HistoryConnection>('AnalysisHistoryConnection');

HistoryEdgeRef.implement({
  description: 'One stored result and its cursor.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as `after` to read the results older than this one.' }),
    asOf: t.field({ type: 'DateTime', description: 'Time of the newest market input the stored result is based on.', resolve: (e) => e.row.asOf }),
    methodologyVersion: t.string({ description: 'Methodology version of the analyzer that produced it (older versions may lack fields added since: those read null or error on their path).', resolve: (e) => e.row.methodologyVersion }),
    source: t.field({ type: DataOriginEnum, description: 'Where its inputs came from (LIVE, SIMULATED or REPLAY).', resolve: (e) => e.row.source as DataOrigin }),
    node: t.field({ type: AnalysisResultUnion, description: 'The result, typed by its kind (select fields with `... on FundingAnalysis { … }`).', resolve: (e) => e.node as never }),
  }),
});

HistoryPageInfoRef.implement({
  description: 'Relay-style paging of analysisHistory.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'True when older results exist in the same bounds.' }),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Cursor of the last edge; null on an empty page.' }),
  }),
});

HistoryConnectionRef.implement({
  description: 'A page of one analysis history, newest first.',
  fields: (t) => ({
    edges: t.field({ type: [HistoryEdgeRef], description: 'Results of this page, newest first.', resolve: (c) => c.edges }),
    pageInfo: t.field({ type: HistoryPageInfoRef, description: 'Whether more pages follow, and the cursor to read them.', resolve: (c) => c.pageInfo }),
  }),
});

builder.queryField('analysisHistory', (t) =>
  t.field({
    type: HistoryConnectionRef,
    // Nullable like `snapshots`: a database outage nulls this field with UPSTREAM_UNAVAILABLE on its path.
    nullable: true,
    description: `History of one analysis for one symbol as typed results, newest first, paged by cursor (Relay connection). first: 1..${MAX_HISTORY_PAGE}, default ${DEFAULT_HISTORY_PAGE}. Null with a coded error on its path when the history cannot be read.`,
    args: {
      kind: t.arg({ type: AnalysisKindEnum, required: true, description: 'Which analysis.' }),
      symbol: t.arg.string({ required: true, description: 'Symbol (or market-wide key such as ALL or BTC) of the results, e.g. BTCUSDT.' }),
      from: t.arg({ type: 'DateTime', description: 'Earliest asOf included; default: no lower bound.' }),
      to: t.arg({ type: 'DateTime', description: 'Latest asOf included; default: no upper bound.' }),
      first: t.arg.int({
        description: `Results per page, 1..${MAX_HISTORY_PAGE}; default ${DEFAULT_HISTORY_PAGE}.`,
        validate: z.number().int('first must be an integer').min(1, 'first must be at least 1').max(MAX_HISTORY_PAGE, `first must be at most ${MAX_HISTORY_PAGE}`).nullish(),
      }),
      after: t.arg.string({ description: 'endCursor of the previous page: the results older than it.' }),
    },
    resolve: async (_root, args, ctx) => {
      const symbol = requireAnalysisKey(ctx, args.kind, args.symbol);
      const from = args.from ?? undefined;
      const to = args.to ?? undefined;
      if (from !== undefined && to !== undefined && from > to) throw badInput(`from (${new Date(from).toISOString()}) must not be after to (${new Date(to).toISOString()})`);
      const after = args.after == null ? undefined : decodeCursor(args.after);
      const page = await ctx.services.snapshots.page({ kind: args.kind, symbol, from, to, first: args.first ?? DEFAULT_HISTORY_PAGE, after });
      const edges = page.rows.map((row) => ({ cursor: encodeCursor(row.position), row, node: present(ctx, row) }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  }),
);
