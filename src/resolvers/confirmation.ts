import {
  confirmationAgreement,
  confirmationRecommendation,
  ConfirmationWeightsError,
  resolveLayerWeights,
  reweighConfirmation,
  type RecommendationLanguage,
} from '../analyzers/confirmation.js';
import type { Confirmation, ConfirmationLayerName } from '../analyzers/confirmation.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { CandleInterval } from '../domain/market.js';
import type { GraphQLContext } from '../context.js';
import { DEFAULT_CONFIRMATION_INTERVAL } from '../engine/definitions/confirmation.js';
import { AppError, badInput, ErrorCodes } from '../errors.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { AnalysisMetaRef, FactorRef, MarketRef, type WithMeta } from '../schema/refs.js';
import {
  ConfirmationAgreementRef,
  ConfirmationDirectionEnum,
  ConfirmationDistributionRef,
  ConfirmationLayerNameEnum,
  ConfirmationLayerRef,
  ConfirmationMatrixRef,
  ConfirmationMatrixRowRef,
  ConfirmationQualityEnum,
  ConfirmationRef,
  ConfirmationStrengthEnum,
  LanguageEnum,
  LayerWeightInputRef,
  type ConfirmationMatrixRow,
} from '../schema/refs-confirmation.js';
import { analysisUpdates, metaOf, requireLatest, requireLatestWith, requireSymbol } from './shared.js';

// --- Object types ---

ConfirmationLayerRef.implement({
  description: 'One of the twelve layers: its own score and reading, and the weight it carried in the composite.',
  fields: (t) => ({
    name: t.field({ type: ConfirmationLayerNameEnum, description: 'Which layer.', resolve: (l) => l.name }),
    available: t.exposeBoolean('available', { description: 'False when its data is absent or stale: score, direction and confidence are then null and the weight 0 (never a silent neutral).' }),
    missingInputs: t.exposeStringList('missingInputs', { description: 'Inputs that are absent or stale (analysis kinds such as OPEN_INTEREST, or fields such as takerBuyVolume); empty when available.' }),
    score: t.exposeFloat('score', { nullable: true, description: '-100 (bearish) .. 100 (bullish); null when unavailable.' }),
    direction: t.field({ type: ConfirmationDirectionEnum, nullable: true, description: 'BULLISH above 15, BEARISH below -15, else NEUTRAL; null when unavailable.', resolve: (l) => l.direction }),
    confidence: t.exposeFloat('confidence', { nullable: true, description: '0..1: how much the layer trusts its own reading (inputs present, agreement of its factors, sample size); null when unavailable.' }),
    weight: t.exposeFloat('weight', { description: 'Weight in the composite after renormalisation over the available layers (they sum to 1); 0 when unavailable.' }),
    reading: t.exposeString('reading', { description: 'One line a trader can read, or why the layer is unavailable.' }),
    factors: t.field({ type: [FactorRef], description: 'The measurements behind the score (weights of one layer sum to 1; contributions sum to score / 100).', resolve: (l) => l.factors }),
  }),
});

ConfirmationDistributionRef.implement({
  description: 'How many layers point each way.',
  fields: (t) => ({
    bullish: t.exposeInt('bullish', { description: 'Available layers reading BULLISH.' }),
    bearish: t.exposeInt('bearish', { description: 'Available layers reading BEARISH.' }),
    neutral: t.exposeInt('neutral', { description: 'Available layers reading NEUTRAL.' }),
    unavailable: t.exposeInt('unavailable', { description: 'Layers without data (absent or stale inputs).' }),
  }),
});

ConfirmationRef.implement({
  description:
    'The twelve-layer confirmation score of one symbol and interval: how many independent layers agree, how strongly, and how much of the method had data. Analysis, not advice.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.field({ type: CandleIntervalEnum, description: 'Interval the chart layers (1-6) and the order-flow taker imbalance read.', resolve: (c) => c.interval }),
    score: t.exposeFloat('score', { description: '0..100, 50 neutral: 50 + (weighted mean of the available layer scores) / 2.' }),
    signal: t.field({ type: ConfirmationDirectionEnum, description: 'BULLISH above 57.5, BEARISH below 42.5, else NEUTRAL.', resolve: (c) => c.signal }),
    quality: t.field({ type: ConfirmationQualityEnum, description: 'EXCELLENT, GOOD, MODERATE or POOR from conviction, strength and coverage (low coverage caps it).', resolve: (c) => c.quality }),
    strength: t.field({ type: ConfirmationStrengthEnum, description: 'STRONG, MEDIUM or WEAK from the agreement of the available layers.', resolve: (c) => c.strength }),
    coverage: t.exposeFloat('coverage', { description: 'Available weight / total weight (before renormalisation), 0..1: how much of the method had data.' }),
    distribution: t.field({ type: ConfirmationDistributionRef, description: 'Counts of bullish, bearish, neutral and unavailable layers.', resolve: (c) => c.distribution }),
    recommendation: t.exposeString('recommendation', { description: 'Plain-text reading in the requested language: direction, agreement, dissent, coverage. Analysis, not advice.' }),
    factors: t.field({ type: [FactorRef], description: 'One factor per available layer: value = its score, weight = its renormalised weight, contribution = weight x score / 100 (they sum to (score - 50) / 50).', resolve: (c) => c.factors }),
    layers: t.field({ type: [ConfirmationLayerRef], description: 'All twelve layers in their documented order, available or not.', resolve: (c) => c.layers }),
    meta: t.field({ type: AnalysisMetaRef, description: 'Provenance and freshness of this result (the layers report the freshness of their own sources).', resolve: (c) => c.meta }),
  }),
});

