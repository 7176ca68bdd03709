import { z } from 'zod';
import type { FearGreed, GlobalMarket, MarketEventType } from '../domain/market.js';
import { AppError, ErrorCodes } from '../errors.js';
import { judgeInput, sampleInput } from '../engine/freshness.js';
import type { GraphQLContext } from '../context.js';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, EventMetaRef, MarketRef } from '../schema/refs.js';
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
  const now = ctx.services.now();
  const input = judgeInput(sampleInput({ type }, asOf ?? null, ctx.services.staleAfterMs), now);
  return {
    source: origin,
    venue,
    asOf: time,
    ageMs: Math.max(0, now - time),
    stale: asOf === undefined || input.overdue,
    methodologyVersion: RAW_METHODOLOGY,
    inputs: [input],
  };
}

// --- Object types ---

TradeRef.implement({
  description: 'One (aggregated) trade; side is the taker side.',
  fields: (t) => ({
    id: t.exposeFloat('id', { description: 'Venue trade id (aggregate trade id on Binance).' }),
    price: t.exposeFloat('price', { description: 'Trade price (quote currency).' }),
    qty: t.exposeFloat('qty', { description: 'Quantity (base asset).' }),
    side: t.field({ description: 'Taker side: BUY when the aggressor bought.', type: TradeSideEnum, resolve: (x) => x.side }),
    time: t.field({ description: 'Trade time.', type: 'DateTime', resolve: (x) => x.time }),
  }),
});

CandleRef.implement({
  description: 'One OHLCV candle (prices in quote currency, volumes in the base asset unless named quote).',
  fields: (t) => ({
    interval: t.field({ description: 'Candle interval.', type: CandleIntervalEnum, resolve: (c) => c.interval }),
    openTime: t.field({ description: 'Open time (start of the candle).', type: 'DateTime', resolve: (c) => c.openTime }),
    closeTime: t.field({ description: 'Close time (last millisecond of the candle).', type: 'DateTime', resolve: (c) => c.closeTime }),
    open: t.exposeFloat('open', { description: 'Open price (first trade of the candle).' }),
    high: t.exposeFloat('high', { description: 'Highest trade price.' }),
    low: t.exposeFloat('low', { description: 'Lowest trade price.' }),
    close: t.exposeFloat('close', { description: 'Close price (last trade of the candle).' }),
    volume: t.exposeFloat('volume', { description: 'Base-asset volume.' }),
    quoteVolume: t.exposeFloat('quoteVolume', {
      nullable: true,
      description: 'Traded volume in quote currency (USD(T)); null when the source does not record it (freqtrade JSON and feather replay files), never 0 for unknown.',
    }),
    takerBuyVolume: t.exposeFloat('takerBuyVolume', { nullable: true, description: 'Base-asset volume bought by takers (aggressive buyers); null when the source does not record it (freqtrade replay files).' }),
    trades: t.exposeInt('trades', { nullable: true, description: 'Number of trades in the candle; null when the source does not record it (freqtrade JSON and feather replay files), never 0 for unknown.' }),
    closed: t.exposeBoolean('closed', { description: 'False while the candle is still forming.' }),
  }),
});

FundingSettlementRef.implement({
  description: 'One settled funding payment.',
  fields: (t) => ({
    rate: t.exposeFloat('rate', { description: 'Raw fraction per interval.' }),
    fundingTime: t.field({ description: 'Settlement time.', type: 'DateTime', resolve: (f) => f.fundingTime }),
    markPrice: t.exposeFloat('markPrice', { description: 'Mark price at settlement (quote currency); null when the venue did not give it.', nullable: true }),
  }),
});

OpenInterestPointRef.implement({
  description: 'Open interest of a perpetual at one time.',
  fields: (t) => ({
    openInterest: t.exposeFloat('openInterest', {
      nullable: true,
      description: 'Contracts (base asset); null when the source reports only the USD value (a replay of Binance daily openInterestHist).',
    }),
    openInterestValue: t.exposeFloat('openInterestValue', { nullable: true, description: 'Quote currency (USD).' }),
    time: t.field({ description: 'When open interest was observed.', type: 'DateTime', resolve: (x) => x.time }),
  }),
});

