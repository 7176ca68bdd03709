import { ATM_CHANGE_LAGS, atmVolChanges } from '../analyzers/options-surface.js';
import type { AtmChangeLag, OptionsSurfaceAnalysis, PastSurface } from '../analyzers/options-surface.types.js';
import type { GraphQLContext } from '../context.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { DataOrigin } from '../domain/market.js';
import { AppError, badInput, ErrorCodes } from '../errors.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, type WithMeta } from '../schema/refs.js';
import {
  OptionsArbitrageReportRef,
  OptionsAtmTenorRef,
  OptionsAtmVolChangeRef,
  OptionsButterflyViolationRef,
  OptionsCalendarViolationRef,
  OptionsChangeLagEnum,
  OptionsDeltaPointRef,
  OptionsIndexOptionEnum,
  OptionsStrikeActivityRef,
  OptionsSurfaceExpiryRef,
  OptionsSurfaceRef,
  OptionsSurfaceStrikeRef,
  OptionsSviFitRef,
  OptionsTenorChangeRef,
  OptionsVarianceContributionRef,
  OptionsVarianceTermRef,
  OptionsVolatilityIndexRef,
} from '../schema/refs-options-surface.js';
import { requireCurrency } from './options-flow.js';
import { analysisUpdates, metaOf, requireLatest, withMeta } from './shared.js';

const KIND = 'OPTIONS_SURFACE';

/**
 * The stored OPTIONS_SURFACE results nearest to each lag before `surface.time` (snapshots, see ATM_CHANGE_LAGS),
 * as the pure atmVolChanges compares them. An unreadable history is a reason, not an error of the whole surface.
 */
async function changesOf(ctx: GraphQLContext, surface: OptionsSurfaceAnalysis) {
  const past: Record<AtmChangeLag, PastSurface | null> = { ONE_DAY: null, ONE_WEEK: null, ONE_MONTH: null };
  const unavailable: Partial<Record<AtmChangeLag, string>> = {};
  await Promise.all(
    (Object.keys(ATM_CHANGE_LAGS) as AtmChangeLag[]).map(async (lag) => {
      const { lagMs, toleranceMs } = ATM_CHANGE_LAGS[lag];
      const target = surface.time - lagMs;
      try {
        const rows = await ctx.services.snapshots.query({ kind: KIND, symbol: surface.currency, from: target - toleranceMs, to: target + toleranceMs, limit: 50 });
        let best: PastSurface | null = null;
        for (const row of rows) {
          const p = row.payload as Partial<OptionsSurfaceAnalysis>;
          if (!Array.isArray(p.termStructure) || !p.volatilityIndex) continue;
          const time = typeof p.time === 'number' ? p.time : row.asOf;
          if (!best || Math.abs(time - target) < Math.abs(best.time - target)) best = { time, termStructure: p.termStructure, volatilityIndex: { value: p.volatilityIndex.value ?? null } };
        }
        past[lag] = best;
      } catch (error) {
        unavailable[lag] = `the stored history could not be read (${error instanceof Error ? error.message : String(error)})`;
      }
    }),
  );
  return atmVolChanges(surface, past, unavailable);
}

/** The newest stored surface at or before `at`, presented like analysisHistory presents a row. */
async function storedAt(ctx: GraphQLContext, currency: string, at: number): Promise<WithMeta<OptionsSurfaceAnalysis>> {
  if (at > ctx.services.now()) throw badInput(`at (${new Date(at).toISOString()}) is in the future`, { at: new Date(at).toISOString() });
  const [row] = await ctx.services.snapshots.query({ kind: KIND, symbol: currency, to: at, limit: 1 });
  if (!row) {
    throw new AppError(ErrorCodes.NOT_FOUND, `No stored ${KIND} for ${currency} at or before ${new Date(at).toISOString()}: the surface history starts with this server's first stored result (snapshots), there is no raw-chain archive to recompute from`, {
      kind: KIND,
      symbol: currency,
    });
  }
  return { ...(row.payload as OptionsSurfaceAnalysis), meta: metaOf(ctx, { asOf: row.asOf, source: row.source as DataOrigin, venue: row.venue, methodologyVersion: row.methodologyVersion }) };
}

// --- Types ---