ConfirmationMatrixRowRef.implement({
  description: 'The composite of one interval in the matrix.',
  fields: (t) => ({
    interval: t.field({ type: CandleIntervalEnum, description: 'The interval.', resolve: (r) => r.interval }),
    confirmation: t.field({ type: ConfirmationRef, nullable: true, description: 'The composite; null when it is not available (see unavailableReason).', resolve: (r) => r.confirmation }),
    unavailableReason: t.exposeString('unavailableReason', { nullable: true, description: 'Why the composite of this interval is null; null when it is there.' }),
  }),
});

ConfirmationAgreementRef.implement({
  description: 'How the composites of the intervals agree: one vote per available interval.',
  fields: (t) => ({
    signal: t.field({ type: ConfirmationDirectionEnum, description: 'The signal most available intervals share; NEUTRAL on a tie or when none is available.', resolve: (a) => a.signal }),
    alignment: t.exposeFloat('alignment', { description: 'Share of the available intervals with that signal, 0..1.' }),
    aligned: t.exposeBoolean('aligned', { description: 'True when at least two intervals are available and all share one directional signal.' }),
    bullish: t.exposeInt('bullish', { description: 'Intervals whose composite is BULLISH.' }),
    bearish: t.exposeInt('bearish', { description: 'Intervals whose composite is BEARISH.' }),
    neutral: t.exposeInt('neutral', { description: 'Intervals whose composite is NEUTRAL.' }),
    unavailable: t.exposeInt('unavailable', { description: 'Intervals without a composite.' }),
    meanScore: t.exposeFloat('meanScore', { nullable: true, description: 'Mean composite score of the available intervals; null when none is.' }),
    summary: t.exposeString('summary', { description: 'Plain-text summary in the requested language.' }),
  }),
});

ConfirmationMatrixRef.implement({
  description: 'The confirmation composite of one symbol on several intervals, with how they agree.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    rows: t.field({ type: [ConfirmationMatrixRowRef], description: 'One row per requested interval, in the order asked.', resolve: (m) => m.rows }),
    agreement: t.field({ type: ConfirmationAgreementRef, description: 'Agreement of the intervals.', resolve: (m) => m.agreement }),
  }),
});

// --- Resolution ---

/** Most intervals one matrix may ask for (each non-default one is an on-demand computation). */
export const MAX_MATRIX_INTERVALS = 6;

type WeightArg = ReadonlyArray<{ layer: ConfirmationLayerName; weight: number }> | null | undefined;

/** Validated weights (BAD_USER_INPUT when unusable), or null for the defaults. */
function weightsOf(weights: WeightArg): ReturnType<typeof resolveLayerWeights> | null {
  if (!weights || weights.length === 0) return null;
  try {
    return resolveLayerWeights(weights);
  } catch (error) {
    if (error instanceof ConfirmationWeightsError) throw badInput(error.message, error.details);
    throw error;
  }
}

/** The record of (symbol, interval): the streamed one for the default interval, else computed on demand. */
async function confirmationRecord(ctx: GraphQLContext, symbol: string, interval: CandleInterval): Promise<AnalysisRecord> {
  if (interval === DEFAULT_CONFIRMATION_INTERVAL) return requireLatest(ctx, 'CONFIRMATION', symbol);
  return requireLatestWith(
    ctx,
    'CONFIRMATION',
    symbol,
    { interval },
    `CONFIRMATION for ${symbol} on ${interval} is not available: no layer has data on that interval yet, or this instance does not ingest market data (ROLE=api serves the default interval only)`,
  );
}

/**
 * The confirmation as served: reweighed when weights are given (the stored layer outcomes recomposed, no
 * recomputation), its recommendation in `language`, and meta (a non-default interval judged by its own
 * sampled inputs, the closed bars of that interval).
 */