LongShortRatioRef.implement({
  description: 'One long/short ratio reading over one statistics period.',
  fields: (t) => ({
    kind: t.field({ description: 'Whose positioning: all accounts, top accounts or top positions.', type: LongShortKindEnum, resolve: (x) => x.kind }),
    period: t.exposeString('period', { description: 'Statistics period, e.g. 5m.' }),
    longShortRatio: t.exposeFloat('longShortRatio', { description: 'longShare / shortShare (1 = balanced; 2 = twice as many long).' }),
    longShare: t.exposeFloat('longShare', { description: 'Long share, fraction 0..1 (0.6 = 60 % long); longShare + shortShare = 1.' }),
    shortShare: t.exposeFloat('shortShare', { description: 'Short share, fraction 0..1; longShare + shortShare = 1.' }),
    time: t.field({ description: 'End of the statistics period.', type: 'DateTime', resolve: (x) => x.time }),
  }),
});

TakerVolumeRef.implement({
  description: 'Taker buy vs sell volume over one statistics period (base asset).',
  fields: (t) => ({
    period: t.exposeString('period', { description: 'Statistics period, e.g. 5m.' }),
    buyVolume: t.exposeFloat('buyVolume', { description: 'Volume bought by takers (base asset).' }),
    sellVolume: t.exposeFloat('sellVolume', { description: 'Volume sold by takers (base asset).' }),
    buySellRatio: t.exposeFloat('buySellRatio', { description: 'buyVolume / sellVolume (1 = balanced).' }),
    time: t.field({ description: 'End of the statistics period.', type: 'DateTime', resolve: (x) => x.time }),
  }),
});

BasisPointRef.implement({
  description: 'Basis of a perpetual against its index, as the venue publishes it.',
  fields: (t) => ({
    period: t.exposeString('period', { description: 'Statistics period, e.g. 5m.' }),
    futuresPrice: t.exposeFloat('futuresPrice', { description: 'Perpetual price the venue used (quote currency).' }),
    indexPrice: t.exposeFloat('indexPrice', { description: 'Index price the venue used (quote currency).' }),
    basis: t.exposeFloat('basis', { description: 'futuresPrice − indexPrice (quote currency).' }),
    basisRate: t.exposeFloat('basisRate', { description: 'basis / indexPrice, fraction (0.001 = 0.1 %).' }),
    time: t.field({ description: 'End of the statistics period.', type: 'DateTime', resolve: (x) => x.time }),
  }),
});

Ticker24hRef.implement({
  description: 'Rolling 24-hour statistics.',
  fields: (t) => ({
    lastPrice: t.exposeFloat('lastPrice', { description: 'Last traded price (quote currency).' }),
    priceChangePercent: t.exposeFloat('priceChangePercent', { description: 'Price change over 24 h, percent (1 = 1 %), as the venue reports it.' }),
    highPrice: t.exposeFloat('highPrice', { description: 'Highest price of the last 24 h (quote currency).' }),
    lowPrice: t.exposeFloat('lowPrice', { description: 'Lowest price of the last 24 h (quote currency).' }),
    volume: t.exposeFloat('volume', { description: 'Volume of the last 24 h (base asset).' }),
    quoteVolume: t.exposeFloat('quoteVolume', { description: 'Volume of the last 24 h in quote currency (USD(T)).' }),
    time: t.field({ description: 'When the venue published it.', type: 'DateTime', resolve: (x) => x.time }),
  }),
});

LiquidationRef.implement({
  description: 'A forced liquidation. side is the liquidation order side: SELL closes a long.',
  fields: (t) => ({
    meta: t.field({
      type: EventMetaRef,
      nullable: true,
      description: 'Provenance (source, venue, asOf) on the event subscription; null where the item is part of an analysis or a list (see that result\'s meta).',
      resolve: (x) => x.meta ?? null,
    }),
    side: t.field({ description: 'Liquidation order side: SELL closes a long, BUY closes a short.', type: TradeSideEnum, resolve: (x) => x.side }),
    liquidatedSide: t.exposeString('liquidatedSide', { description: 'The position side that was liquidated: LONG (for a SELL order) or SHORT (for a BUY order).' }),
    price: t.exposeFloat('price', { description: 'Order price of the liquidation (quote currency).' }),
    averagePrice: t.exposeFloat('averagePrice', { description: 'Average fill price of the liquidation order (quote currency).' }),
    qty: t.exposeFloat('qty', { description: 'Liquidated quantity (base asset).' }),
    notional: t.exposeFloat('notional', { description: 'averagePrice × qty in quote currency.' }),
    time: t.field({ description: 'When the liquidation happened.', type: 'DateTime', resolve: (x) => x.time }),
    complete: t.exposeBoolean('complete', { description: 'False when the feed only samples liquidations (Binance: one per symbol per second).' }),
  }),
});