OptionsSviFitRef.implement({
  description: 'Raw SVI smile of one expiry, w(k) = a + b(rho(k − m) + sqrt((k − m)² + sigma²)) with k = ln(K/F) and w the total implied variance (IV² × T), least-squares fitted with b ≥ 0, |rho| < 1, sigma > 0, a + b·sigma·sqrt(1 − rho²) ≥ 0 and b(1 + |rho|) ≤ 2.',
  fields: (t) => ({
    a: t.exposeFloat('a', { description: 'Level of total variance.' }),
    b: t.exposeFloat('b', { description: 'Angle between the wings (≥ 0).' }),
    rho: t.exposeFloat('rho', { description: 'Rotation, −1..1: negative tilts the smile toward puts.' }),
    m: t.exposeFloat('m', { description: 'Horizontal shift, log-moneyness.' }),
    sigma: t.exposeFloat('sigma', { description: 'Smoothness of the vertex (> 0), log-moneyness.' }),
    rmseVolPts: t.exposeFloat('rmseVolPts', { description: 'Root mean square of fitted − quoted mark IV over the fitted quotes, vol points.' }),
    maxErrorVolPts: t.exposeFloat('maxErrorVolPts', { description: 'Largest |fitted − quoted| mark IV, vol points.' }),
    quotes: t.exposeInt('quotes', { description: 'Quotes fitted: out-of-the-money options with a two-sided IV market (all with a mark IV when the source quotes no bid/ask IV).' }),
    withinBidAsk: t.exposeInt('withinBidAsk', { description: 'Fitted quotes whose fitted IV lies within their bid and ask IV.' }),
    withBidAsk: t.exposeInt('withBidAsk', { description: 'Fitted quotes with both a bid and an ask IV.' }),
    kMin: t.exposeFloat('kMin', { description: 'Lowest fitted log-moneyness ln(K/F).' }),
    kMax: t.exposeFloat('kMax', { description: 'Highest fitted log-moneyness ln(K/F).' }),
    minTotalVariance: t.exposeFloat('minTotalVariance', { description: 'a + b·sigma·sqrt(1 − rho²): the smallest total variance of the smile (≥ 0).' }),
  }),
});

OptionsDeltaPointRef.implement({
  description: 'The strike of one Black-76 forward delta on the fitted smile, and its IV.',
  fields: (t) => ({
    delta: t.exposeFloat('delta', { description: 'Signed delta: 0.25 is the 25-delta call, −0.25 the 25-delta put.' }),
    strike: t.exposeFloat('strike', { description: 'Strike (USD) at which the fitted smile has this delta.' }),
    logMoneyness: t.exposeFloat('logMoneyness', { description: 'ln(strike / forward).' }),
    fittedIv: t.field({ type: 'Float', description: 'Fitted IV at that strike, percent (80 = 80 %).', resolve: (d) => d.iv }),
    extrapolated: t.exposeBoolean('extrapolated', { description: 'True when the strike lies outside the fitted quotes (the smile is extrapolated there).' }),
  }),
});

OptionsSurfaceStrikeRef.implement({
  description: 'One strike of one expiry: quoted and fitted IVs, deltas, open interest and volume.',
  fields: (t) => ({
    strike: t.exposeFloat('strike', { description: 'Strike, USD.' }),
    logMoneyness: t.exposeFloat('logMoneyness', { description: 'ln(strike / forward).' }),
    callIv: t.exposeFloat('callIv', { nullable: true, description: 'Mark IV of the call, percent; null without a call or a mark.' }),
    putIv: t.exposeFloat('putIv', { nullable: true, description: 'Mark IV of the put, percent.' }),
    otmIv: t.exposeFloat('otmIv', { nullable: true, description: 'Mark IV of the out-of-the-money option (put below the forward, call at or above), percent.' }),
    otmBidIv: t.exposeFloat('otmBidIv', { nullable: true, description: 'Bid IV of the out-of-the-money option, percent; null or 0 without a bid.' }),
    otmAskIv: t.exposeFloat('otmAskIv', { nullable: true, description: 'Ask IV of the out-of-the-money option, percent.' }),
    fittedIv: t.exposeFloat('fittedIv', { nullable: true, description: 'SVI IV at this strike, percent; null without a fit.' }),
    callDelta: t.exposeFloat('callDelta', { nullable: true, description: 'Delta of the call as the venue reports it; null when the source has no greeks.' }),
    putDelta: t.exposeFloat('putDelta', { nullable: true, description: 'Delta of the put as the venue reports it.' }),
    callOpenInterest: t.exposeFloat('callOpenInterest', { description: 'Call open interest, contracts.' }),
    putOpenInterest: t.exposeFloat('putOpenInterest', { description: 'Put open interest, contracts.' }),
    callVolume: t.exposeFloat('callVolume', { description: 'Call 24 h volume, contracts.' }),
    putVolume: t.exposeFloat('putVolume', { description: 'Put 24 h volume, contracts.' }),
  }),
});

