import { z } from 'zod';
import type { CorrelationAnalysis } from '../analyzers/correlation.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { CANDLE_INTERVALS, INTERVAL_MS, type CandleInterval } from '../domain/market.js';
import {
  CORRELATION_ARG_LIMITS,
  CORRELATION_KEY,
  DEFAULT_CORRELATION_PARAMS,
  type CorrelationParams,
} from '../engine/definitions/correlation.js';
import { badInput } from '../errors.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { AnalysisMetaRef, FactorRef } from '../schema/refs.js';
import {
  CorrelationBreakDirectionEnum,
  CorrelationBreakRef,
  CorrelationBreakSeverityEnum,
  CorrelationMatrixRef,
  CorrelationPairRef,
  CorrelationRowRef,
  CorrelationSampleRowRef,
  CrossAssetRegimeEnum,
  CrossAssetRegimeRef,
  LeadLagRef,
  PairDivergenceRef,
  CorrelationCalendarEnum,
  MacroGapPolicyEnum,
  MacroSeriesStateRef,
  MacroSeriesStatusEnum,
} from '../schema/refs-correlation.js';
import type { MacroCorrelationAnalysis } from '../analyzers/macro-correlation.js';
import { isMacroSeriesId, MACRO_SERIES_IDS } from '../domain/macro.js';
import { macroCorrelationRecord } from '../engine/macro-correlation.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

const { minSymbols, maxSymbols, minWindow, maxWindow } = CORRELATION_ARG_LIMITS;
const windowArg = z.number().int().min(minWindow, `window must be at least ${minWindow}`).max(maxWindow, `window must be at most ${maxWindow}`).nullish();

const intervalOf = (ms: number): CandleInterval => CANDLE_INTERVALS.find((i) => INTERVAL_MS[i] === ms) ?? '1h';

CorrelationRowRef.implement({
  description: 'One matrix row: the row symbol and its correlation with each symbol of `symbols`, in that order (null: too few overlapping returns).',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    values: t.field({ description: 'Correlation (−1..1) with each symbol of `symbols`, in that order; null with too few overlapping returns.', type: ['Float'], nullable: { list: false, items: true }, resolve: (r) => r.values }),
  }),
});

CorrelationSampleRowRef.implement({
  description: 'One row of sample sizes: overlapping log returns behind each correlation of the row.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    values: t.exposeIntList('values', { description: 'Overlapping returns with each symbol of `symbols`, in that order.' }),
  }),
});

LeadLagRef.implement({
  description: 'Cross-correlation corr(r_a[t], r_b[t+k]) for k = −maxLag..maxLag and its peak (largest |value|; ties go to the smaller lag).',
  fields: (t) => ({
    leader: t.exposeString('leader', { nullable: true, description: 'The symbol whose returns come first; null when the peak is at lag 0.' }),
    follower: t.exposeString('follower', { description: 'The symbol whose returns come later; null when the peak is at lag 0.', nullable: true }),
    lagBars: t.exposeInt('lagBars', { description: 'Bars by which the leader leads.' }),
    peakCorrelation: t.exposeFloat('peakCorrelation', { description: 'Cross-correlation at the peak lag (largest |value|).' }),
    lag0Correlation: t.exposeFloat('lag0Correlation', { description: 'Cross-correlation at lag 0 (same as the pair\'s Pearson over the lag grid).' }),
    meaningful: t.exposeBoolean('meaningful', { description: 'Peak at a non-zero lag, |peak| − |lag 0| ≥ 0.1 and |peak| ≥ 2/√n.' }),
    profile: t.field({
      type: ['Float'],
      nullable: { list: false, items: true },
      description: 'Values for k = −maxLag..maxLag (index maxLag is lag 0); k > 0 means a leads b.',
      resolve: (l) => l.profile,
    }),
  }),
});

