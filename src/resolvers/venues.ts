import type { AnalysisDefinition, CrossVenueDefinition } from '../engine/definition.js';
import type { VenueAnalysisRecord, VenueMarkets } from '../engine/venue-markets.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { PERP_VENUES, type PerpVenue, type Venue } from '../domain/venue.js';
import { AppError, badInput, ErrorCodes } from '../errors.js';
import type { GraphQLContext } from '../context.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, MarketRef, type WithMeta } from '../schema/refs.js';
import {
  AggregatedFundingRef,
  AggregatedOpenInterestChangeRef,
  AggregatedOpenInterestRef,
  FundingArbitrageLegRef,
  FundingArbitragePairRef,
  FundingArbitrageRef,
  FundingRateKindEnum,
  OpenInterestWindowChangeRef,
  VenueEnum,
  VenueExclusionRef,
  VenueFundingQuoteRef,
  VenueFundingRateRef,
  VenueMarketRef,
  VenueOpenInterestRef,
  VenuePriceRef,
  VenuePriceSpreadRef,
  VenueStatusEnum,
  WeightedFundingRef,
} from '../schema/refs-venues.js';
import { aggregatedOpenInterestDefinition } from '../engine/definitions/aggregated-open-interest.js';
import { aggregatedFundingDefinition } from '../engine/definitions/aggregated-funding.js';
import { fundingArbitrageDefinition } from '../engine/definitions/funding-arbitrage.js';
import { priceSpreadDefinition } from '../engine/definitions/venue-price-spread.js';
import { metaOf, withMeta } from './shared.js';
import type { AggregatedCvd, CvdBar, VenueCvd } from '../analyzers/aggregated-cvd.js';
import { aggregatedCvdDefinition } from '../engine/definitions/aggregated-cvd.js';
import { LiquidationCascadeAnalysisRef } from '../schema/refs-liquidation-cascades.js';
import type { AggregatedLiquidationCascades, VenueLiquidationShare } from '../analyzers/aggregated-liquidation-cascades.js';
import { roundAnalysisPrices } from './prices.js';

// --- Helpers shared with the per-symbol fields that take a `venue` argument ---

function requireVenueMarkets(ctx: GraphQLContext): VenueMarkets {
  const vm = ctx.services.venueMarkets;
  if (!vm)
    throw new AppError(
      ErrorCodes.NOT_READY,
      'Venue views are served live where the market is ingested from a perpetual venue source (ROLE=all, not a replay, not with `at`)',
    );
  return vm;
}

/**
 * The venue a per-symbol field is asked for: null for the primary venue (the engine's cached result), the
 * venue otherwise. BAD_USER_INPUT for AGGREGATED, DERIBIT or a venue that is not ingested, naming the
 * supported venues and, for AGGREGATED, the field that aggregates.
 */
export function requirePerpVenue(ctx: GraphQLContext, venue: Venue | null | undefined, field: string, aggregatedField: string | null): PerpVenue | null {
  if (venue === null || venue === undefined) return null;
  const vm = ctx.services.venueMarkets;
  const configured = vm?.venues() ?? [];
  if ((venue === 'AGGREGATED' && aggregatedField !== null) || !(PERP_VENUES as readonly string[]).includes(venue) || !configured.includes(venue as PerpVenue)) {
    const supported = configured.length > 0 ? configured : ['the primary venue only'];
    const hint = venue === 'AGGREGATED' ? (aggregatedField === null ? ' it has no aggregated form;' : ` across venues it is Market.${aggregatedField};`) : venue === 'DERIBIT' ? ' DERIBIT has options only;' : ' it is not ingested (MARKET_VENUES);';
    throw badInput(`Market.${field} does not accept venue ${venue}:${hint} supported venues: ${supported.join(', ')}`, { venue, supported });
  }
  return vm && venue === vm.primary ? null : (venue as PerpVenue);
}

