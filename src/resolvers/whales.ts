import { filter, pipe } from 'graphql-yoga';
import { z } from 'zod';
import { DEFAULT_WHALE_MIN_NOTIONAL, type WhaleActivity, type WhaleWindow } from '../analyzers/whales.types.js';
import type { AnalysisRecord } from '../domain/analysis.js';
import { WHALE_TRADE_FLOOR, type WhaleParams } from '../engine/definitions/whales.js';
import { slidingWindow, type PublishedTrade } from '../pubsub.js';
import { builder } from '../schema/builder.js';
import { TradeSideEnum } from '../schema/enums.js';
import { AnalysisMetaRef, EventMetaRef, FactorRef, MarketRef } from '../schema/refs.js';
import { WhaleActivityRef, WhalePatternEnum, WhaleSignalEnum, WhaleTradeRef, WhaleWindowEnum } from '../schema/refs-whales.js';
import { requireLatest, requireSymbol, withMeta, requireLatestWith, analysisUpdates } from './shared.js';

const DEFAULT_WINDOW: WhaleWindow = 'H1';

const minNotionalArg = z
  .number()
  .min(WHALE_TRADE_FLOOR, `minNotional must be at least ${WHALE_TRADE_FLOOR} (USD): smaller trades are not tracked`)
  .max(1e12, 'minNotional must be at most 1e12 (USD)')
  .nullish();

WhaleTradeRef.implement({
  description: 'One large (aggregated) trade; side is the taker side, notional = price × qty in quote currency (USDT ≈ USD).',
  fields: (t) => ({
    meta: t.field({
      type: EventMetaRef,
      nullable: true,
      description: 'Provenance (source, venue, asOf) on the event subscription; null where the item is part of an analysis or a list (see that result\'s meta).',
      resolve: (x) => x.meta ?? null,
    }),
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    id: t.exposeFloat('id', { description: 'Venue trade id (aggregate trade id on Binance).' }),
    price: t.exposeFloat('price', { description: 'Trade price (quote currency).' }),
    qty: t.exposeFloat('qty', { description: 'Quantity (base asset).' }),
    notional: t.exposeFloat('notional', { description: 'price × qty, quote currency (USDT ≈ USD).' }),
    side: t.field({ description: 'Taker side.', type: TradeSideEnum, resolve: (x) => x.side }),
    time: t.field({ description: 'Trade time.', type: 'DateTime', resolve: (x) => x.time }),
  }),
});

WhaleActivityRef.implement({
  description:
    'Whale activity: large taker trades over a window, buy/sell notional and pressure, net flow, and whether whales accumulate (buy into flat/falling prices) or distribute (sell into flat/rising prices).',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    window: t.field({ description: 'Look-back window.', type: WhaleWindowEnum, resolve: (a) => a.window }),
    windowMs: t.exposeFloat('windowMs', { description: 'Look-back window in milliseconds.' }),
    minNotional: t.exposeFloat('minNotional', { description: 'A trade counts when price × qty ≥ this (quote currency).' }),
    warmingUp: t.exposeBoolean('warmingUp', {
      description: 'Trades were not observed over the whole window (e.g. shortly after start): totals cover [from, to] only; pattern and signal are null.',
    }),
    from: t.field({ type: 'DateTime', nullable: true, description: 'Start of the span the totals cover.', resolve: (a) => a.from }),
    to: t.field({ type: 'DateTime', description: 'End of the window: the newest trade.', resolve: (a) => a.to }),
    coveredMs: t.exposeFloat('coveredMs', { description: 'Milliseconds of the window actually observed.' }),
    buyCount: t.exposeInt('buyCount', { description: 'Taker-buy whale trades in the window.' }),
    sellCount: t.exposeInt('sellCount', { description: 'Taker-sell whale trades in the window.' }),
    buyNotional: t.exposeFloat('buyNotional', { description: 'Taker-buy whale notional (quote currency).' }),
    sellNotional: t.exposeFloat('sellNotional', { description: 'Taker-sell whale notional (quote currency).' }),
    netFlow: t.exposeFloat('netFlow', { description: 'buyNotional − sellNotional.' }),
    netFlowRatio: t.exposeFloat('netFlowRatio', { nullable: true, description: 'netFlow / (buy + sell), −1..1; null without whale trades.' }),
    buyPressurePct: t.exposeFloat('buyPressurePct', { nullable: true, description: 'Buy share of the whale notional, percent.' }),
    sellPressurePct: t.exposeFloat('sellPressurePct', { description: 'Sell share of the whale notional, percent (60 = 60 %); null without whale trades.', nullable: true }),
    marketQuoteVolume: t.exposeFloat('marketQuoteVolume', { nullable: true, description: 'All traded quote volume of the candles that opened in the window, USD(T); null without candles there or when the source does not record quote volume (freqtrade replay files).' }),
    whaleSharePct: t.exposeFloat('whaleSharePct', { nullable: true, description: 'Whale notional as a percent of marketQuoteVolume (percent, 0..100+); null when marketQuoteVolume is null or 0.' }),
    priceChangePct: t.exposeFloat('priceChangePct', { nullable: true, description: 'Price change over the window, percent.' }),
    pattern: t.field({ description: 'Net whale flow against the price change; null while warming up.', type: WhalePatternEnum, nullable: true, resolve: (a) => a.pattern }),
    signal: t.field({ description: 'ACCUMULATING, DISTRIBUTING or NEUTRAL from the score; null while warming up.', type: WhaleSignalEnum, nullable: true, resolve: (a) => a.signal }),
    score: t.exposeFloat('score', { description: '−100..100: positive = whales net buying, negative = net selling; 0 while warming up.' }),
    factors: t.field({ description: 'The weighted inputs behind the score, one Factor each.', type: [FactorRef], resolve: (a) => a.factors }),
    largestTrades: t.field({ type: [WhaleTradeRef], description: 'The 10 largest whale trades of the window, largest first.', resolve: (a) => a.largestTrades }),
    lastWhaleAt: t.field({ description: 'Time of the newest whale trade in the window.', type: 'DateTime', nullable: true, resolve: (a) => a.lastWhaleAt }),
    note: t.exposeString('note', { description: 'What was measured, or why values are missing.' }),
    meta: t.field({ description: 'Provenance and freshness of this result (source, venue, asOf, age, staleness, methodology version).', type: AnalysisMetaRef, resolve: (a) => a.meta }),
  }),
});