function present(ctx: GraphQLContext, record: AnalysisRecord, weights: ReturnType<typeof weightsOf>, language: RecommendationLanguage): WithMeta<Confirmation> {
  let c = record.result as Confirmation;
  if (weights) {
    const reweighed = reweighConfirmation(c, weights);
    if (!reweighed) {
      const zero = c.layers.filter((l) => l.available).map((l) => l.name);
      throw new AppError(ErrorCodes.NOT_READY, `CONFIRMATION for ${c.symbol}: every layer with a weight above 0 is unavailable now (available: ${zero.join(', ') || 'none'})`, { kind: 'CONFIRMATION', symbol: c.symbol });
    }
    c = reweighed;
  }
  if (language !== 'EN') c = { ...c, recommendation: confirmationRecommendation(c, language) };
  const meta = c.interval === DEFAULT_CONFIRMATION_INTERVAL ? metaOf(ctx, record) : metaOf(ctx, { asOf: record.asOf, source: record.source, venue: record.venue, methodologyVersion: record.methodologyVersion, inputs: record.inputs });
  return { ...c, meta };
}

builder.objectField(MarketRef, 'confirmation', (t) =>
  t.field({
    type: ConfirmationRef,
    nullable: true,
    description:
      'The twelve-layer confirmation score (docs/confirmation.md). The default interval is streamed and snapshotted; other intervals are computed on demand; weights recompose the stored layers.',
    args: {
      interval: t.arg({ type: CandleIntervalEnum, required: true, defaultValue: DEFAULT_CONFIRMATION_INTERVAL, description: 'Interval of the chart layers (default I1H).' }),
      weights: t.arg({ type: [LayerWeightInputRef], required: false, description: 'Layer weights overriding the defaults (non-negative; not all zero; each layer at most once).' }),
      language: t.arg({ type: LanguageEnum, required: true, defaultValue: 'EN', description: 'Language of the recommendation (EN or TR).' }),
    },
    resolve: async (m, args, ctx) => {
      const weights = weightsOf(args.weights);
      const record = await confirmationRecord(ctx, m.symbol, args.interval);
      return present(ctx, record, weights, args.language);
    },
  }),
);

builder.queryField('confirmationMatrix', (t) =>
  t.field({
    type: ConfirmationMatrixRef,
    description: `The confirmation composite of one symbol on several intervals (at most ${MAX_MATRIX_INTERVALS}) and how they agree.`,
    args: {
      symbol: t.arg.string({ required: true, description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).' }),
      intervals: t.arg({ type: [CandleIntervalEnum], required: true, defaultValue: ['15m', '1h', '4h', '1d'], description: 'Intervals, in the order wanted (default I15M, I1H, I4H, I1D); duplicates are answered once.' }),
      weights: t.arg({ type: [LayerWeightInputRef], required: false, description: 'Layer weights overriding the defaults, applied to every interval.' }),
      language: t.arg({ type: LanguageEnum, required: true, defaultValue: 'EN', description: 'Language of the recommendations and the summary (EN or TR).' }),
    },
    resolve: async (_root, args, ctx) => {
      const symbol = requireSymbol(ctx, args.symbol);
      const intervals = [...new Set(args.intervals)];
      if (intervals.length === 0) throw badInput('intervals must name at least one interval', { intervals: args.intervals });
      if (intervals.length > MAX_MATRIX_INTERVALS) throw badInput(`intervals may name at most ${MAX_MATRIX_INTERVALS} distinct intervals, got ${intervals.length}`, { intervals: args.intervals });
      const weights = weightsOf(args.weights);
      const rows: ConfirmationMatrixRow[] = await Promise.all(
        intervals.map(async (interval) => {
          try {
            return { interval, confirmation: present(ctx, await confirmationRecord(ctx, symbol, interval), weights, args.language), unavailableReason: null };
          } catch (error) {
            if (error instanceof AppError && error.extensions.code === ErrorCodes.NOT_READY) return { interval, confirmation: null, unavailableReason: error.message };
            throw error;
          }
        }),
      );
      return { symbol, rows, agreement: confirmationAgreement(rows, args.language) };
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('confirmationUpdated', (t) =>
  t.field({
    type: ConfirmationRef,
    description: 'The confirmation (default interval I1H, default weights) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result.',
    args: {
      symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }),
      language: t.arg({ type: LanguageEnum, required: true, defaultValue: 'EN', description: 'Language of the recommendation (EN or TR).' }),
    },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'CONFIRMATION', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, args, ctx) => present(ctx, record, null, args.language),
  }),
);