/** A per-symbol analysis on a non-primary venue (computed here from its store), with meta of that venue. */
export function requireVenueAnalysis<R extends object>(ctx: GraphQLContext, definition: AnalysisDefinition, symbol: string, venue: PerpVenue, params?: unknown): WithMeta<R> {
  const record = requireVenueMarkets(ctx).perVenue(definition, symbol, venue, params) as AnalysisRecord | undefined;
  if (!record) throw new AppError(ErrorCodes.NOT_READY, `${definition.kind} for ${symbol} on ${venue} is not available yet: the venue has not delivered enough data`, { kind: definition.kind, symbol, venue });
  const tickSize = ctx.services.symbols().find((s) => s.symbol === symbol)?.tickSize;
  // meta judges the record's own inputs (the venue's store), not the primary engine's.
  return { ...roundAnalysisPrices(record.kind, record.result as R, tickSize), meta: metaOf(ctx, { asOf: record.asOf, source: record.source, venue: record.venue, methodologyVersion: record.methodologyVersion, inputs: record.inputs ?? [] }) };
}

export function crossVenue<R extends object>(ctx: GraphQLContext, definition: CrossVenueDefinition<R>, symbol: string): WithMeta<R> {
  const vm = requireVenueMarkets(ctx);
  const record = vm.crossVenue(definition, symbol) as VenueAnalysisRecord<R> | undefined;
  if (!record) {
    const reasons = vm.reasons(definition, symbol);
    throw new AppError(ErrorCodes.NOT_READY, `No venue can contribute to ${definition.kind} for ${symbol}: ${reasons.map((r) => `${r.venue} ${r.status} (${r.reason})`).join('; ')}`, { kind: definition.kind, symbol, venues: reasons });
  }
  return { ...record.result, meta: metaOf(ctx, { asOf: record.asOf, source: record.source, venue: record.venue, methodologyVersion: record.methodologyVersion, inputs: record.inputs }) };
}

// --- Types ---

const VENUE_LIST_NOTE = 'Venues named once each.';

VenueExclusionRef.implement({
  description: 'A venue left out of an aggregated value, and why.',
  fields: (t) => ({
    venue: t.field({ type: VenueEnum, description: 'The venue.', resolve: (e) => e.venue }),
    status: t.field({ type: VenueStatusEnum, description: 'STALE (an input overdue) or MISSING (never received).', resolve: (e) => e.status }),
    reason: t.exposeString('reason', { description: 'What is overdue or missing, with the venue source error when it is down.' }),
  }),
});

VenueFundingQuoteRef.implement({
  description: 'The funding rate a venue publishes for the symbol.',
  fields: (t) => ({
    rate: t.exposeFloat('rate', { description: 'Fraction per funding interval of this venue (0.0001 = 0.01 %); positive: longs pay shorts.' }),
    rateKind: t.field({ type: FundingRateKindEnum, description: 'PREDICTED (for the running period) or SETTLED (the last settlement).', resolve: (f) => f.rateKind }),
    fundingIntervalHours: t.exposeFloat('fundingIntervalHours', { description: 'Hours between settlements on this venue.' }),
    annualizedRate: t.exposeFloat('annualizedRate', { description: 'rate × 8760 / fundingIntervalHours, fraction per year.' }),
    nextFundingTime: t.field({ type: 'DateTime', nullable: true, description: 'Next settlement on this venue; null when unknown.', resolve: (f) => f.nextFundingTime }),
  }),
});

VenueMarketRef.implement({
  description: 'One perpetual venue view of the symbol. A venue that is down is listed STALE (last values, with the reason) or MISSING (values null), never with zeros.',
  fields: (t) => ({
    venue: t.field({ type: VenueEnum, description: 'The venue.', resolve: (q) => q.venue }),
    name: t.exposeString('name', { description: 'The venue as meta.venue names it, e.g. bybit-linear.' }),
    primary: t.exposeBoolean('primary', { description: 'True for the primary venue: the one every other Market field reads unless given a venue argument.' }),
    status: t.field({ type: VenueStatusEnum, description: 'OK, STALE (an input overdue) or MISSING (an input never received).', resolve: (q) => q.status }),
    reason: t.exposeString('reason', { nullable: true, description: 'What is stale or missing (joined with semicolons); null when OK.' }),
    price: t.exposeFloat('price', { nullable: true, description: 'Last traded price (else the newest candle close, else the mark), quote currency; null when never received.' }),
    markPrice: t.exposeFloat('markPrice', { nullable: true, description: 'Mark price, quote currency; null when never received.' }),
    indexPrice: t.exposeFloat('indexPrice', { nullable: true, description: 'The venue index price, quote currency; null when not published.' }),
    funding: t.field({ type: VenueFundingQuoteRef, nullable: true, description: 'Funding on this venue; null when never received.', resolve: (q) => q.funding }),
    openInterest: t.float({ nullable: true, description: 'Open interest in USD (the venue USD value, else contracts in base units × price); null when never received.', resolve: (q) => q.openInterest?.usd ?? null }),
    openInterestContracts: t.float({ nullable: true, description: 'Open interest in base-asset units; null when the venue gives USD only or nothing.', resolve: (q) => q.openInterest?.contracts ?? null }),
    volume24h: t.exposeFloat('volume24hUsd', { nullable: true, description: '24 h traded volume in USD (the 24 h ticker, else the sum of the last 24 hourly candles); null when neither is held.' }),
    meta: t.field({ type: AnalysisMetaRef, description: 'Provenance and freshness of these values (the venue name, its inputs judged by their cadence).', resolve: (q) => q.meta }),
  }),
});