OptionsSurfaceExpiryRef.implement({
  description: 'One expiry of the surface: SVI fit, ATM and delta IVs, skew, open interest and volume, and every strike. IVs in percent, skews in vol points.',
  fields: (t) => ({
    expiry: t.field({ type: 'DateTime', description: 'Expiry (settlement) time.', resolve: (e) => e.expiry }),
    daysToExpiry: t.exposeFloat('daysToExpiry', { description: 'Days from the chain time to expiry (fractional).' }),
    timeToExpiry: t.exposeFloat('timeToExpiry', { description: 'Years from the chain time to expiry (365-day year): the T of total variance.' }),
    forward: t.exposeFloat('forward', { description: 'Mean underlying (forward) price of the expiry quotes, USD: the F of log-moneyness.' }),
    svi: t.field({ type: OptionsSviFitRef, nullable: true, description: 'The SVI fit; null when too few quotes (fitNote says why).', resolve: (e) => e.svi }),
    fitNote: t.exposeString('fitNote', { description: 'What was fitted, or why there is no fit.' }),
    atmIv: t.exposeFloat('atmIv', { nullable: true, description: 'Fitted IV at the forward (k = 0), percent.' }),
    put10: t.field({ type: OptionsDeltaPointRef, nullable: true, description: 'The 10-delta put.', resolve: (e) => e.put10 }),
    put25: t.field({ type: OptionsDeltaPointRef, nullable: true, description: 'The 25-delta put.', resolve: (e) => e.put25 }),
    put50: t.field({ type: OptionsDeltaPointRef, nullable: true, description: 'The 50-delta put (same strike as the 50-delta call).', resolve: (e) => e.put50 }),
    call50: t.field({ type: OptionsDeltaPointRef, nullable: true, description: 'The 50-delta call.', resolve: (e) => e.call50 }),
    call25: t.field({ type: OptionsDeltaPointRef, nullable: true, description: 'The 25-delta call.', resolve: (e) => e.call25 }),
    call10: t.field({ type: OptionsDeltaPointRef, nullable: true, description: 'The 10-delta call.', resolve: (e) => e.call10 }),
    riskReversal25: t.exposeFloat('riskReversal25', { nullable: true, description: '25-delta call IV − 25-delta put IV, vol points: negative means puts are bid over calls.' }),
    butterfly25: t.exposeFloat('butterfly25', { nullable: true, description: '(25-delta call IV + 25-delta put IV)/2 − ATM IV, vol points: how fat the wings are.' }),
    riskReversal10: t.exposeFloat('riskReversal10', { nullable: true, description: '10-delta call IV − 10-delta put IV, vol points.' }),
    butterfly10: t.exposeFloat('butterfly10', { nullable: true, description: '(10-delta call IV + 10-delta put IV)/2 − ATM IV, vol points.' }),
    minDensityG: t.exposeFloat('minDensityG', { nullable: true, description: 'Smallest Gatheral density function g(k) over the fitted range; below 0 means butterfly arbitrage.' }),
    strikes: t.field({ type: [OptionsSurfaceStrikeRef], description: 'Every strike of the expiry, ascending.', resolve: (e) => e.strikes }),
    callOpenInterest: t.exposeFloat('callOpenInterest', { description: 'Call open interest of the expiry, contracts.' }),
    putOpenInterest: t.exposeFloat('putOpenInterest', { description: 'Put open interest of the expiry, contracts.' }),
    callVolume: t.exposeFloat('callVolume', { description: 'Call 24 h volume of the expiry, contracts.' }),
    putVolume: t.exposeFloat('putVolume', { description: 'Put 24 h volume of the expiry, contracts.' }),
  }),
});

OptionsAtmTenorRef.implement({
  description: 'ATM IV at a constant maturity: the fitted ATM total variance, linear in time between the expiries around it (never extrapolated).',
  fields: (t) => ({
    days: t.exposeInt('days', { description: 'Tenor, days.' }),
    atmIv: t.field({ type: 'Float', nullable: true, description: 'ATM IV at this tenor, percent; null outside the fitted expiries.', resolve: (c) => c.iv }),
    note: t.exposeString('note', { description: 'Which expiries it comes from, or why it is null.' }),
  }),
});