BookTickerRef.implement({
  description: 'Best bid and ask.',
  fields: (t) => ({
    bidPrice: t.exposeFloat('bidPrice', { description: 'Best bid price (quote currency).' }),
    bidQty: t.exposeFloat('bidQty', { description: 'Quantity at the best bid (base asset).' }),
    askPrice: t.exposeFloat('askPrice', { description: 'Best ask price (quote currency).' }),
    askQty: t.exposeFloat('askQty', { description: 'Quantity at the best ask (base asset).' }),
    time: t.field({ description: 'When the venue published it.', type: 'DateTime', resolve: (x) => x.time }),
  }),
});

PriceLevelRef.implement({
  description: 'One order-book level.',
  fields: (t) => ({ price: t.float({ description: 'Price (quote currency).', resolve: (l) => l[0] }), qty: t.float({ description: 'Quantity at that price (base asset).', resolve: (l) => l[1] }) }),
});

OrderBookRef.implement({
  description: 'Top of the order book, best levels first on each side.',
  fields: (t) => ({
    bids: t.field({ description: 'Bid levels, best (highest) first.', type: [PriceLevelRef], resolve: (b) => b.bids }),
    asks: t.field({ description: 'Ask levels, best (lowest) first.', type: [PriceLevelRef], resolve: (b) => b.asks }),
    time: t.field({ description: 'When the venue published the book.', type: 'DateTime', resolve: (b) => b.time }),
  }),
});

