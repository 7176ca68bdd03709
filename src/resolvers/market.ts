import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, MarketRef } from '../schema/refs.js';
import { AppError, ErrorCodes } from '../errors.js';
import { metaOf, requireSymbol } from './shared.js';
import type { GraphQLContext } from '../context.js';
import type { TickerRecord } from '../domain/analysis.js';

async function requireTicker(ctx: GraphQLContext, symbol: string): Promise<TickerRecord> {
  const ticker = await ctx.services.ticker(symbol);
  if (!ticker) throw new AppError(ErrorCodes.NOT_READY, `No price for ${symbol} yet: the market source has not delivered one`, { symbol });
  return ticker;
}

MarketRef.implement({
  description: 'One perpetual market. Each analysis is a field, computed from the latest cached inputs.',
  fields: (t) => ({
    symbol: t.exposeString('symbol'),
    price: t.float({
      description: 'Last traded price (quote currency).',
      resolve: async (m, _args, ctx) => (await requireTicker(ctx, m.symbol)).price,
    }),
    markPrice: t.float({ nullable: true, resolve: async (m, _args, ctx) => (await requireTicker(ctx, m.symbol)).markPrice }),
    indexPrice: t.float({ nullable: true, resolve: async (m, _args, ctx) => (await requireTicker(ctx, m.symbol)).indexPrice }),
    meta: t.field({
      type: AnalysisMetaRef,
      description: 'Provenance and freshness of the price fields.',
      resolve: async (m, _args, ctx) => metaOf(ctx, { ...(await requireTicker(ctx, m.symbol)), methodologyVersion: 'ticker/1' }),
    }),
  }),
});

// --- Queries ---

builder.queryField('market', (t) =>
  t.field({
    type: MarketRef,
    description: 'One market by symbol (case-insensitive, e.g. "BTCUSDT").',
    args: { symbol: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => ({ symbol: requireSymbol(ctx, args.symbol) }),
  }),
);
