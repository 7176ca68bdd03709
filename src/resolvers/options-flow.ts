import { DEFAULT_DEALER_POSITIONING } from '../analyzers/options-flow.js';
import type { OptionsFlowAnalysis } from '../analyzers/options-flow.types.js';
import type { GraphQLContext } from '../context.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { OptionsFlowParams } from '../engine/definitions/options-flow.js';
import { badInput } from '../errors.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, FactorRef } from '../schema/refs.js';
import {
  DealerPositioningEnum,
  OptionsExpiryFlowRef,
  OptionsFlowRef,
  OptionsGammaExposureRef,
  OptionsGammaSqueezeRef,
  OptionsGexStrikeRef,
  OptionsPutCallRef,
  OptionsTermStructureRef,
  OptionsTermStructureShapeEnum,
} from '../schema/refs-options-flow.js';
import { requireLatest, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

/**
 * The option currency key (`BTC`, `ETH`). Where this instance ingests data and holds chains, an unknown
 * currency is BAD_USER_INPUT naming the currencies whose chains it holds; before any chain arrived, or
 * on instances that ingest nothing (ROLE=api), a well-formed key without a result becomes NOT_READY.
 */
export function requireCurrency(ctx: GraphQLContext, raw: string): string {
  const key = raw.trim().toUpperCase();
  if (!/^[A-Z0-9]{2,10}$/.test(key)) throw badInput(`"${raw}" is not an option currency (e.g. BTC, ETH)`, { currency: raw });
  const global = ctx.services.globalData();
  // Before the first chain arrives every currency is unknown: leave that to NOT_READY (requireLatest).
  const known = global ? [...global.global.options.keys()].sort() : [];
  if (known.length > 0 && !known.includes(key)) {
    throw badInput(`No options chain for currency "${raw}". Known option currencies: ${known.join(', ')}`, { currency: raw, known });
  }
  return key;
}

// --- Types ---

OptionsPutCallRef.implement({
  description: 'Put/call ratios by open interest and by 24 h volume (contracts), with the premium traded in USD.',
  fields: (t) => ({
    callOpenInterest: t.exposeFloat('callOpenInterest', { description: 'Contracts.' }),
    putOpenInterest: t.exposeFloat('putOpenInterest', { description: 'Contracts.' }),
    callVolume: t.exposeFloat('callVolume', { description: '24 h volume, contracts.' }),
    putVolume: t.exposeFloat('putVolume', { description: '24 h volume, contracts.' }),
    openInterestRatio: t.exposeFloat('openInterestRatio', { nullable: true, description: 'Put OI / call OI; null without call OI. > 1 = more puts open.' }),
    volumeRatio: t.exposeFloat('volumeRatio', { nullable: true, description: 'Put volume / call volume (24 h); null when no call traded.' }),
    callPremiumVolumeUsd: t.exposeFloat('callPremiumVolumeUsd', { description: 'Σ 24 h volume × mark premium (USD): an estimate of call premium traded.' }),
    putPremiumVolumeUsd: t.exposeFloat('putPremiumVolumeUsd', { description: 'Σ 24 h volume × mark premium (USD) of puts.' }),
  }),
});

OptionsExpiryFlowRef.implement({
  description: 'One expiry: put/call, max pain, ATM IV, 25-delta skew and its dealer gamma. IVs in percent, skews in vol points.',
  fields: (t) => ({
    expiry: t.field({ description: 'Expiry time.', type: 'DateTime', resolve: (e) => e.expiry }),
    daysToExpiry: t.exposeFloat('daysToExpiry', { description: 'Days from the chain time to expiry (fractional).' }),
    forward: t.exposeFloat('forward', { description: 'Mean underlying (forward) price of the expiry, USD.' }),
    putCall: t.field({ description: 'Put/call ratios of this expiry.', type: OptionsPutCallRef, resolve: (e) => e.putCall }),
    maxPain: t.exposeFloat('maxPain', { nullable: true, description: 'Listed strike (USD) at which holders receive the least intrinsic value at expiry; null without OI.' }),
    maxPainPayoutUsd: t.exposeFloat('maxPainPayoutUsd', { nullable: true, description: 'USD paid to holders if the expiry settles at maxPain.' }),
    maxPainDistancePct: t.exposeFloat('maxPainDistancePct', { nullable: true, description: '(maxPain / spot − 1) × 100, percent.' }),
    atmIv: t.exposeFloat('atmIv', { nullable: true, description: 'ATM implied volatility (percent), interpolated in ln(K/F) at the forward.' }),
    iv25Call: t.exposeFloat('iv25Call', { nullable: true, description: 'IV of the 25-delta call (percent), interpolated by delta; null when the strikes do not bracket it.' }),
    iv25Put: t.exposeFloat('iv25Put', { nullable: true, description: 'IV of the 25-delta put (percent).' }),
    riskReversal25: t.exposeFloat('riskReversal25', { nullable: true, description: 'iv25Call − iv25Put (vol points): negative = puts bid over calls.' }),
    butterfly25: t.exposeFloat('butterfly25', { nullable: true, description: '(iv25Call + iv25Put)/2 − atmIv (vol points): the smile\'s curvature.' }),
    gexUsd: t.exposeFloat('gexUsd', { description: 'Dealer gamma exposure of this expiry, USD per 1 % move.' }),
    note: t.exposeString('note', { description: '"complete", or why a value is null.' }),
  }),
});

OptionsTermStructureRef.implement({
  description: 'ATM IV from the front expiry (at least 1 day out) to the back expiry.',
  fields: (t) => ({
    shape: t.field({ description: 'CONTANGO, FLAT or BACKWARDATION; null without two expiries.', type: OptionsTermStructureShapeEnum, nullable: true, resolve: (s) => s.shape }),
    frontExpiry: t.field({ description: 'Front expiry (the first at least 1 day out).', type: 'DateTime', nullable: true, resolve: (s) => s.frontExpiry }),
    frontAtmIv: t.exposeFloat('frontAtmIv', { description: 'ATM IV of the front expiry, percent (50 = 50 %); null without one.', nullable: true }),
    backExpiry: t.field({ description: 'Back (last) expiry.', type: 'DateTime', nullable: true, resolve: (s) => s.backExpiry }),
    backAtmIv: t.exposeFloat('backAtmIv', { description: 'ATM IV of the back expiry, percent (50 = 50 %); null without one.', nullable: true }),
    slope: t.exposeFloat('slope', { nullable: true, description: 'backAtmIv − frontAtmIv, vol points.' }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
  }),
});

OptionsGexStrikeRef.implement({
  description: 'Dealer gamma exposure at one strike (all expiries), USD per 1 % move, signed by the dealer positioning.',
  fields: (t) => ({
    strike: t.exposeFloat('strike', { description: 'Strike price (USD).' }),
    callOpenInterest: t.exposeFloat('callOpenInterest', { description: 'Call open interest at this strike, contracts.' }),
    putOpenInterest: t.exposeFloat('putOpenInterest', { description: 'Put open interest at this strike, contracts.' }),
    callGexUsd: t.exposeFloat('callGexUsd', { description: 'Dealer gamma of the calls / puts at this strike, USD per 1 % move, signed by the positioning.' }),
    putGexUsd: t.exposeFloat('putGexUsd', { description: 'Dealer gamma of the puts at this strike, USD per 1 % move, signed by the positioning.' }),
    netGexUsd: t.exposeFloat('netGexUsd', { description: 'callGexUsd + putGexUsd, USD per 1 % move.' }),
  }),
});

OptionsGammaExposureRef.implement({
  description:
    'Dealer gamma exposure (GEX) = Σ sign · Γ · OI · contractSize · spot² · 0.01: the USD of underlying dealers must trade per 1 % move of spot to stay delta-hedged. Positive: they trade against moves (dampening); negative: with them (amplifying).',
  fields: (t) => ({
    dealerPositioning: t.field({ description: 'Sign convention used for dealer gamma.', type: DealerPositioningEnum, resolve: (g) => g.dealerPositioning }),
    totalUsd: t.exposeFloat('totalUsd', { description: 'USD per 1 % move, every strike and expiry.' }),
    grossUsd: t.exposeFloat('grossUsd', { description: 'Σ |GEX|, the scale to read totalUsd against.' }),
    byStrike: t.field({ type: [OptionsGexStrikeRef], description: 'Strikes within ±25 % of spot, ascending.', resolve: (g) => g.byStrike }),
    zeroGammaLevel: t.exposeFloat('zeroGammaLevel', {
      nullable: true,
      description: 'Spot at which total dealer GEX changes sign (each option keeping its IV), the crossing nearest spot within ±30 %; null when GEX keeps its sign.',
    }),
    callWall: t.exposeFloat('callWall', { nullable: true, description: 'Strike with the largest call gamma exposure (|Γ|·OI·S²·1 %).' }),
    putWall: t.exposeFloat('putWall', { nullable: true, description: 'Strike with the largest put gamma exposure.' }),
    greeksComputed: t.exposeInt('greeksComputed', { description: 'Quotes whose delta/gamma were computed with Black-76 from their mark IV.' }),
    quotesWithoutGamma: t.exposeInt('quotesWithoutGamma', { description: 'Quotes left out of GEX (no IV, no gamma).' }),
  }),
});

OptionsGammaSqueezeRef.implement({
  description: 'Upside gamma-squeeze setup: dealers short gamma, spot approaching the call wall, calls turning over faster than puts.',
  fields: (t) => ({
    detected: t.exposeBoolean('detected', { description: 'Dealer GEX < 0 and confidence ≥ 0.6.' }),
    confidence: t.exposeFloat('confidence', { description: '0..1 = Σ factor contributions.' }),
    note: t.exposeString('note', { description: 'Plain-language reading of the values, or why some are null.' }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (s) => s.factors }),
  }),
});

OptionsFlowRef.implement({
  description: 'Options flow of one currency\'s chain (Deribit): put/call ratios, max pain, IV term structure and skew, dealer gamma exposure, gamma-squeeze check.',
  fields: (t) => ({
    currency: t.exposeString('currency', { description: 'Option currency, e.g. BTC.' }),
    time: t.field({ type: 'DateTime', description: 'Time of the options chain.', resolve: (a) => a.time }),
    warmingUp: t.exposeBoolean('warmingUp', { description: 'No unexpired option with open interest: figures are empty.' }),
    spot: t.exposeFloat('spot', { description: 'The currency\'s USD index price.' }),
    putCall: t.field({ type: OptionsPutCallRef, description: 'All unexpired options.', resolve: (a) => a.putCall }),
    expiries: t.field({ type: [OptionsExpiryFlowRef], description: 'Soonest first.', resolve: (a) => a.expiries }),
    termStructure: t.field({ description: 'ATM IV term structure.', type: OptionsTermStructureRef, resolve: (a) => a.termStructure }),
    gex: t.field({ description: 'Dealer gamma exposure across the chain.', type: OptionsGammaExposureRef, resolve: (a) => a.gex }),
    gammaSqueeze: t.field({ description: 'Upside gamma-squeeze check.', type: OptionsGammaSqueezeRef, resolve: (a) => a.gammaSqueeze }),
    factors: t.field({ type: [FactorRef], description: 'The gamma-squeeze factors.', resolve: (a) => a.factors }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

// --- Queries ---

builder.queryField('optionsFlow', (t) =>
  t.field({
    type: OptionsFlowRef,
    nullable: true,
    description: 'Options flow of one option currency (BTC, ETH). Not financial advice.',
    args: {
      currency: t.arg.string({ required: true, defaultValue: 'BTC', description: 'Option currency, e.g. BTC or ETH.' }),
      dealerPositioning: t.arg({
        type: DealerPositioningEnum,
        required: true,
        defaultValue: DEFAULT_DEALER_POSITIONING,
        description: `Sign convention of dealer gamma; default ${DEFAULT_DEALER_POSITIONING} (SqueezeMetrics/SpotGamma).`,
      }),
    },
    resolve: async (_root, args, ctx) => {
      const key = requireCurrency(ctx, args.currency);
      if (args.dealerPositioning === DEFAULT_DEALER_POSITIONING) return withMeta<OptionsFlowAnalysis>(ctx, await requireLatest(ctx, 'OPTIONS_FLOW', key));
      const params: OptionsFlowParams = { dealerPositioning: args.dealerPositioning };
      const record = await requireLatestWith(ctx, 'OPTIONS_FLOW', key, { ...params }, `OPTIONS_FLOW for ${key} with these arguments is not available: no options chain received yet, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return withMeta<OptionsFlowAnalysis>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('optionsFlowUpdated', (t) =>
  t.field({
    type: OptionsFlowRef,
    description: 'The options flow of one currency each time its chain is recomputed (default dealer positioning).',
    args: { currency: t.arg.string({ description: 'Underlying currency, e.g. BTC or ETH.', required: true, defaultValue: 'BTC' }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'OPTIONS_FLOW', requireCurrency(ctx, args.currency)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<OptionsFlowAnalysis>(ctx, record),
  }),
);
