import { z } from 'zod';
import { DEFAULT_BASIS_THRESHOLDS, type BasisAnalysis } from '../analyzers/basis.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { BasisParams } from '../engine/definitions/basis.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import { BasisAnalysisRef, BasisReferenceEnum, BasisStructureEnum, PerpPriceSourceEnum } from '../schema/refs-basis.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

/** Thresholds beyond ±10 % would classify nothing a perpetual does; they are surely a unit mistake. */
const MAX_THRESHOLD_PCT = 10;

BasisAnalysisRef.implement({
  description:
    'Basis of a perpetual: perpetual vs spot and mark vs index, in percent (0.05 = 0.05 %), annualized per funding period, and the term structure.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'No spot price received yet: spot basis fields are null.' }),
    spotPrice: t.exposeFloat('spotPrice', { description: 'Spot price of the underlying pair (quote currency); null until received.', nullable: true }),
    spotTime: t.field({ description: 'When the spot price was observed.', type: 'DateTime', nullable: true, resolve: (a) => a.spotTime }),
    perpPrice: t.exposeFloat('perpPrice', { description: 'Perpetual price compared with spot (quote currency): the mark price, else the last trade.', nullable: true }),
    perpPriceSource: t.field({ description: 'Which perpetual price was used (MARK or LAST); null without one.', type: PerpPriceSourceEnum, nullable: true, resolve: (a) => a.perpPriceSource }),
    perpTime: t.field({ description: 'When the perpetual price was observed.', type: 'DateTime', nullable: true, resolve: (a) => a.perpTime }),
    skewMs: t.exposeFloat('skewMs', { nullable: true, description: 'Time between the spot and perpetual prices compared.' }),
    basis: t.exposeFloat('basis', { nullable: true, description: 'perp − spot (quote currency); null without a spot price or when the prices are over 2 min apart.' }),
    basisPct: t.exposeFloat('basisPct', { nullable: true, description: '(perp − spot) / spot × 100, percent (0.05 = 0.05 %).' }),
    annualizedBasisPct: t.exposeFloat('annualizedBasisPct', {
      nullable: true,
      description: 'basisPct × periodsPerYear, percent (10 = 10 % a year): the carry if the premium persisted and funding charged it every period (same convention as funding annualizedRate).',
    }),
    markPrice: t.exposeFloat('markPrice', { description: 'Latest mark price (quote currency); null until received.', nullable: true }),
    indexPrice: t.exposeFloat('indexPrice', { description: 'Latest index price (quote currency); null until received or when the source gives none (replayed mark-price klines).', nullable: true }),
    premium: t.exposeFloat('premium', { nullable: true, description: 'mark − index (quote currency); null without an index price (never a 0 from index = mark).' }),
    premiumPct: t.exposeFloat('premiumPct', { nullable: true, description: '(mark − index) / index × 100, percent (0.05 = 0.05 %); null without an index price.' }),
    annualizedPremiumPct: t.exposeFloat('annualizedPremiumPct', { description: 'premiumPct × periodsPerYear, percent (1 = 1 %); null without mark and index prices.', nullable: true }),
    periodsPerYear: t.exposeFloat('periodsPerYear', { description: 'Funding periods per year: 24 / fundingIntervalHours × 365 (1095 at 8 h).' }),
    structure: t.field({ description: 'CONTANGO, NORMAL or BACKWARDATION from the basis against the thresholds; null without prices.', type: BasisStructureEnum, nullable: true, resolve: (a) => a.structure }),
    structureReference: t.field({ description: 'Whether the structure was read from the spot basis (SPOT) or the mark premium (INDEX).', type: BasisReferenceEnum, nullable: true, resolve: (a) => a.structureReference }),
    contangoPct: t.exposeFloat('contangoPct', { description: 'Threshold used: CONTANGO at basis ≥ this (percent).' }),
    backwardationPct: t.exposeFloat('backwardationPct', { description: 'Threshold used: BACKWARDATION at basis ≤ this (percent, negative).' }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (a) => a.factors }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

builder.objectField(MarketRef, 'basis', (t) =>
  t.field({
    description: 'Basis (perpetual vs spot, mark vs index).',
    type: BasisAnalysisRef,
    nullable: true,
    args: {
      contangoPct: t.arg.float({
        description: `Basis in percent at or above which the structure is CONTANGO (default ${DEFAULT_BASIS_THRESHOLDS.contangoPct}); must be > 0.`,
        validate: z
          .number()
          .gt(0, 'contangoPct must be > 0 (a percentage, e.g. 0.05 for 0.05 %)')
          .max(MAX_THRESHOLD_PCT, `contangoPct must be at most ${MAX_THRESHOLD_PCT} (percent)`)
          .nullish(),
      }),
      backwardationPct: t.arg.float({
        description: `Basis in percent at or below which the structure is BACKWARDATION (default ${DEFAULT_BASIS_THRESHOLDS.backwardationPct}); must be < 0.`,
        validate: z
          .number()
          .lt(0, 'backwardationPct must be < 0 (a negative percentage, e.g. -0.05 for −0.05 %)')
          .min(-MAX_THRESHOLD_PCT, `backwardationPct must be at least -${MAX_THRESHOLD_PCT} (percent)`)
          .nullish(),
      }),
    },
    resolve: async (m, args, ctx) => {
      const params: BasisParams = {
        contangoPct: args.contangoPct ?? DEFAULT_BASIS_THRESHOLDS.contangoPct,
        backwardationPct: args.backwardationPct ?? DEFAULT_BASIS_THRESHOLDS.backwardationPct,
      };
      if (params.contangoPct === DEFAULT_BASIS_THRESHOLDS.contangoPct && params.backwardationPct === DEFAULT_BASIS_THRESHOLDS.backwardationPct) {
        return withMeta<BasisAnalysis>(ctx, await requireLatest(ctx, 'BASIS', m.symbol));
      }
      const record = await requireLatestWith(ctx, 'BASIS', m.symbol, { ...params }, `BASIS for ${m.symbol} with custom thresholds is not available: no price received yet, or this instance does not ingest market data (ROLE=api serves the default thresholds only)`);
      return withMeta<BasisAnalysis>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('basisUpdated', (t) =>
  t.field({
    type: BasisAnalysisRef,
    description: 'The basis analysis (default thresholds) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'BASIS', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<BasisAnalysis>(ctx, record),
  }),
);