builder.objectField(MarketRef, 'whales', (t) =>
  t.field({
    type: WhaleActivityRef,
    nullable: true,
    description: 'Whale activity over a window. Non-default arguments are computed on demand by instances that ingest data.',
    args: {
      minNotional: t.arg.float({
        validate: minNotionalArg,
        description: `Smallest trade notional (price × qty, USD) that counts as a whale trade; default ${DEFAULT_WHALE_MIN_NOTIONAL}, at least ${WHALE_TRADE_FLOOR}.`,
      }),
      window: t.arg({ type: WhaleWindowEnum, description: `Look-back window; default ${DEFAULT_WINDOW}.` }),
    },
    resolve: async (m, args, ctx) => {
      const params: WhaleParams = { minNotional: args.minNotional ?? DEFAULT_WHALE_MIN_NOTIONAL, window: args.window ?? DEFAULT_WINDOW };
      if (params.minNotional === DEFAULT_WHALE_MIN_NOTIONAL && params.window === DEFAULT_WINDOW) {
        return withMeta<WhaleActivity>(ctx, await requireLatest(ctx, 'WHALES', m.symbol));
      }
      const record = await requireLatestWith(ctx, 'WHALES', m.symbol, { ...params }, `WHALES for ${m.symbol} with these arguments is not available: no trade received yet, or this instance does not ingest market data (ROLE=api serves the default arguments only)`);
      return withMeta<WhaleActivity>(ctx, record);
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('whalesUpdated', (t) =>
  t.field({
    type: WhaleActivityRef,
    description: 'The whale analysis (default arguments: 100 000 USD, 1 h) of one symbol: the latest result at once on subscribe, then each time it is recomputed to a different result.',
    args: { symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }) },
    subscribe: (_root, args, ctx) => analysisUpdates(ctx, 'WHALES', requireSymbol(ctx, args.symbol)),
    resolve: (record: AnalysisRecord, _args, ctx) => withMeta<WhaleActivity>(ctx, record),
  }),
);

builder.subscriptionField('whaleTrade', (t) =>
  t.field({
    type: WhaleTradeRef,
    description: `Each trade of one symbol with notional ≥ minNotional (default ${DEFAULT_WHALE_MIN_NOTIONAL} USD, at least ${WHALE_TRADE_FLOOR}) as it arrives.`,
    args: {
      symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }),
      minNotional: t.arg.float({ validate: minNotionalArg, description: `Default ${DEFAULT_WHALE_MIN_NOTIONAL}, at least ${WHALE_TRADE_FLOOR} (USD).` }),
    },
    subscribe: (_root, args, ctx) => {
      const symbol = requireSymbol(ctx, args.symbol);
      const min = args.minNotional ?? DEFAULT_WHALE_MIN_NOTIONAL;
      return slidingWindow(
        pipe(
          ctx.services.pubsub.subscribe('trade:created', symbol),
          filter((trade: PublishedTrade) => trade.notional >= min),
        ),
      );
    },
    resolve: (trade: PublishedTrade) => trade,
  }),
);