CorrelationPairRef.implement({
  description: 'One pair: correlations of log returns over the window and the baseline, and the lead/lag.',
  fields: (t) => ({
    a: t.exposeString('a', { description: 'First symbol.' }),
    b: t.exposeString('b', { description: 'Second symbol.' }),
    pearson: t.exposeFloat('pearson', { description: 'Pearson correlation of log returns over the window, −1..1; null with too few overlapping returns.', nullable: true }),
    spearman: t.exposeFloat('spearman', { description: 'Spearman rank correlation over the window, −1..1; null with too few overlapping returns.', nullable: true }),
    samples: t.exposeInt('samples', { description: 'Overlapping returns in the window.' }),
    baselinePearson: t.exposeFloat('baselinePearson', { nullable: true, description: 'Pearson over the baseline (baselineWindow bars); null unless it holds ≥ samples + 30 returns.' }),
    baselineSamples: t.exposeInt('baselineSamples', { description: 'Overlapping returns in the baseline.' }),
    change: t.exposeFloat('change', { nullable: true, description: 'pearson − baselinePearson.' }),
    leadLag: t.field({ description: 'Lead/lag cross-correlation; null when it cannot be computed (too few overlapping returns, or a pair on the macro calendar).', type: LeadLagRef, nullable: true, resolve: (p) => p.leadLag }),
    calendar: t.field({ description: 'How the returns were aligned: CRYPTO (the candle grid) or MACRO (days both series have a value; pairs with SPX, DXY, GOLD).', type: CorrelationCalendarEnum, resolve: (p) => p.calendar ?? 'CRYPTO' }),
    gapReturns: t.int({ description: 'Returns in the window that span closed-market gaps (weekends, holidays); 0 on the CRYPTO calendar and with macroGaps SKIP.', resolve: (p) => p.gapReturns ?? 0 }),
    note: t.string({ nullable: true, description: 'How a MACRO pair was aligned (aligned sample count, gap returns), or why it is null (for example DXY is unavailable: FRED_API_KEY not set); null for CRYPTO pairs.', resolve: (p) => p.note ?? null }),
  }),
});

MacroSeriesStateRef.implement({
  description: 'A macro series named in `symbols` and whether it could be read (README Macro).',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'SPX (S&P 500), DXY (trade-weighted broad dollar index, FRED DTWEXBGS, not ICE DXY) or GOLD.' }),
    status: t.field({ description: 'AVAILABLE or UNAVAILABLE.', type: MacroSeriesStatusEnum, resolve: (m) => m.status }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why the series is unavailable, e.g. FRED_API_KEY not set; null when available.' }),
    source: t.exposeString('source', { nullable: true, description: 'FRED or CSV; null when unavailable.' }),
    upstreamId: t.exposeString('upstreamId', { nullable: true, description: 'The FRED series id (SP500, DTWEXBGS) or the CSV file; null when unavailable.' }),
    observations: t.exposeInt('observations', { description: 'Days with a value in the history read.' }),
    lastDate: t.field({ type: 'DateTime', nullable: true, description: 'Newest day with a value (00:00 UTC of that day); null without any.', resolve: (m) => m.lastTime }),
  }),
});

