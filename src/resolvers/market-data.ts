import { z } from 'zod';
import type { FearGreed, GlobalMarket, MarketEventType } from '../domain/market.js';
import { AppError, ErrorCodes } from '../errors.js';
import { staleAfterMs } from '../engine/freshness.js';
import type { GraphQLContext } from '../context.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, MarketRef } from '../schema/refs.js';
import type { AnalysisMeta } from '../schema/refs.js';
import {
  BasisPointRef,
  BookTickerRef,
  CandleRef,
  FearGreedRef,
  FundingSettlementRef,
  GlobalMarketRef,
  LiquidationRef,
  LongShortRatioRef,
  MarketDataRef,
  OpenInterestPointRef,
  OptionQuoteRef,
  OptionsChainRef,
  OrderBookRef,
  PriceLevelRef,
  SpotPriceRef,
  TakerVolumeRef,
  Ticker24hRef,
  TradeRef,
} from '../schema/refs-market-data.js';
import { CandleIntervalEnum, LongShortKindEnum, OptionKindEnum, TradeSideEnum } from '../schema/enums.js';

/** Raw inputs are exposed as their venue published them, with provenance; analyses build on them. */

const RAW_METHODOLOGY = 'raw';
const MAX_ITEMS = 1000;
const limitArg = z.number().int().min(1, 'limit must be at least 1').max(MAX_ITEMS, `limit must be at most ${MAX_ITEMS}`).nullish();

function requireData(ctx: GraphQLContext, symbol: string) {
  const data = ctx.services.marketData(symbol);
  if (!data) {
    throw new AppError(ErrorCodes.NOT_READY, 'Raw market data is served by instances that ingest it (ROLE=all); this one only serves analyses', {
      symbol,
    });
  }
  return data;
}

function rawMeta(ctx: GraphQLContext, origin: AnalysisMeta['source'], venue: string, type: MarketEventType, asOf: number | undefined): AnalysisMeta {
  const time = asOf ?? 0;
  const ageMs = Math.max(0, ctx.services.now() - time);
  return {
    source: origin,
    venue,
    asOf: time,
    ageMs,
    stale: asOf === undefined || ageMs > staleAfterMs(type, ctx.services.staleAfterMs),
    methodologyVersion: RAW_METHODOLOGY,
  };
}

// --- Object types ---

TradeRef.implement({
  description: 'One (aggregated) trade; side is the taker side.',
  fields: (t) => ({
    id: t.exposeFloat('id'),
    price: t.exposeFloat('price'),
    qty: t.exposeFloat('qty'),
    side: t.field({ type: TradeSideEnum, resolve: (x) => x.side }),
    time: t.field({ type: 'DateTime', resolve: (x) => x.time }),
  }),
});

CandleRef.implement({
  fields: (t) => ({
    interval: t.field({ type: CandleIntervalEnum, resolve: (c) => c.interval }),
    openTime: t.field({ type: 'DateTime', resolve: (c) => c.openTime }),
    closeTime: t.field({ type: 'DateTime', resolve: (c) => c.closeTime }),
    open: t.exposeFloat('open'),
    high: t.exposeFloat('high'),
    low: t.exposeFloat('low'),
    close: t.exposeFloat('close'),
    volume: t.exposeFloat('volume', { description: 'Base-asset volume.' }),
    quoteVolume: t.exposeFloat('quoteVolume'),
    takerBuyVolume: t.exposeFloat('takerBuyVolume'),
    trades: t.exposeInt('trades'),
    closed: t.exposeBoolean('closed', { description: 'False while the candle is still forming.' }),
  }),
});

FundingSettlementRef.implement({
  fields: (t) => ({
    rate: t.exposeFloat('rate', { description: 'Raw fraction per interval.' }),
    fundingTime: t.field({ type: 'DateTime', resolve: (f) => f.fundingTime }),
    markPrice: t.exposeFloat('markPrice', { nullable: true }),
  }),
});

OpenInterestPointRef.implement({
  fields: (t) => ({
    openInterest: t.exposeFloat('openInterest', { description: 'Contracts (base asset).' }),
    openInterestValue: t.exposeFloat('openInterestValue', { nullable: true, description: 'Quote currency (USD).' }),
    time: t.field({ type: 'DateTime', resolve: (x) => x.time }),
  }),
});