SpotPriceRef.implement({
  description: 'Spot price of the perpetual\'s underlying pair (e.g. BTCUSDT on Binance spot), for basis.',
  fields: (t) => ({ price: t.exposeFloat('price', { description: 'Spot last price (quote currency).' }), time: t.field({ description: 'When it was observed.', type: 'DateTime', resolve: (x) => x.time }) }),
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
      description: 'Recent (aggregated) trades, oldest first.',
      type: [TradeRef],
      args: { limit: t.arg.int({ description: 'How many of the newest items to return, 1..1000 (default 100); returned oldest first.', validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.trades.toArray(args.limit ?? 100),
    }),
    candles: t.field({
      description: 'Closed and forming candles of one interval, oldest first.',
      type: [CandleRef],
      args: { interval: t.arg({ description: 'Candle interval.', type: CandleIntervalEnum, required: true }), limit: t.arg.int({ description: 'How many of the newest items to return, 1..1000 (default 100); returned oldest first.', validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.candles.get(args.interval)?.toArray(args.limit ?? 100) ?? [],
    }),
    fundingHistory: t.field({
      description: 'Settled funding payments, oldest first.',
      type: [FundingSettlementRef],
      args: { limit: t.arg.int({ description: 'How many of the newest items to return, 1..1000 (default 100); returned oldest first.', validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.funding.toArray(args.limit ?? 100),
    }),
    openInterest: t.field({
      description: 'Open-interest observations, oldest first.',
      type: [OpenInterestPointRef],
      args: { limit: t.arg.int({ description: 'How many of the newest items to return, 1..1000 (default 100); returned oldest first.', validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.openInterest.toArray(args.limit ?? 100),
    }),
    longShortRatios: t.field({
      description: 'Long/short ratio readings of one kind, oldest first.',
      type: [LongShortRatioRef],
      args: { kind: t.arg({ description: 'Whose positioning.', type: LongShortKindEnum, required: true }), limit: t.arg.int({ description: 'How many of the newest items to return, 1..1000 (default 100); returned oldest first.', validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.longShort.get(args.kind)?.toArray(args.limit ?? 100) ?? [],
    }),
    takerVolume: t.field({
      description: 'Taker buy/sell volume per statistics period, oldest first.',
      type: [TakerVolumeRef],
      args: { limit: t.arg.int({ description: 'How many of the newest items to return, 1..1000 (default 100); returned oldest first.', validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.takerVolume.toArray(args.limit ?? 100),
    }),
    basis: t.field({
      type: [BasisPointRef],
      description: "The venue's own basis statistics (Binance /futures/data/basis).",
      args: { limit: t.arg.int({ description: 'How many of the newest items to return, 1..1000 (default 100); returned oldest first.', validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.basis.toArray(args.limit ?? 100),
    }),
    liquidations: t.field({
      description: 'Forced liquidations, oldest first.',
      type: [LiquidationRef],
      args: { limit: t.arg.int({ description: 'How many of the newest items to return, 1..1000 (default 100); returned oldest first.', validate: limitArg }) },
      resolve: ({ symbol }, args, ctx) => requireData(ctx, symbol).market.liquidations.toArray(args.limit ?? 100),
    }),
    ticker24h: t.field({ description: 'Rolling 24 h statistics; null until received.', type: Ticker24hRef, nullable: true, resolve: ({ symbol }, _a, ctx) => requireData(ctx, symbol).market.ticker24h }),
    bookTicker: t.field({ description: 'Best bid and ask; null until received.', type: BookTickerRef, nullable: true, resolve: ({ symbol }, _a, ctx) => requireData(ctx, symbol).market.bookTicker }),
    orderBook: t.field({ description: 'Top of the order book; null until received.', type: OrderBookRef, nullable: true, resolve: ({ symbol }, _a, ctx) => requireData(ctx, symbol).market.orderBook }),
    spotPrice: t.field({ description: 'Spot price of the underlying pair; null until received.', type: SpotPriceRef, nullable: true, resolve: ({ symbol }, _a, ctx) => requireData(ctx, symbol).market.spot }),
  }),
});

const InputAgeRef = builder.objectRef<{ type: string; meta: AnalysisMeta }>('InputAge').implement({
  description: 'Age and staleness of one input kind of a market.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'Input kind, e.g. trade, markPrice, openInterest.' }),
    meta: t.field({ description: 'Provenance, time of the newest input of this kind, age and staleness.', type: AnalysisMetaRef, resolve: (x) => x.meta }),
  }),
});

OptionQuoteRef.implement({
  description: 'One option of a chain as the venue quotes it (Deribit when live).',
  fields: (t) => ({
    instrument: t.exposeString('instrument', { description: 'Venue instrument name, e.g. BTC-27MAR26-100000-C.' }),
    kind: t.field({ description: 'CALL or PUT.', type: OptionKindEnum, resolve: (q) => q.kind }),
    strike: t.exposeFloat('strike', { description: 'Strike price (USD).' }),
    expiry: t.field({ description: 'Expiry time.', type: 'DateTime', resolve: (q) => q.expiry }),
    markPrice: t.exposeFloat('markPrice', { description: 'In the base coin, as Deribit quotes it.' }),
    markPriceUsd: t.exposeFloat('markPriceUsd', { description: 'Mark price in USD: markPrice × underlyingPrice.' }),
    markIv: t.exposeFloat('markIv', { nullable: true, description: 'Implied volatility at the mark price, percent (50 = 50 %, as Deribit quotes it).' }),
    bidIv: t.exposeFloat('bidIv', { description: 'Implied volatility of the best bid, percent (50 = 50 %); null without a bid.', nullable: true }),
    askIv: t.exposeFloat('askIv', { description: 'Implied volatility of the best ask, percent (50 = 50 %, as Deribit quotes it); null without an ask.', nullable: true }),
    openInterest: t.exposeFloat('openInterest', { description: 'Open interest in contracts (1 contract = 1 coin on Deribit BTC/ETH options).' }),
    volume: t.exposeFloat('volume', { description: '24 h volume in contracts.' }),
    underlyingPrice: t.exposeFloat('underlyingPrice', { description: 'Price of the underlying the venue used (USD).' }),
    delta: t.exposeFloat('delta', { description: 'Option delta (−1..1); null when not quoted.', nullable: true }),
    gamma: t.exposeFloat('gamma', { description: 'Option gamma per 1 USD move of the underlying; null when not quoted.', nullable: true }),
    vega: t.exposeFloat('vega', { description: 'Option vega, USD per 1 volatility point; null when not quoted.', nullable: true }),
    theta: t.exposeFloat('theta', { description: 'Option theta, USD per day; null when not quoted.', nullable: true }),
  }),
});

OptionsChainRef.implement({
  description: 'The latest options chain of one currency.',
  fields: (t) => ({
    currency: t.exposeString('currency', { description: 'Underlying currency, e.g. BTC.' }),
    indexPrice: t.exposeFloat('indexPrice', { description: 'Index price of the underlying (USD).' }),
    quotes: t.field({ description: 'Every quoted option of the chain.', type: [OptionQuoteRef], resolve: (c) => c.quotes }),
    meta: t.field({ description: 'Provenance and freshness.', type: AnalysisMetaRef, resolve: (c) => c.meta }),
  }),
});

FearGreedRef.implement({
  description: 'One daily Fear & Greed reading.',
  fields: (t) => ({
    value: t.exposeFloat('value', { description: 'Index value 0 (extreme fear) .. 100 (extreme greed).' }),
    classification: t.exposeString('classification', { description: 'The publisher\'s own label (Extreme Fear … Extreme Greed).' }),
    time: t.field({ description: 'Day of the reading (00:00 UTC for alternative.me).', type: 'DateTime', resolve: (x) => x.time }),
  }),
});

GlobalMarketRef.implement({
  description: 'Total crypto market capitalisation and volume (CoinGecko when live).',
  fields: (t) => ({
    totalMarketCapUsd: t.exposeFloat('totalMarketCapUsd', { description: 'Total market capitalisation, USD.' }),
    totalVolumeUsd: t.exposeFloat('totalVolumeUsd', { description: 'Total 24 h traded volume, USD.' }),
    btcDominancePct: t.exposeFloat('btcDominance', { description: 'BTC share of the total market cap, percent (55 = 55 %).' }),
    ethDominancePct: t.exposeFloat('ethDominance', { description: 'ETH share of the total market cap, percent (12 = 12 %).' }),
    btcDominance: t.exposeFloat('btcDominance', {
      description: 'BTC share of the total market cap, percent. Same value as btcDominancePct.',
      deprecationReason: 'Use btcDominancePct (percent fields end in Pct); removed in the next release.',
    }),
    ethDominance: t.exposeFloat('ethDominance', {
      description: 'ETH share of the total market cap, percent. Same value as ethDominancePct.',
      deprecationReason: 'Use ethDominancePct (percent fields end in Pct); removed in the next release.',
    }),
    marketCapChange24hPct: t.exposeFloat('marketCapChange24hPct', { description: 'Change of the total market cap over 24 h, percent (1 = 1 %).' }),
    time: t.field({ description: 'When the values were published.', type: 'DateTime', resolve: (x) => x.time }),
  }),
});

const FearGreedIndexRef = builder
  .objectRef<{ latest: FearGreed; history: FearGreed[]; meta: AnalysisMeta }>('FearGreedIndex')
  .implement({
    description: 'Crypto Fear & Greed index (alternative.me when live), 0 = extreme fear, 100 = extreme greed.',
    fields: (t) => ({
      latest: t.field({ description: 'The newest reading.', type: FearGreedRef, resolve: (x) => x.latest }),
      history: t.field({ type: [FearGreedRef], description: 'Daily values, oldest first.', resolve: (x) => x.history }),
      meta: t.field({ description: 'Provenance and freshness.', type: AnalysisMetaRef, resolve: (x) => x.meta }),
    }),
  });

const GlobalMarketDataRef = builder
  .objectRef<{ value: GlobalMarket; meta: AnalysisMeta }>('GlobalMarketData')
  .implement({
    description: 'The latest global market values with their provenance.',
    fields: (t) => ({
      value: t.field({ description: 'The values.', type: GlobalMarketRef, resolve: (x) => x.value }),
      meta: t.field({ description: 'Provenance and freshness.', type: AnalysisMetaRef, resolve: (x) => x.meta }),
    }),
  });

builder.objectField(MarketRef, 'data', (t) =>
  t.field({ type: MarketDataRef, nullable: true, description: 'Raw inputs of this market.', resolve: (m) => ({ symbol: m.symbol }) }),
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
    args: { currency: t.arg.string({ description: 'Underlying currency, e.g. BTC or ETH.', required: true, validate: z.string().regex(/^[A-Za-z]{2,10}$/, 'currency is a coin code like BTC') }) },
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
    description: 'Crypto Fear & Greed index; null until a reading has been received.',
    type: FearGreedIndexRef,
    nullable: true,
    args: { historyLimit: t.arg.int({ description: 'Daily values returned in history, newest 1..1000 (default 100), oldest first.', validate: limitArg }) },
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