OptionsButterflyViolationRef.implement({
  description: 'Butterfly arbitrage on one fitted expiry: the Gatheral density g(k) is negative somewhere in the fitted range.',
  fields: (t) => ({
    expiry: t.field({ type: 'DateTime', description: 'The expiry.', resolve: (v) => v.expiry }),
    logMoneyness: t.exposeFloat('logMoneyness', { description: 'Where g(k) is lowest.' }),
    g: t.exposeFloat('g', { description: 'g(k) there (negative).' }),
    points: t.exposeInt('points', { description: 'Grid points (step 0.01 in k) with g below 0.' }),
  }),
});

OptionsCalendarViolationRef.implement({
  description: 'Calendar arbitrage between two consecutive fitted expiries: total variance falls with expiry at some log-moneyness both fits cover.',
  fields: (t) => ({
    nearExpiry: t.field({ type: 'DateTime', description: 'The nearer expiry.', resolve: (v) => v.nearExpiry }),
    farExpiry: t.field({ type: 'DateTime', description: 'The farther expiry.', resolve: (v) => v.farExpiry }),
    logMoneyness: t.exposeFloat('logMoneyness', { description: 'Where w(far) − w(near) is lowest.' }),
    totalVarianceGap: t.exposeFloat('totalVarianceGap', { description: 'w(far) − w(near) there (negative), total variance.' }),
    points: t.exposeInt('points', { description: 'Grid points (step 0.01 in k) where the far total variance is below the near one.' }),
  }),
});

OptionsArbitrageReportRef.implement({
  description: 'Static-arbitrage checks of the fitted surface within the quoted ranges: butterfly (g(k) ≥ 0 per expiry) and calendar (total variance non-decreasing in expiry). Reported, never repaired.',
  fields: (t) => ({
    arbitrageFree: t.exposeBoolean('arbitrageFree', { description: 'True when no check found a violation.' }),
    butterfly: t.field({ type: [OptionsButterflyViolationRef], description: 'Expiries with butterfly arbitrage.', resolve: (a) => a.butterfly }),
    calendar: t.field({ type: [OptionsCalendarViolationRef], description: 'Consecutive expiry pairs with calendar arbitrage.', resolve: (a) => a.calendar }),
    expiriesChecked: t.exposeInt('expiriesChecked', { description: 'Fitted expiries checked for butterfly arbitrage.' }),
    pairsChecked: t.exposeInt('pairsChecked', { description: 'Consecutive fitted pairs with an overlapping range checked for calendar arbitrage.' }),
    note: t.exposeString('note', { description: 'Plain-language summary.' }),
  }),
});

OptionsVarianceContributionRef.implement({
  description: 'One strike of the volatility index sum of one expiry.',
  fields: (t) => ({
    strike: t.exposeFloat('strike', { description: 'Strike K, USD.' }),
    option: t.field({ type: OptionsIndexOptionEnum, description: 'Which option prices it.', resolve: (c) => c.option }),
    midUsd: t.exposeFloat('midUsd', { description: 'Q(K): mid quote (bid + ask)/2 in the coin times the quote underlying price, USD.' }),
    deltaK: t.exposeFloat('deltaK', { description: 'ΔK: half the distance between the neighbouring selected strikes (one-sided at the ends), USD.' }),
    contribution: t.exposeFloat('contribution', { description: 'ΔK/K² · e^{RT} · Q(K).' }),
  }),
});

OptionsVarianceTermRef.implement({
  description: 'One expiry of the volatility index: forward from put-call parity, K0, the selected out-of-the-money options and the variance σ² = (2/T) Σ ΔK/K² e^{RT} Q(K) − (1/T)(F/K0 − 1)².',
  fields: (t) => ({
    expiry: t.field({ type: 'DateTime', description: 'The expiry.', resolve: (v) => v.expiry }),
    daysToExpiry: t.exposeFloat('daysToExpiry', { description: 'Days to expiry.' }),
    timeToExpiry: t.exposeFloat('timeToExpiry', { description: 'T, years (365-day year).' }),
    parityStrike: t.exposeFloat('parityStrike', { description: 'Strike where |call mid − put mid| is smallest, USD.' }),
    callMinusPut: t.exposeFloat('callMinusPut', { description: 'Call mid − put mid at parityStrike, USD.' }),
    forward: t.exposeFloat('forward', { description: 'F = parityStrike + e^{RT}(call − put), USD.' }),
    k0: t.exposeFloat('k0', { description: 'K0: the first listed strike at or below F.' }),
    puts: t.exposeInt('puts', { description: 'Puts used (below K0, stopping after two consecutive strikes without a bid).' }),
    calls: t.exposeInt('calls', { description: 'Calls used (above K0, same rule).' }),
    contributionSum: t.exposeFloat('contributionSum', { description: 'Σ ΔK/K² · e^{RT} · Q(K) over the selected strikes.' }),
    forwardAdjustment: t.exposeFloat('forwardAdjustment', { description: '(1/T)(F/K0 − 1)².' }),
    variance: t.exposeFloat('variance', { description: 'σ² of this expiry, annualised.' }),
    modelFreeIv: t.field({ type: 'Float', nullable: true, description: '100·sqrt(σ²): the model-free implied volatility of this expiry, percent; null when σ² ≤ 0.', resolve: (v) => v.volatility }),
    contributions: t.field({ type: [OptionsVarianceContributionRef], description: 'The selected strikes, ascending.', resolve: (v) => v.contributions }),
  }),
});