LongShortRatioRef.implement({
  fields: (t) => ({
    kind: t.field({ type: LongShortKindEnum, resolve: (x) => x.kind }),
    period: t.exposeString('period'),
    longShortRatio: t.exposeFloat('longShortRatio'),
    longShare: t.exposeFloat('longShare'),
    shortShare: t.exposeFloat('shortShare'),
    time: t.field({ type: 'DateTime', resolve: (x) => x.time }),
  }),
});

TakerVolumeRef.implement({
  fields: (t) => ({
    period: t.exposeString('period'),
    buyVolume: t.exposeFloat('buyVolume'),
    sellVolume: t.exposeFloat('sellVolume'),
    buySellRatio: t.exposeFloat('buySellRatio'),
    time: t.field({ type: 'DateTime', resolve: (x) => x.time }),
  }),
});

BasisPointRef.implement({
  fields: (t) => ({
    period: t.exposeString('period'),
    futuresPrice: t.exposeFloat('futuresPrice'),
    indexPrice: t.exposeFloat('indexPrice'),
    basis: t.exposeFloat('basis'),
    basisRate: t.exposeFloat('basisRate'),
    time: t.field({ type: 'DateTime', resolve: (x) => x.time }),
  }),
});

Ticker24hRef.implement({
  fields: (t) => ({
    lastPrice: t.exposeFloat('lastPrice'),
    priceChangePercent: t.exposeFloat('priceChangePercent'),
    highPrice: t.exposeFloat('highPrice'),
    lowPrice: t.exposeFloat('lowPrice'),
    volume: t.exposeFloat('volume'),
    quoteVolume: t.exposeFloat('quoteVolume'),
    time: t.field({ type: 'DateTime', resolve: (x) => x.time }),
  }),
});

LiquidationRef.implement({
  description: 'A forced liquidation. side is the liquidation order side: SELL closes a long.',
  fields: (t) => ({
    side: t.field({ type: TradeSideEnum, resolve: (x) => x.side }),
    liquidatedSide: t.exposeString('liquidatedSide'),
    price: t.exposeFloat('price'),
    averagePrice: t.exposeFloat('averagePrice'),
    qty: t.exposeFloat('qty'),
    notional: t.exposeFloat('notional'),
    time: t.field({ type: 'DateTime', resolve: (x) => x.time }),
    complete: t.exposeBoolean('complete', { description: 'False when the feed only samples liquidations (Binance: one per symbol per second).' }),
  }),
});

BookTickerRef.implement({
  fields: (t) => ({
    bidPrice: t.exposeFloat('bidPrice'),
    bidQty: t.exposeFloat('bidQty'),
    askPrice: t.exposeFloat('askPrice'),
    askQty: t.exposeFloat('askQty'),
    time: t.field({ type: 'DateTime', resolve: (x) => x.time }),
  }),
});

PriceLevelRef.implement({
  fields: (t) => ({ price: t.float({ resolve: (l) => l[0] }), qty: t.float({ resolve: (l) => l[1] }) }),
});

OrderBookRef.implement({
  fields: (t) => ({
    bids: t.field({ type: [PriceLevelRef], resolve: (b) => b.bids }),
    asks: t.field({ type: [PriceLevelRef], resolve: (b) => b.asks }),
    time: t.field({ type: 'DateTime', resolve: (b) => b.time }),
  }),
});

SpotPriceRef.implement({
  fields: (t) => ({ price: t.exposeFloat('price'), time: t.field({ type: 'DateTime', resolve: (x) => x.time }) }),
});

