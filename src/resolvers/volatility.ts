import { z } from 'zod';
import { DEFAULT_VOLATILITY_THRESHOLDS, type VolatilityAnalysis, type VolatilityRegimeChange } from '../analyzers/volatility.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { CandleInterval } from '../domain/market.js';
import { DEFAULT_VOLATILITY_INTERVAL, type VolatilityParams } from '../engine/definitions/volatility.js';
import { badInput } from '../errors.js';
import { slidingWindow } from '../pubsub.js';
import { builder } from '../schema/builder.js';
import { CandleIntervalEnum } from '../schema/enums.js';
import { AnalysisMetaRef, EventMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import {
  BollingerBandsRef,
  VolatilityAnalysisRef,
  VolatilityPersistenceRef,
  VolatilityRegimeChangeRef,
  VolatilityRegimeEnum,
  VolatilityThresholdsRef,
  VolatilityTransitionCellRef,
  VolatilityTransitionRef,
} from '../schema/refs-volatility.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

const D = DEFAULT_VOLATILITY_THRESHOLDS;
const percentileArg = (name: string) => z.number().gt(0, `${name} must be greater than 0`).max(100, `${name} must be at most 100`).nullish();
const intArg = (name: string, min: number, max: number) =>
  z.number().int(`${name} must be an integer`).min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`).nullish();

// --- Object types ---

BollingerBandsRef.implement({
  description: 'Bollinger bands (period, k population σ) of the latest closed bar.',
  fields: (t) => ({
    upper: t.exposeFloat('upper', { description: 'Upper band: middle + k × population σ of the closes (quote currency).' }),
    middle: t.exposeFloat('middle', { description: 'Simple moving average of the closes.' }),
    lower: t.exposeFloat('lower', { description: 'Lower band: middle − k × population σ of the closes (quote currency).' }),
    bandwidthPct: t.exposeFloat('bandwidthPct', { description: '(upper − lower) / middle × 100, percent: low values mark a squeeze.' }),
    percentB: t.exposeFloat('percentB', { nullable: true, description: '(close − lower) / (upper − lower): 0 at the lower band, 1 at the upper.' }),
  }),
});

VolatilityTransitionRef.implement({
  description: 'A change of volatility regime between two consecutive closed bars.',
  fields: (t) => ({
    time: t.field({ type: 'DateTime', description: 'Close time of the first bar in the new regime.', resolve: (x) => x.time }),
    from: t.field({ description: 'Previous regime.', type: VolatilityRegimeEnum, resolve: (x) => x.from }),
    to: t.field({ description: 'New regime.', type: VolatilityRegimeEnum, resolve: (x) => x.to }),
    atrPct: t.exposeFloat('atrPct', { description: 'ATR / close × 100 of the first bar in the new regime, percent (1 = 1 %).' }),
    percentile: t.exposeFloat('percentile', { description: 'Percentile rank 0..100 of that ATR% in its history.' }),
  }),
});

VolatilityTransitionCellRef.implement({
  description: 'One cell of the regime transition matrix.',
  fields: (t) => ({
    from: t.field({ description: 'Regime of a bar.', type: VolatilityRegimeEnum, resolve: (x) => x.from }),
    to: t.field({ description: 'Regime of the next bar.', type: VolatilityRegimeEnum, resolve: (x) => x.to }),
    count: t.exposeInt('count', { description: 'Consecutive bar pairs observed going from `from` to `to` (from = to counts staying).' }),
    probability: t.exposeFloat('probability', { nullable: true, description: 'count / transitions out of `from`; null when none were observed.' }),
  }),
});

VolatilityPersistenceRef.implement({
  description: 'Volatility clustering: how likely the current regime persists, from a Markov transition matrix estimated on the stored regime history.',
  fields: (t) => ({
    bars: t.exposeInt('bars', { description: 'Horizon N in bars.' }),
    staysProbability: t.exposeFloat('staysProbability', { nullable: true, description: 'p_ii^N, fraction 0..1: the regime holds on every one of the next N bars.' }),
    inRegimeProbability: t.exposeFloat('inRegimeProbability', { nullable: true, description: '(P^N)_ii, fraction 0..1: the regime holds N bars ahead (may leave and return).' }),
    sampleSize: t.exposeInt('sampleSize', { description: 'Observed transitions out of the current regime (the sample behind p_ii).' }),
    totalTransitions: t.exposeInt('totalTransitions', { description: 'Bar-to-bar steps in the classified history.' }),
    matrix: t.field({ type: [VolatilityTransitionCellRef], description: '16 cells, rows in STABLE, HIGH_VOL, EXPLOSIVE, EXTREME order.', resolve: (p) => p.matrix }),
  }),
});

VolatilityThresholdsRef.implement({
  description: 'The parameters used (defaults unless given as arguments).',
  fields: (t) => ({
    atrPeriod: t.exposeInt('atrPeriod', { description: 'ATR period (Wilder smoothing, trading-signals `ATR`). Default 14.' }),
    bbPeriod: t.exposeInt('bbPeriod', { description: 'Bollinger band period. Default 20.' }),
    bbStdDev: t.exposeFloat('bbStdDev', { description: 'Bollinger band width in population standard deviations. Default 2.' }),
    realizedVolWindow: t.exposeInt('realizedVolWindow', { description: 'Log returns in the realized-volatility window. Default 20.' }),
    percentileLookback: t.exposeInt('percentileLookback', { description: 'ATR% readings before a bar that its percentile rank is taken against (rolling). Default 250.' }),
    minHistory: t.exposeInt('minHistory', { description: 'Minimum ATR% readings before a bar can be classified (otherwise warming up). Default 50.' }),
    highVolPercentile: t.exposeFloat('highVolPercentile', { description: 'Percentile (0..100) of ATR% at or above which the regime is HIGH_VOL. Default 60.' }),
    explosivePercentile: t.exposeFloat('explosivePercentile', { description: 'Percentile at or above which the regime is EXPLOSIVE. Default 85.' }),
    extremePercentile: t.exposeFloat('extremePercentile', { description: 'Percentile at or above which the regime is EXTREME. Default 97.' }),
    persistenceBars: t.exposeInt('persistenceBars', { description: 'Bars ahead of the persistence (clustering) probability. Default 5.' }),
    targetVolatility: t.exposeFloat('targetVolatility', { description: 'Annualized volatility the risk multiplier targets (0.5 = 50 %). Default 0.5.' }),
    minRiskMultiplier: t.exposeFloat('minRiskMultiplier', { description: 'Lower clamp of the risk multiplier. Default 0.25.' }),
    maxRiskMultiplier: t.exposeFloat('maxRiskMultiplier', { description: 'Upper clamp of riskMultiplier in STABLE (multiplier of a base size, 2 = double). Default 2.' }),
    elevatedMaxRiskMultiplier: t.exposeFloat('elevatedMaxRiskMultiplier', { description: 'Upper clamp of riskMultiplier in HIGH_VOL and EXPLOSIVE (never upsize there). Default 1.' }),
    extremeMaxRiskMultiplier: t.exposeFloat('extremeMaxRiskMultiplier', { description: 'Upper clamp of riskMultiplier in EXTREME (at most half the base size). Default 0.5.' }),
  }),
});

VolatilityAnalysisRef.implement({
  description:
    'Volatility of one candle interval: ATR / ATR%, Bollinger bands and bandwidth, annualized realized volatility, a four-state regime with its age, transitions and persistence probability, and a risk multiplier for position sizing.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.field({ description: 'Candle interval the result was computed from.', type: CandleIntervalEnum, resolve: (a) => a.interval as CandleInterval }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'Too few closed candles to rank ATR% (atrPeriod + minHistory + 1): regime fields are null.' }),
    time: t.field({ type: 'DateTime', nullable: true, description: 'Close time of the latest closed candle.', resolve: (a) => a.time }),
    bars: t.exposeInt('bars', { description: 'Closed candles analysed.' }),
    close: t.exposeFloat('close', { description: 'Close of the latest closed candle (quote currency).', nullable: true }),
    atr: t.exposeFloat('atr', { nullable: true, description: 'Average true range (Wilder), quote currency.' }),
    atrPct: t.exposeFloat('atrPct', { nullable: true, description: 'ATR / close × 100, percent (1 = 1 %).' }),
    atrPctPercentile: t.exposeFloat('atrPctPercentile', { nullable: true, description: 'Percentile rank 0..100 of ATR% among the percentileLookback readings before it.' }),
    bollinger: t.field({ description: 'Bollinger bands of the latest closed bar; null with fewer than bbPeriod closes.', type: BollingerBandsRef, nullable: true, resolve: (a) => a.bollinger }),
    realizedVol: t.exposeFloat('realizedVol', {
      nullable: true,
      description: 'Annualized realized volatility (0.5 = 50 %): sample σ of the last realizedVolWindow log returns × √periodsPerYear.',
    }),
    parkinsonVol: t.exposeFloat('parkinsonVol', {
      nullable: true,
      description:
        'Annualized Parkinson range volatility, fraction (0.5 = 50 %): √(mean of ln(high/low)² / (4 ln 2) over the last realizedVolWindow bars × periodsPerYear). Sees intrabar wicks; null with fewer bars.',
    }),
    garmanKlassVol: t.exposeFloat('garmanKlassVol', {
      nullable: true,
      description:
        'Annualized Garman–Klass volatility, fraction: √(mean of ½ ln(high/low)² − (2 ln 2 − 1) ln(close/open)² over the last realizedVolWindow bars × periodsPerYear). Ranked by the regime and divided into the risk multiplier.',
    }),
    rangeVolPercentile: t.exposeFloat('rangeVolPercentile', {
      nullable: true,
      description: 'Percentile rank 0..100 of garmanKlassVol among its percentileLookback readings before it; the regime takes the higher of this and atrPctPercentile.',
    }),
    riskVol: t.exposeFloat('riskVol', { nullable: true, description: 'max(realizedVol, garmanKlassVol), fraction annualized: the volatility the risk multiplier targets against.' }),
    periodsPerYear: t.exposeFloat('periodsPerYear', { description: '365 × 24 h / interval (24/7 market), e.g. 8760 for I1H.' }),
    regime: t.field({ description: 'STABLE, HIGH_VOL, EXPLOSIVE or EXTREME; null while warming up.', type: VolatilityRegimeEnum, nullable: true, resolve: (a) => a.regime }),
    regimeSince: t.field({ type: 'DateTime', nullable: true, description: 'Close time of the first bar of the current regime.', resolve: (a) => a.regimeSince }),
    regimeBars: t.exposeInt('regimeBars', { nullable: true, description: 'Bars in the current regime, the latest included.' }),
    regimeSinceIsLowerBound: t.exposeBoolean('regimeSinceIsLowerBound', { description: 'The regime already held at the first classified bar: it began at or before regimeSince.' }),
    transitions: t.field({ type: [VolatilityTransitionRef], description: 'Regime changes in the classified history, oldest first (last 50).', resolve: (a) => a.transitions }),
    persistence: t.field({ description: 'How likely the regime holds over the next bars (from its transitions); null while warming up.', type: VolatilityPersistenceRef, nullable: true, resolve: (a) => a.persistence }),
    riskMultiplier: t.exposeFloat('riskMultiplier', {
      nullable: true,
      description:
        'clamp(targetVolatility / riskVol, minRiskMultiplier, cap) with cap maxRiskMultiplier in STABLE, elevatedMaxRiskMultiplier (1) in HIGH_VOL/EXPLOSIVE, extremeMaxRiskMultiplier (0.5) in EXTREME: multiply a base position size by it; never above 1 outside STABLE.',
    }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (a) => a.factors }),
    thresholds: t.field({ description: 'The parameters used.', type: VolatilityThresholdsRef, resolve: (a) => a.thresholds }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

VolatilityRegimeChangeRef.implement({
  description: 'The default (1 h) volatility regime of a symbol changed.',
  fields: (t) => ({
    meta: t.field({
      type: EventMetaRef,
      nullable: true,
      description: 'Provenance (source, venue, asOf) on the event subscription; null where the item is part of an analysis or a list (see that result\'s meta).',
      resolve: (x) => x.meta ?? null,
    }),
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    interval: t.field({ description: 'Candle interval the result was computed from.', type: CandleIntervalEnum, resolve: (c) => c.interval as CandleInterval }),
    time: t.field({ type: 'DateTime', description: 'Close time of the first bar in the new regime.', resolve: (c) => c.time }),
    from: t.field({ description: 'Previous regime.', type: VolatilityRegimeEnum, resolve: (c) => c.from }),
    to: t.field({ description: 'New regime.', type: VolatilityRegimeEnum, resolve: (c) => c.to }),
    atrPct: t.exposeFloat('atrPct', { description: 'ATR / close × 100 of the first bar in the new regime, percent (1 = 1 %).', nullable: true }),
    percentile: t.exposeFloat('percentile', { description: 'Percentile rank 0..100 of that ATR% in its history.', nullable: true }),
    riskMultiplier: t.exposeFloat('riskMultiplier', { description: 'Risk multiplier in the new regime (× base position size).', nullable: true }),
  }),
});

// --- Queries ---

builder.objectField(MarketRef, 'volatility', (t) =>
  t.field({
    type: VolatilityAnalysisRef,
    nullable: true,
    description: 'Volatility and its regime. Non-default arguments are computed on demand by instances that ingest data.',
    args: {
      interval: t.arg({ type: CandleIntervalEnum, required: true, defaultValue: DEFAULT_VOLATILITY_INTERVAL, description: 'Candle interval (default I1H).' }),
      atrPeriod: t.arg.int({ validate: intArg('atrPeriod', 2, 100), description: `ATR period, 2..100; default ${D.atrPeriod}.` }),
      percentileLookback: t.arg.int({
        validate: intArg('percentileLookback', 20, 2000),
        description: `ATR% readings the percentile is ranked against, 20..2000; default ${D.percentileLookback}.`,
      }),
      highVolPercentile: t.arg.float({ validate: percentileArg('highVolPercentile'), description: `HIGH_VOL from this ATR% percentile; default ${D.highVolPercentile}.` }),
      explosivePercentile: t.arg.float({ validate: percentileArg('explosivePercentile'), description: `EXPLOSIVE from this percentile; default ${D.explosivePercentile}.` }),
      extremePercentile: t.arg.float({ validate: percentileArg('extremePercentile'), description: `EXTREME from this percentile; default ${D.extremePercentile}.` }),
      persistenceBars: t.arg.int({ validate: intArg('persistenceBars', 1, 100), description: `Horizon of the persistence probability, 1..100 bars; default ${D.persistenceBars}.` }),
      targetVolatility: t.arg.float({
        validate: z.number().gt(0, 'targetVolatility must be greater than 0').max(5, 'targetVolatility must be at most 5').nullish(),
        description: `Annualized volatility the risk multiplier targets (0.5 = 50 %); default ${D.targetVolatility}.`,
      }),
    },
    resolve: async (m, args, ctx) => {
      const high = args.highVolPercentile ?? D.highVolPercentile;
      const explosive = args.explosivePercentile ?? D.explosivePercentile;
      const extreme = args.extremePercentile ?? D.extremePercentile;
      if (!(high < explosive && explosive < extreme)) {
        throw badInput(`percentile thresholds must satisfy highVol < explosive < extreme, got ${high}, ${explosive}, ${extreme}`, {
          highVolPercentile: high,
          explosivePercentile: explosive,
          extremePercentile: extreme,
        });
      }
      const params: VolatilityParams = { interval: args.interval };
      const numeric = {
        atrPeriod: args.atrPeriod,
        percentileLookback: args.percentileLookback,
        highVolPercentile: args.highVolPercentile,
        explosivePercentile: args.explosivePercentile,
        extremePercentile: args.extremePercentile,
        persistenceBars: args.persistenceBars,
        targetVolatility: args.targetVolatility,
      } as const;
      for (const [key, value] of Object.entries(numeric) as [keyof typeof numeric, number | null | undefined][]) {
        if (value != null && value !== D[key]) params[key] = value;
      }
      if (params.interval === DEFAULT_VOLATILITY_INTERVAL && Object.keys(params).length === 1) {
        return withMeta<VolatilityAnalysis>(ctx, await requireLatest(ctx, 'VOLATILITY', m.symbol));
      }
      const record = await requireLatestWith(ctx, 'VOLATILITY', m.symbol, { ...params }, `VOLATILITY for ${m.symbol} with these arguments is not available: no closed ${args.interval} candle received yet, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return withMeta<VolatilityAnalysis>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('volatilityUpdated', (t) =>
  t.field({
    type: VolatilityAnalysisRef,
    description: 'The volatility analysis (1 h, default arguments) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result (when a 1 h candle closes).',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'VOLATILITY', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<VolatilityAnalysis>(ctx, record),
  }),
);

builder.subscriptionField('volatilityRegimeChanged', (t) =>
  t.field({
    type: VolatilityRegimeChangeRef,
    description: 'Fires only when the default (1 h) volatility regime of the symbol changes (not on every recomputation).',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => slidingWindow(ctx.services.pubsub.subscribe('volatility:regime-changed', requireSymbol(ctx, args.symbol))),
    resolve: (change: VolatilityRegimeChange) => change,
  }),
);