const windowHours = (ms: number) => ms / 3_600_000;

OpenInterestWindowChangeRef.implement({
  description: 'Change of one venue open interest over a look-back window.',
  fields: (t) => ({
    windowHours: t.float({ description: 'Look-back window in hours.', resolve: (c) => windowHours(c.windowMs) }),
    fromUsd: t.exposeFloat('fromUsd', { nullable: true, description: 'USD open interest at or before (newest point − window); null when the history is shorter.' }),
    changeUsd: t.exposeFloat('changeUsd', { nullable: true, description: 'Newest − fromUsd, USD.' }),
    changePct: t.exposeFloat('changePct', { nullable: true, description: 'changeUsd / fromUsd × 100, percent.' }),
  }),
});

AggregatedOpenInterestChangeRef.implement({
  description: 'Change of the summed open interest over a look-back window, over the venues with a point at both ends.',
  fields: (t) => ({
    windowHours: t.float({ description: 'Look-back window in hours.', resolve: (c) => windowHours(c.windowMs) }),
    fromUsd: t.exposeFloat('fromUsd', { nullable: true, description: 'Sum of the contributors USD open interest at the start; null when none reaches back.' }),
    changeUsd: t.exposeFloat('changeUsd', { nullable: true, description: 'Sum now − fromUsd over the same venues, USD.' }),
    changePct: t.exposeFloat('changePct', { nullable: true, description: 'changeUsd / fromUsd × 100, percent.' }),
    contributors: t.field({ type: [VenueEnum], description: `Venues summed in this change. ${VENUE_LIST_NOTE}`, resolve: (c) => c.contributors }),
    incomplete: t.field({ type: [VenueEnum], description: 'Contributing venues without a point that far back: left out of this change (their open interest is in totalUsd).', resolve: (c) => c.incomplete }),
  }),
});

VenueOpenInterestRef.implement({
  description: 'One venue in the aggregated open interest.',
  fields: (t) => ({
    venue: t.field({ type: VenueEnum, description: 'The venue.', resolve: (v) => v.venue }),
    oiUsd: t.exposeFloat('oiUsd', { description: 'Its newest open interest in USD.' }),
    share: t.exposeFloat('share', { description: 'oiUsd / totalUsd, fraction 0..1.' }),
    asOf: t.field({ type: 'DateTime', description: 'Time of its newest open-interest point.', resolve: (v) => v.asOf }),
    changes: t.field({ type: [OpenInterestWindowChangeRef], description: 'Its changes over 1 h, 4 h and 24 h.', resolve: (v) => v.changes }),
  }),
});

const contributors = (description: string) => ({ type: [VenueEnum] as [typeof VenueEnum], description: `${description} ${VENUE_LIST_NOTE}` });