OptionsVolatilityIndexRef.implement({
  description:
    'A 30-day volatility index computed from the chain by the Cboe VIX white paper variance-swap method (the method Deribit DVOL follows): σ² of the expiries bracketing 30 days, interpolated to 30 days. Option prices converted from the coin to USD with the underlying, R = 0. Deribit DVOL beside it when the source provides it, never in its place.',
  fields: (t) => ({
    value: t.exposeFloat('value', { nullable: true, description: 'Index value: annualised 30-day volatility in vol points (80 = 80 %); null when no expiry lies on one side of 30 days (note says why).' }),
    method: t.exposeString('method', { description: 'The method followed.' }),
    targetDays: t.exposeInt('targetDays', { description: 'Horizon, days (30).' }),
    riskFreeRate: t.field({ type: 'Float', description: 'R of e^{RT}, a continuously compounded annual fraction (0 by default).', resolve: (v) => v.rate }),
    nearTerm: t.field({ type: OptionsVarianceTermRef, nullable: true, description: 'The last expiry at or before 30 days.', resolve: (v) => v.nearTerm }),
    nextTerm: t.field({ type: OptionsVarianceTermRef, nullable: true, description: 'The first expiry after 30 days.', resolve: (v) => v.nextTerm }),
    nearWeight: t.exposeFloat('nearWeight', { nullable: true, description: 'Weight of the near term in the 30-day interpolation, (N2 − N30)/(N2 − N1); the next term has 1 − nearWeight.' }),
    dvol: t.exposeFloat('dvol', { nullable: true, description: 'Deribit DVOL (vol points) when the source provides it; null otherwise (dvolNote says why).' }),
    dvolTime: t.field({ type: 'DateTime', nullable: true, description: 'Time of that DVOL value.', resolve: (v) => v.dvolTime }),
    differenceFromDvol: t.exposeFloat('differenceFromDvol', { nullable: true, description: 'value − dvol, vol points; null without both.' }),
    dvolNote: t.exposeString('dvolNote', { description: 'Where the DVOL came from, or why there is none.' }),
    note: t.exposeString('note', { description: 'The expiries and option counts used, or why the value is null.' }),
  }),
});

OptionsStrikeActivityRef.implement({
  description: 'Open interest and 24 h volume at one strike, every expiry summed.',
  fields: (t) => ({
    strike: t.exposeFloat('strike', { description: 'Strike, USD.' }),
    callOpenInterest: t.exposeFloat('callOpenInterest', { description: 'Call open interest, contracts.' }),
    putOpenInterest: t.exposeFloat('putOpenInterest', { description: 'Put open interest, contracts.' }),
    callVolume: t.exposeFloat('callVolume', { description: 'Call 24 h volume, contracts.' }),
    putVolume: t.exposeFloat('putVolume', { description: 'Put 24 h volume, contracts.' }),
  }),
});

OptionsTenorChangeRef.implement({
  description: 'Change of the ATM IV at one constant-maturity tenor.',
  fields: (t) => ({
    days: t.exposeInt('days', { description: 'Tenor, days.' }),
    currentIv: t.field({ type: 'Float', nullable: true, description: 'ATM IV now, percent.', resolve: (c) => c.current }),
    pastIv: t.field({ type: 'Float', nullable: true, description: 'ATM IV of the earlier result, percent; null without one.', resolve: (c) => c.past }),
    change: t.exposeFloat('change', { nullable: true, description: 'currentIv − pastIv, vol points; null without both.' }),
  }),
});