MarketDataRef.implement({
  description:
    'The raw inputs this instance holds for one market (bounded history), as the venue published them. Lists are oldest first; limit 1..1000 (default 100).',
  fields: (t) => ({
    meta: t.field({
      type: AnalysisMetaRef,
      description: 'Provenance of the newest input of any kind.',
      resolve: ({ symbol }, _args, ctx) => {
        const d = requireData(ctx, symbol);
        return rawMeta(ctx, d.origin, d.venue, 'trade', d.market.updatedAt ?? undefined);
      },
    }),
    inputAges: t.field({
      type: [InputAgeRef],
      description: 'Age and staleness of each input kind received so far.',
      resolve: ({ symbol }, _args, ctx) => {
        const d = requireData(ctx, symbol);
        return [...d.market.updatedAtByType.entries()].map(([type, at]) => ({ type, meta: rawMeta(ctx, d.origin, d.venue, type, at) }));
      },
    }),
    trades: t.field({
      type: [TradeRef],
      args: { limit: t.arg.int({ validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.trades.toArray(args.limit ?? 100),
    }),
    candles: t.field({
      type: [CandleRef],
      args: { interval: t.arg({ type: CandleIntervalEnum, required: true }), limit: t.arg.int({ validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.candles.get(args.interval)?.toArray(args.limit ?? 100) ?? [],
    }),
    fundingHistory: t.field({
      type: [FundingSettlementRef],
      args: { limit: t.arg.int({ validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.funding.toArray(args.limit ?? 100),
    }),
    openInterest: t.field({
      type: [OpenInterestPointRef],
      args: { limit: t.arg.int({ validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.openInterest.toArray(args.limit ?? 100),
    }),
    longShortRatios: t.field({
      type: [LongShortRatioRef],
      args: { kind: t.arg({ type: LongShortKindEnum, required: true }), limit: t.arg.int({ validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.longShort.get(args.kind)?.toArray(args.limit ?? 100) ?? [],
    }),
    takerVolume: t.field({
      type: [TakerVolumeRef],
      args: { limit: t.arg.int({ validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.takerVolume.toArray(args.limit ?? 100),
    }),
    basis: t.field({
      type: [BasisPointRef],
      description: "The venue's own basis statistics (Binance /futures/data/basis).",
      args: { limit: t.arg.int({ validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.basis.toArray(args.limit ?? 100),
    }),
    liquidations: t.field({
      type: [LiquidationRef],
      args: { limit: t.arg.int({ validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.liquidations.toArray(args.limit ?? 100),
    }),
    ticker24h: t.field({ type: Ticker24hRef, nullable: true, resolve: ({ symbol }, _a, ctx) => requireData(ctx, symbol).market.ticker24h }),
    bookTicker: t.field({ type: BookTickerRef, nullable: true, resolve: ({ symbol }, _a, ctx) => requireData(ctx, symbol).market.bookTicker }),
    orderBook: t.field({ type: OrderBookRef, nullable: true, resolve: ({ symbol }, _a, ctx) => requireData(ctx, symbol).market.orderBook }),
    spotPrice: t.field({ type: SpotPriceRef, nullable: true, resolve: ({ symbol }, _a, ctx) => requireData(ctx, symbol).market.spot }),
  }),
});

const InputAgeRef = builder.objectRef<{ type: string; meta: AnalysisMeta }>('InputAge').implement({
  fields: (t) => ({
    type: t.exposeString('type', { description: 'Input kind, e.g. trade, markPrice, openInterest.' }),
    meta: t.field({ type: AnalysisMetaRef, resolve: (x) => x.meta }),
  }),
});

OptionQuoteRef.implement({
  fields: (t) => ({
    instrument: t.exposeString('instrument'),
    kind: t.field({ type: OptionKindEnum, resolve: (q) => q.kind }),
    strike: t.exposeFloat('strike'),
    expiry: t.field({ type: 'DateTime', resolve: (q) => q.expiry }),
    markPrice: t.exposeFloat('markPrice', { description: 'In the base coin, as Deribit quotes it.' }),
    markPriceUsd: t.exposeFloat('markPriceUsd'),
    markIv: t.exposeFloat('markIv', { nullable: true, description: 'Percent.' }),
    bidIv: t.exposeFloat('bidIv', { nullable: true }),
    askIv: t.exposeFloat('askIv', { nullable: true }),
    openInterest: t.exposeFloat('openInterest'),
    volume: t.exposeFloat('volume'),
    underlyingPrice: t.exposeFloat('underlyingPrice'),
    delta: t.exposeFloat('delta', { nullable: true }),
    gamma: t.exposeFloat('gamma', { nullable: true }),
    vega: t.exposeFloat('vega', { nullable: true }),
    theta: t.exposeFloat('theta', { nullable: true }),
  }),
});

OptionsChainRef.implement({
  fields: (t) => ({
    currency: t.exposeString('currency'),
    indexPrice: t.exposeFloat('indexPrice'),
    quotes: t.field({ type: [OptionQuoteRef], resolve: (c) => c.quotes }),
    meta: t.field({ type: AnalysisMetaRef, resolve: (c) => c.meta }),
  }),
});

FearGreedRef.implement({
  fields: (t) => ({
    value: t.exposeFloat('value'),
    classification: t.exposeString('classification'),
    time: t.field({ type: 'DateTime', resolve: (x) => x.time }),
  }),
});

GlobalMarketRef.implement({
  fields: (t) => ({
    totalMarketCapUsd: t.exposeFloat('totalMarketCapUsd'),
    totalVolumeUsd: t.exposeFloat('totalVolumeUsd'),
    btcDominance: t.exposeFloat('btcDominance', { description: 'Percent.' }),
    ethDominance: t.exposeFloat('ethDominance', { description: 'Percent.' }),
    marketCapChange24hPct: t.exposeFloat('marketCapChange24hPct'),
    time: t.field({ type: 'DateTime', resolve: (x) => x.time }),
  }),
});

const FearGreedIndexRef = builder
  .objectRef<{ latest: FearGreed; history: FearGreed[]; meta: AnalysisMeta }>('FearGreedIndex')
  .implement({
    description: 'Crypto Fear & Greed index (alternative.me when live), 0 = extreme fear, 100 = extreme greed.',
    fields: (t) => ({
      latest: t.field({ type: FearGreedRef, resolve: (x) => x.latest }),
      history: t.field({ type: [FearGreedRef], description: 'Daily values, oldest first.', resolve: (x) => x.history }),
      meta: t.field({ type: AnalysisMetaRef, resolve: (x) => x.meta }),
    }),
  });

const GlobalMarketDataRef = builder
  .objectRef<{ value: GlobalMarket; meta: AnalysisMeta }>('GlobalMarketData')
  .implement({
    fields: (t) => ({
      value: t.field({ type: GlobalMarketRef, resolve: (x) => x.value }),
      meta: t.field({ type: AnalysisMetaRef, resolve: (x) => x.meta }),
    }),
  });

builder.objectField(MarketRef, 'data', (t) =>
  t.field({ type: MarketDataRef, description: 'Raw inputs of this market.', resolve: (m) => ({ symbol: m.symbol }) }),
);

// --- Queries ---

function requireGlobal(ctx: GraphQLContext) {
  const data = ctx.services.globalData();
  if (!data) throw new AppError(ErrorCodes.NOT_READY, 'Market-wide data is served by instances that ingest it (ROLE=all)');
  return data;
}

builder.queryField('optionsChain', (t) =>
  t.field({
    type: OptionsChainRef,
    nullable: true,
    description: 'The latest options chain of a currency (Deribit when live). Null until one has been received.',
    args: { currency: t.arg.string({ required: true, validate: z.string().regex(/^[A-Za-z]{2,10}$/, 'currency is a coin code like BTC') }) },
    resolve: (_root, args, ctx) => {
      const d = requireGlobal(ctx);
      const chain = d.global.options.get(args.currency.toUpperCase());
      if (!chain) return null;
      return { ...chain, meta: rawMeta(ctx, d.origin, chain.venue, 'optionsChain', chain.time) };
    },
  }),
);

builder.queryField('fearGreed', (t) =>
  t.field({
    type: FearGreedIndexRef,
    nullable: true,
    args: { historyLimit: t.arg.int({ validate: limitArg }) },
    resolve: (_root, args, ctx) => {
      const d = requireGlobal(ctx);
      const latest = d.global.fearGreed.last();
      if (!latest) return null;
      return { latest, history: d.global.fearGreed.toArray(args.historyLimit ?? 30), meta: rawMeta(ctx, d.origin, d.venueFor('fearGreed'), 'fearGreed', latest.time) };
    },
  }),
);

builder.queryField('globalMarket', (t) =>
  t.field({
    type: GlobalMarketDataRef,
    nullable: true,
    description: 'Total crypto market cap and dominance (CoinGecko when live).',
    resolve: (_root, _args, ctx) => {
      const d = requireGlobal(ctx);
      const value = d.global.global;
      return value ? { value, meta: rawMeta(ctx, d.origin, d.venueFor('globalMarket'), 'globalMarket', value.time) } : null;
    },
  }),
);