AggregatedOpenInterestRef.implement({
  description: 'Open interest of the symbol summed across the perpetual venues in USD, with each venue share and the changes. Stale or missing venues are in no sum and are listed in excluded.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Symbol, e.g. BTCUSDT.' }),
    totalUsd: t.exposeFloat('totalUsd', { description: 'Sum of the contributing venues newest USD open interest.' }),
    venues: t.field({ type: [VenueOpenInterestRef], description: 'The contributing venues.', resolve: (a) => a.venues }),
    changes: t.field({ type: [AggregatedOpenInterestChangeRef], description: 'Changes of the sum over 1 h, 4 h and 24 h.', resolve: (a) => a.changes }),
    contributors: t.field({ ...contributors('Venues in the sum.'), resolve: (a) => a.contributors }),
    excluded: t.field({ type: [VenueExclusionRef], description: 'Venues left out (STALE or MISSING) with the reason.', resolve: (a) => a.excluded }),
    meta: t.field({ type: AnalysisMetaRef, description: 'Provenance and freshness (venue aggregated; inputs: the oldest of the contributors).', resolve: (a) => a.meta }),
  }),
});

VenueFundingRateRef.implement({
  description: 'One venue in the aggregated funding.',
  fields: (t) => ({
    venue: t.field({ type: VenueEnum, description: 'The venue.', resolve: (v) => v.venue }),
    rate: t.exposeFloat('rate', { description: 'Fraction per funding interval of this venue.' }),
    rateKind: t.field({ type: FundingRateKindEnum, description: 'PREDICTED or SETTLED.', resolve: (v) => v.rateKind }),
    fundingIntervalHours: t.exposeFloat('fundingIntervalHours', { description: 'Hours between settlements on this venue.' }),
    rate8h: t.exposeFloat('rate8h', { description: 'rate × 8 / fundingIntervalHours: the same carry over 8 hours, fraction (comparable across intervals).' }),
    annualizedRate: t.exposeFloat('annualizedRate', { description: 'rate × 8760 / fundingIntervalHours, fraction per year.' }),
    nextFundingTime: t.field({ type: 'DateTime', nullable: true, description: 'Next settlement on this venue; null when unknown.', resolve: (v) => v.nextFundingTime }),
    oiUsd: t.exposeFloat('oiUsd', { nullable: true, description: 'Its open interest in USD (its OI weight); null when unknown or stale.' }),
    volume24hUsd: t.exposeFloat('volume24hUsd', { nullable: true, description: 'Its 24 h volume in USD (its volume weight); null when unknown or stale.' }),
    oiWeight: t.exposeFloat('oiWeight', { nullable: true, description: 'Its weight in the OI-weighted rate, fraction; null when not in it.' }),
    volumeWeight: t.exposeFloat('volumeWeight', { nullable: true, description: 'Its weight in the volume-weighted rate, fraction; null when not in it.' }),
  }),
});

WeightedFundingRef.implement({
  description: 'A funding average across venues on an 8 h footing.',
  fields: (t) => ({
    rate8h: t.exposeFloat('rate8h', { nullable: true, description: 'Σ weight × rate8h, fraction per 8 h; null when no venue has a rate and a weight.' }),
    annualizedRate: t.exposeFloat('annualizedRate', { nullable: true, description: 'rate8h × 1095, fraction per year.' }),
    contributors: t.field({ ...contributors('Venues in this average.'), resolve: (w) => w.contributors }),
    excluded: t.field({ type: [VenueExclusionRef], description: 'Venues left out of this average, with the reason (no rate, or no weight).', resolve: (w) => w.excluded }),
  }),
});

AggregatedFundingRef.implement({
  description: 'Funding across the perpetual venues, open-interest-weighted, volume-weighted and unweighted. Each rate is first put on an 8 h footing (rate × 8 / interval hours).',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Symbol, e.g. BTCUSDT.' }),
    venues: t.field({ type: [VenueFundingRateRef], description: 'Venues with a rate.', resolve: (a) => a.venues }),
    oiWeighted: t.field({ type: WeightedFundingRef, description: 'Weighted by each venue open interest in USD.', resolve: (a) => a.oiWeighted }),
    volumeWeighted: t.field({ type: WeightedFundingRef, description: 'Weighted by each venue 24 h volume in USD.', resolve: (a) => a.volumeWeighted }),
    mean: t.field({ type: WeightedFundingRef, description: 'Unweighted mean of the venues rate8h.', resolve: (a) => a.mean }),
    contributors: t.field({ ...contributors('Venues with a rate.'), resolve: (a) => a.contributors }),
    excluded: t.field({ type: [VenueExclusionRef], description: 'Venues without a usable rate (STALE or MISSING) with the reason.', resolve: (a) => a.excluded }),
    meta: t.field({ type: AnalysisMetaRef, description: 'Provenance and freshness (venue aggregated).', resolve: (a) => a.meta }),
  }),
});