CorrelationBreakRef.implement({
  description: 'A pair whose correlation over the window moved away from its baseline.',
  fields: (t) => ({
    a: t.exposeString('a', { description: 'First symbol of the pair.' }),
    b: t.exposeString('b', { description: 'Second symbol of the pair.' }),
    pearson: t.exposeFloat('pearson', { description: 'Pearson correlation over the window, −1..1.' }),
    baselinePearson: t.exposeFloat('baselinePearson', { description: 'Pearson correlation over the baseline, −1..1.' }),
    change: t.exposeFloat('change', { description: 'pearson − baselinePearson.' }),
    direction: t.field({ description: 'WEAKENING or STRENGTHENING against the baseline.', type: CorrelationBreakDirectionEnum, resolve: (b) => b.direction }),
    severity: t.field({ description: 'Size of the change: LOW, MEDIUM or HIGH.', type: CorrelationBreakSeverityEnum, resolve: (b) => b.severity }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
  }),
});

PairDivergenceRef.implement({
  description: 'A highly correlated pair (baseline Pearson ≥ 0.7) whose recent return spread is unusual (|z| ≥ 2 over the last 12 bars).',
  fields: (t) => ({
    a: t.exposeString('a', { description: 'First symbol.' }),
    b: t.exposeString('b', { description: 'Second symbol.' }),
    baselinePearson: t.exposeFloat('baselinePearson', { description: 'Pearson correlation over the baseline, −1..1 (≥ 0.7).' }),
    spread: t.exposeFloat('spread', { description: 'Σ (r_a − r_b) over the recent bars, log units.' }),
    zScore: t.exposeFloat('zScore', { description: 'Spread standardised by the window\'s per-bar spread mean and σ·√bars.' }),
    outperformer: t.exposeString('outperformer', { description: 'The symbol that outperformed.' }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
  }),
});

CrossAssetRegimeRef.implement({
  description: 'RISK_ON / RISK_OFF / ALTSEASON from BTC, alts relative to BTC, BTC dominance and Fear & Greed; missing inputs are listed, never invented.',
  fields: (t) => ({
    regime: t.field({ description: 'RISK_ON, RISK_OFF or ALTSEASON.', type: CrossAssetRegimeEnum, resolve: (r) => r.regime }),
    score: t.exposeFloat('score', { description: '−1..1 weighted risk appetite (positive = risk on).' }),
    benchmark: t.exposeString('benchmark', { description: 'Benchmark symbol, e.g. BTCUSDT.' }),
    btcReturn: t.exposeFloat('btcReturn', { description: 'Benchmark log return over the window.' }),
    altVsBtcReturn: t.exposeFloat('altVsBtcReturn', { description: 'Mean alt − BTC log return over the window.' }),
    averageCorrelationToBtc: t.exposeFloat('averageCorrelationToBtc', { description: 'Mean Pearson of the alts against the benchmark, −1..1; null without alts.', nullable: true }),
    btcDominancePct: t.exposeFloat('btcDominance', { nullable: true, description: 'BTC share of the total market cap, percent (55 = 55 %, CoinGecko); null when not available.' }),
    btcDominance: t.exposeFloat('btcDominance', {
      nullable: true,
      description: 'BTC share of the total market cap, percent. Same value as btcDominancePct.',
      deprecationReason: 'Use btcDominancePct (percent fields end in Pct); removed in the next release.',
    }),
    dominanceChange: t.exposeFloat('dominanceChange', { nullable: true, description: 'Percentage points over the available history.' }),
    fearGreed: t.exposeFloat('fearGreed', { description: 'Latest Fear & Greed value 0..100; null when not available.', nullable: true }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (r) => r.factors }),
    missingInputs: t.exposeStringList('missingInputs', { description: 'Inputs that were not available (their factors were left out, weights renormalised).' }),
  }),
});

CorrelationMatrixRef.implement({
  description: 'Cross-asset correlation of log returns (Pearson and Spearman), breaks against a 4× baseline, lead/lag, pair divergences and the cross-asset regime.',
  fields: (t) => ({
    key: t.exposeString('key', { description: '`ALL` for the default configuration (every configured symbol, I1H, window 168).' }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'No pair has 30 overlapping returns yet: matrices are null and the regime is null.' }),
    symbols: t.exposeStringList('symbols', { description: 'Symbols of the matrix, in row/column order.' }),
    interval: t.field({ description: 'Candle interval the result was computed from.', type: CandleIntervalEnum, resolve: (a) => intervalOf(a.intervalMs) }),
    window: t.exposeInt('window', { description: 'Returns in the window (bars of `interval`).' }),
    baselineWindow: t.exposeInt('baselineWindow', { description: 'Returns in the baseline (4 × window, as far as history reaches).' }),
    maxLag: t.exposeInt('maxLag', { description: 'Largest lag (bars) of the lead/lag cross-correlation.' }),
    time: t.field({ type: 'DateTime', nullable: true, description: 'Open time of the newest bar on the alignment grid.', resolve: (a) => a.time }),
    pearson: t.field({ description: 'Rows/columns in `symbols` order; null where a pair has fewer than minSamples overlapping returns.', type: [CorrelationRowRef], resolve: (a) => a.symbols.map((symbol, i) => ({ symbol, values: a.pearson[i]! })) }),
    spearman: t.field({ description: 'Spearman rank correlations, −1..1, rows/columns in `symbols` order; null where a pair has too few overlapping returns.', type: [CorrelationRowRef], resolve: (a) => a.symbols.map((symbol, i) => ({ symbol, values: a.spearman[i]! })) }),
    samples: t.field({ description: 'Overlapping returns behind each matrix cell, rows in `symbols` order.', type: [CorrelationSampleRowRef], resolve: (a) => a.symbols.map((symbol, i) => ({ symbol, values: a.samples[i]! })) }),
    pairs: t.field({ description: 'Every pair of `symbols` with its correlations and lead/lag.', type: [CorrelationPairRef], resolve: (a) => a.pairs }),
    averageCorrelation: t.exposeFloat('averageCorrelation', { nullable: true, description: 'Mean off-diagonal Pearson.' }),
    breaks: t.field({ type: [CorrelationBreakRef], description: 'Most severe first.', resolve: (a) => a.breaks }),
    divergences: t.field({ type: [PairDivergenceRef], description: 'Largest |z| first.', resolve: (a) => a.divergences }),
    regime: t.field({ description: 'Cross-asset regime (risk on / off, altseason); null while warming up.', type: CrossAssetRegimeRef, nullable: true, resolve: (a) => a.regime }),
    notes: t.exposeStringList('notes', { description: 'Plain-language notes: symbols left out, short history, what could not be computed.' }),
    macroSeries: t.field({ description: 'The macro series among `symbols` and whether each could be read; empty without macro series.', type: [MacroSeriesStateRef], resolve: (a) => (a as Partial<MacroCorrelationAnalysis>).macro ?? [] }),
    macroGaps: t.field({ description: 'Gap policy of the MACRO pairs; null without macro series.', type: MacroGapPolicyEnum, nullable: true, resolve: (a) => (a as Partial<MacroCorrelationAnalysis>).gapPolicy ?? null }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

// --- Queries ---

builder.queryField('correlations', (t) =>
  t.field({
    type: CorrelationMatrixRef,
    nullable: true,
    description:
      'Correlation engine across symbols. Defaults (all configured symbols, I1H, window 168) are served from the continuously computed `ALL` result; other arguments are computed on demand by instances that ingest data.',
    args: {
      symbols: t.arg.stringList({
        description: `Configured symbols and macro series (${MACRO_SERIES_IDS.join(', ')}), ${minSymbols}..${maxSymbols}; default all configured. Macro series need interval I1D; their pairs are aligned on the macro trading calendar.`,
      }),
      macroGaps: t.arg({ type: MacroGapPolicyEnum, required: true, defaultValue: 'SPAN', description: 'What MACRO pairs do with returns across closed-market gaps (default SPAN: keep and count them).' }),
      interval: t.arg({ type: CandleIntervalEnum, required: true, defaultValue: DEFAULT_CORRELATION_PARAMS.interval, description: 'Candle interval (default I1H).' }),
      window: t.arg.int({
        required: true,
        defaultValue: DEFAULT_CORRELATION_PARAMS.window,
        validate: windowArg,
        description: `Returns in the window, ${minWindow}..${maxWindow}; default ${DEFAULT_CORRELATION_PARAMS.window}. The baseline is 4× the window (as far as history reaches).`,
      }),
    },
    resolve: async (_root, args, ctx) => {
      const configured = ctx.services.symbols().map((s) => s.symbol);
      let symbols: string[] | undefined;
      if (args.symbols != null) {
        symbols = [...new Set(args.symbols.map((s) => (isMacroSeriesId(s.trim().toUpperCase()) ? s.trim().toUpperCase() : requireSymbol(ctx, s))))];
        if (symbols.length < minSymbols || symbols.length > maxSymbols) {
          throw badInput(`symbols must name ${minSymbols}..${maxSymbols} distinct configured symbols, got ${symbols.length}`, { symbols: args.symbols });
        }
        if (symbols.some(isMacroSeriesId)) {
          if (args.interval !== '1d') throw badInput(`macro series (${symbols.filter(isMacroSeriesId).join(', ')}) are daily: use interval I1D`, { interval: args.interval });
          const record = await macroCorrelationRecord(ctx.services, { symbols, window: args.window, gaps: args.macroGaps });
          return withMeta<CorrelationAnalysis>(ctx, record);
        }
        if (symbols.length === configured.length && symbols.every((s, i) => s === configured[i])) symbols = undefined;
      }
      if (!symbols && args.interval === DEFAULT_CORRELATION_PARAMS.interval && args.window === DEFAULT_CORRELATION_PARAMS.window) {
        return withMeta<CorrelationAnalysis>(ctx, await requireLatest(ctx, 'CORRELATION', CORRELATION_KEY));
      }
      const params: CorrelationParams = { interval: args.interval, window: args.window };
      if (symbols) params.symbols = symbols;
      const record = await requireLatestWith(ctx, 'CORRELATION', CORRELATION_KEY, { ...params }, `CORRELATION with these arguments is not available: no closed ${args.interval} candle received yet, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return withMeta<CorrelationAnalysis>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('correlationsUpdated', (t) =>
  t.field({
    type: CorrelationMatrixRef,
    description: 'The default correlation matrix (key ALL): the latest result at once on subscribe, then each time it is recomputed to a different result.',
    subscribe: (_root, _args, ctx) => analysisUpdates(ctx, 'CORRELATION', CORRELATION_KEY),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<CorrelationAnalysis>(ctx, record),
  }),
);