OptionsAtmVolChangeRef.implement({
  description: 'How the ATM term structure and the volatility index moved against a stored result of 1 day, 1 week or 1 month earlier.',
  fields: (t) => ({
    lag: t.field({ type: OptionsChangeLagEnum, description: 'How far back.', resolve: (c) => c.lag }),
    pastTime: t.field({ type: 'DateTime', nullable: true, description: 'Chain time of the stored result compared with; null when none was stored near that time.', resolve: (c) => c.pastTime }),
    tenors: t.field({ type: [OptionsTenorChangeRef], description: 'One change per constant-maturity tenor.', resolve: (c) => c.tenors }),
    volatilityIndexChange: t.exposeFloat('volatilityIndexChange', { nullable: true, description: 'Change of the volatility index, vol points; null without both values.' }),
    note: t.exposeString('note', { description: 'Which result it compares with, or why there is none.' }),
  }),
});

OptionsSurfaceRef.implement({
  description: 'Implied volatility surface of one currency option chain (Deribit): raw SVI per expiry with fit errors, IV by strike and by delta, skew, ATM term structure and its changes, arbitrage checks, open interest and volume, and a 30-day volatility index.',
  fields: (t) => ({
    currency: t.exposeString('currency', { description: 'Option currency, e.g. BTC.' }),
    time: t.field({ type: 'DateTime', description: 'Time of the options chain.', resolve: (s) => s.time }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'No unexpired option with a mark IV: every figure is empty.' }),
    spot: t.exposeFloat('spot', { description: 'The currency USD index price.' }),
    expiries: t.field({ type: [OptionsSurfaceExpiryRef], description: 'Expiries at least 1 hour out, soonest first.', resolve: (s) => s.expiries }),
    termStructure: t.field({ type: [OptionsAtmTenorRef], description: 'ATM IV at 7, 30, 60, 90 and 180 days.', resolve: (s) => s.termStructure }),
    arbitrage: t.field({ type: OptionsArbitrageReportRef, description: 'Butterfly and calendar arbitrage checks of the fitted surface.', resolve: (s) => s.arbitrage }),
    volatilityIndex: t.field({ type: OptionsVolatilityIndexRef, description: 'The 30-day volatility index.', resolve: (s) => s.volatilityIndex }),
    activityByStrike: t.field({ type: [OptionsStrikeActivityRef], description: 'Open interest and volume per strike, every expiry summed, ascending.', resolve: (s) => s.activityByStrike }),
    atmChanges: t.field({
      type: [OptionsAtmVolChangeRef],
      description: 'Change of the ATM term structure and the volatility index vs 1 day, 1 week and 1 month earlier, from the stored results (snapshots) of this analysis; each null with the reason when none was stored then.',
      resolve: (s, _args, ctx) => changesOf(ctx, s),
    }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (s) => s.meta }),
  }),
});

// --- Queries ---

builder.queryField('optionsSurface', (t) =>
  t.field({
    type: OptionsSurfaceRef,
    nullable: true,
    description: 'Implied volatility surface and 30-day volatility index of one option currency (BTC, ETH). With `at`: the newest stored result at or before that time (NOT_FOUND when none). Not financial advice.',
    args: {
      currency: t.arg.string({ required: true, defaultValue: 'BTC', description: 'Option currency, e.g. BTC or ETH.' }),
      at: t.arg({ type: 'DateTime', description: 'Serve the stored result (snapshot) at or before this time instead of the latest; must not be in the future.' }),
    },
    resolve: async (_root, args, ctx) => {
      if (args.at != null) {
        // A past surface comes from the stored results alone: no raw-chain archive exists to recompute it.
        const raw = args.currency.trim().toUpperCase();
        if (!/^[A-Z0-9]{2,10}$/.test(raw)) throw badInput(`"${args.currency}" is not an option currency (e.g. BTC, ETH)`, { currency: args.currency });
        return storedAt(ctx, raw, args.at);
      }
      const key = requireCurrency(ctx, args.currency);
      return withMeta<OptionsSurfaceAnalysis>(ctx, await requireLatest(ctx, KIND, key));
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('optionsSurfaceUpdated', (t) =>
  t.field({
    type: OptionsSurfaceRef,
    description: 'The options surface of one currency each time its chain is recomputed.',
    args: { currency: t.arg.string({ description: 'Option currency, e.g. BTC or ETH.', required: true, defaultValue: 'BTC' }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, KIND, requireCurrency(ctx, args.currency)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<OptionsSurfaceAnalysis>(ctx, record),
  }),
);