FundingArbitrageLegRef.implement({
  description: 'One venue funding, annualised on its own interval.',
  fields: (t) => ({
    venue: t.field({ type: VenueEnum, description: 'The venue.', resolve: (l) => l.venue }),
    rate: t.exposeFloat('rate', { description: 'Fraction per funding interval of this venue.' }),
    rateKind: t.field({ type: FundingRateKindEnum, description: 'PREDICTED or SETTLED.', resolve: (l) => l.rateKind }),
    fundingIntervalHours: t.exposeFloat('fundingIntervalHours', { description: 'Hours between settlements on this venue.' }),
    annualizedRate: t.exposeFloat('annualizedRate', { description: 'rate × 8760 / fundingIntervalHours, fraction per year.' }),
    nextFundingTime: t.field({ type: 'DateTime', nullable: true, description: 'Next settlement on this venue; null when unknown.', resolve: (l) => l.nextFundingTime }),
    timeToNextFundingMs: t.float({
      nullable: true,
      description: 'Milliseconds from now to that settlement.',
      resolve: (l, _args, ctx) => (l.nextFundingTime === null ? null : Math.max(0, l.nextFundingTime - ctx.services.now())),
    }),
  }),
});

FundingArbitragePairRef.implement({
  description: 'Short the perpetual on one venue and long it on another: the funding carry between them, before fees and basis moves. Analysis, not advice.',
  fields: (t) => ({
    short: t.field({ type: FundingArbitrageLegRef, description: 'The venue to be short on (the higher annualised rate).', resolve: (p) => p.short }),
    long: t.field({ type: FundingArbitrageLegRef, description: 'The venue to be long on (the lower annualised rate).', resolve: (p) => p.long }),
    spreadAnnualized: t.exposeFloat('spreadAnnualized', { description: 'short.annualizedRate − long.annualizedRate, fraction per year (≥ 0).' }),
    spread8h: t.exposeFloat('spread8h', { description: 'The same carry over 8 hours, fraction.' }),
    intervalsDiffer: t.exposeBoolean('intervalsDiffer', { description: 'The legs settle at different intervals: the carry accrues unevenly between their settlements (see each nextFundingTime).' }),
  }),
});

FundingArbitrageRef.implement({
  description: 'Funding spread between the perpetual venues, each rate annualised on its own funding interval (rate × 8760 / interval hours).',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Symbol, e.g. BTCUSDT.' }),
    venues: t.field({ type: [FundingArbitrageLegRef], description: 'Venues by annualised rate, highest first.', resolve: (a) => a.venues }),
    pairs: t.field({ type: [FundingArbitragePairRef], description: 'Every pair of contributing venues, widest spread first.', resolve: (a) => a.pairs }),
    best: t.field({ type: FundingArbitragePairRef, nullable: true, description: 'The widest pair; null with fewer than two contributing venues.', resolve: (a) => a.best }),
    contributors: t.field({ ...contributors('Venues compared.'), resolve: (a) => a.contributors }),
    excluded: t.field({ type: [VenueExclusionRef], description: 'Venues left out (STALE or MISSING) with the reason.', resolve: (a) => a.excluded }),
    meta: t.field({ type: AnalysisMetaRef, description: 'Provenance and freshness (venue aggregated).', resolve: (a) => a.meta }),
  }),
});

VenuePriceRef.implement({
  description: 'One venue price in the cross-venue spread.',
  fields: (t) => ({
    venue: t.field({ type: VenueEnum, description: 'The venue.', resolve: (v) => v.venue }),
    price: t.exposeFloat('price', { description: 'Last traded price (else candle close, else mark), quote currency.' }),
    deviationFromMedianPct: t.exposeFloat('deviationFromMedianPct', { description: '(price − median) / median × 100, percent.' }),
    basisPct: t.exposeFloat('basisPct', { nullable: true, description: 'The venue own basis (mark − index) / index × 100, percent; null without both.' }),
    time: t.field({ type: 'DateTime', description: 'Time of that price.', resolve: (v) => v.time }),
  }),
});

VenuePriceSpreadRef.implement({
  description: 'How far the same perpetual trades apart on the venues.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Symbol, e.g. BTCUSDT.' }),
    venues: t.field({ type: [VenuePriceRef], description: 'The contributing venues.', resolve: (a) => a.venues }),
    medianPrice: t.exposeFloat('medianPrice', { description: 'Median of the contributing prices, quote currency.' }),
    highest: t.field({ type: VenueEnum, description: 'Venue with the highest price.', resolve: (a) => a.highest }),
    lowest: t.field({ type: VenueEnum, description: 'Venue with the lowest price.', resolve: (a) => a.lowest }),
    spread: t.exposeFloat('spread', { nullable: true, description: 'Highest − lowest price, quote currency; null with fewer than two venues.' }),
    spreadPct: t.exposeFloat('spreadPct', { nullable: true, description: 'spread / median × 100, percent; null with fewer than two venues.' }),
    contributors: t.field({ ...contributors('Venues compared.'), resolve: (a) => a.contributors }),
    excluded: t.field({ type: [VenueExclusionRef], description: 'Venues left out (STALE or MISSING) with the reason.', resolve: (a) => a.excluded }),
    meta: t.field({ type: AnalysisMetaRef, description: 'Provenance and freshness (venue aggregated).', resolve: (a) => a.meta }),
  }),
});

// --- Liquidation cascades across venues (Market.liquidationCascades(venue: AGGREGATED)) ---

const VenueLiquidationShareRef = builder.objectRef<VenueLiquidationShare>('VenueLiquidationShare');
VenueLiquidationShareRef.implement({
  description: 'One venue in merged liquidation cascades.',
  fields: (t) => ({
    venue: t.field({ type: VenueEnum, description: 'The venue.', resolve: (v) => v.venue }),
    notionalUsd: t.exposeFloat('notionalUsd', { description: 'Its liquidated notional in the window, USD.' }),
    count: t.exposeInt('count', { description: 'Its liquidations in the window.' }),
    share: t.exposeFloat('share', { nullable: true, description: 'notionalUsd / the merged notional of the window, fraction; null when the window holds none.' }),
  }),
});

const merged = (a: object): Partial<AggregatedLiquidationCascades> => a as Partial<AggregatedLiquidationCascades>;
builder.objectFields(LiquidationCascadeAnalysisRef, (t) => ({
  venues: t.field({ type: [VenueLiquidationShareRef], nullable: true, description: 'With venue AGGREGATED: each contributing venue notional in the window; null on one venue.', resolve: (a) => merged(a).venues ?? null }),
  contributors: t.field({ type: [VenueEnum], nullable: true, description: 'With venue AGGREGATED: the venues whose liquidations are merged; null on one venue.', resolve: (a) => merged(a).contributors ?? null }),
  excluded: t.field({ type: [VenueExclusionRef], nullable: true, description: 'With venue AGGREGATED: venues left out (STALE or MISSING) with the reason; null on one venue.', resolve: (a) => merged(a).excluded ?? null }),
}));

// --- Aggregated CVD ---

const CvdBarRef = builder.objectRef<CvdBar>('AggregatedCvdBar');
CvdBarRef.implement({
  description: 'One bar of the aggregated cumulative volume delta.',
  fields: (t) => ({
    time: t.field({ type: 'DateTime', description: 'Bar open time.', resolve: (b) => b.time }),
    delta: t.exposeFloat('delta', { description: 'Σ over the venues of taker buy − taker sell quantity in the bar (base asset).' }),
    deltaUsd: t.exposeFloat('deltaUsd', { description: 'The same in USD (quantity × trade price).' }),
    cvd: t.exposeFloat('cvd', { description: 'Cumulative delta from the first bar returned (base asset): read its slope, not its level.' }),
    cvdUsd: t.exposeFloat('cvdUsd', { description: 'Cumulative delta in USD.' }),
    venueDeltas: t.exposeFloatList('venueDeltas', { description: 'Each contributing venue delta in the bar (base asset), in the order of contributors.' }),
  }),
});

const VenueCvdRef = builder.objectRef<VenueCvd>('VenueCvd');
VenueCvdRef.implement({
  description: 'One venue in the aggregated CVD.',
  fields: (t) => ({
    venue: t.field({ type: VenueEnum, description: 'The venue.', resolve: (v) => v.venue }),
    delta: t.exposeFloat('delta', { description: 'Its taker buy − sell quantity over the bars returned (base asset).' }),
    deltaUsd: t.exposeFloat('deltaUsd', { description: 'The same in USD.' }),
    tradesSince: t.field({ type: 'DateTime', description: 'Its oldest trade held: its trade history reaches back to here.', resolve: (v) => v.tradesSince }),
  }),
});

const AggregatedCvdRef = builder.objectRef<WithMeta<AggregatedCvd>>('AggregatedCvd');
AggregatedCvdRef.implement({
  description: 'Cumulative volume delta summed across the perpetual venues from their trade streams (1-minute bars, at most the last 60), only over bars every contributing venue trade history covers.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Symbol, e.g. BTCUSDT.' }),
    barMs: t.exposeFloat('barMs', { description: 'Bar length in milliseconds.' }),
    coveredFrom: t.field({ type: 'DateTime', nullable: true, description: 'First bar all contributing venues cover; null when none is covered yet.', resolve: (a) => a.coveredFrom }),
    bars: t.field({ type: [CvdBarRef], description: 'Bars oldest first, the forming one last.', resolve: (a) => a.bars }),
    cvd: t.exposeFloat('cvd', { nullable: true, description: 'cvd of the last bar (base asset); null without a covered bar.' }),
    cvdUsd: t.exposeFloat('cvdUsd', { nullable: true, description: 'cvdUsd of the last bar; null without a covered bar.' }),
    venues: t.field({ type: [VenueCvdRef], description: 'The contributing venues.', resolve: (a) => a.venues }),
    contributors: t.field({ ...contributors('Venues summed.'), resolve: (a) => a.contributors }),
    excluded: t.field({ type: [VenueExclusionRef], description: 'Venues left out (STALE or MISSING) with the reason.', resolve: (a) => a.excluded }),
    meta: t.field({ type: AnalysisMetaRef, description: 'Provenance and freshness (venue aggregated).', resolve: (a) => a.meta }),
  }),
});

// --- Market fields ---

builder.objectFields(MarketRef, (t) => ({
  venues: t.field({
    type: [VenueMarketRef],
    nullable: true,
    description: 'Every perpetual venue ingested for this symbol (the primary first, then MARKET_VENUES): price, funding, open interest, 24 h volume and freshness each. Live only (NOT_READY with `at` or on a replay).',
    resolve: (m, _args, ctx) => requireVenueMarkets(ctx).quotes(m.symbol).map((q) => ({ ...q, meta: metaOf(ctx, q.record) })),
  }),
  aggregatedOpenInterest: t.field({
    type: AggregatedOpenInterestRef,
    nullable: true,
    description: 'Open interest summed across the perpetual venues in USD, with shares and changes; lists contributing and excluded venues. NOT_READY when no venue can contribute.',
    resolve: (m, _args, ctx) => crossVenue(ctx, aggregatedOpenInterestDefinition, m.symbol),
  }),
  aggregatedFunding: t.field({
    type: AggregatedFundingRef,
    nullable: true,
    description: 'OI-weighted, volume-weighted and mean funding across the perpetual venues (8 h footing); lists contributing and excluded venues.',
    resolve: (m, _args, ctx) => crossVenue(ctx, aggregatedFundingDefinition, m.symbol),
  }),
  fundingArbitrage: t.field({
    type: FundingArbitrageRef,
    nullable: true,
    description: 'Funding spread between the perpetual venues, annualised on each venue interval, with next-funding times.',
    resolve: (m, _args, ctx) => crossVenue(ctx, fundingArbitrageDefinition, m.symbol),
  }),
  aggregatedCvd: t.field({
    type: AggregatedCvdRef,
    nullable: true,
    description: 'Cumulative volume delta summed across the perpetual venues from their trades (1-minute bars, the last hour at most).',
    resolve: (m, _args, ctx) => crossVenue(ctx, aggregatedCvdDefinition, m.symbol),
  }),
  priceSpread: t.field({
    type: VenuePriceSpreadRef,
    nullable: true,
    description: 'Cross-venue price spread: each venue price against the median, the widest gap and each venue basis.',
    resolve: (m, _args, ctx) => crossVenue(ctx, priceSpreadDefinition, m.symbol),
  }),
}));

export { withMeta };
