import { z } from 'zod';
import { builder } from '../schema/builder.js';
import { AnalysisMetaRef, MarketRef } from '../schema/refs.js';
import { AppError, ErrorCodes, toAppError } from '../errors.js';
import { metaOf, requireSymbol } from './shared.js';
import type { AppServices, GraphQLContext } from '../context.js';
import type { TickerRecord } from '../domain/analysis.js';

async function requireTicker(ctx: GraphQLContext, symbol: string): Promise<TickerRecord> {
  const ticker = await ctx.services.ticker(symbol);
  if (!ticker) throw new AppError(ErrorCodes.NOT_READY, `No price for ${symbol} yet: the market source has not delivered one`, { symbol });
  return ticker;
}

MarketRef.implement({
  description:
    'One perpetual market. Each analysis is a field, computed from the latest cached inputs. Analysis fields are nullable: one that cannot be answered (NOT_READY, UPSTREAM_UNAVAILABLE, ...) is null with a coded error on its path, and the rest of the response survives.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    price: t.float({
      nullable: true,
      description: 'Last traded price (quote currency); null with a NOT_READY error on its path until the market source delivers one.',
      resolve: async (m, _args, ctx) => (await requireTicker(ctx, m.symbol)).price,
    }),
    markPrice: t.float({ description: 'Latest mark price (quote currency, USD(T)); null until received.', nullable: true, resolve: async (m, _args, ctx) => (await requireTicker(ctx, m.symbol)).markPrice }),
    indexPrice: t.float({ description: 'Latest index price (quote currency, USD(T)); null until received or when the source gives none (replayed mark-price klines).', nullable: true, resolve: async (m, _args, ctx) => (await requireTicker(ctx, m.symbol)).indexPrice }),
    meta: t.field({
      type: AnalysisMetaRef,
      nullable: true,
      description: 'Provenance and freshness of the price fields; null (NOT_READY on its path) until a price has arrived.',
      resolve: async (m, _args, ctx) => metaOf(ctx, { ...(await requireTicker(ctx, m.symbol)), methodologyVersion: 'ticker/1' }),
    }),
  }),
});

// --- Queries ---

const AT_DESCRIPTION =
  'Time travel: every field as it was at this instant, recomputed from the market-data archive with only the inputs known then (rows up to `at`, candles closed by `at`) through the same analyzers; meta.asOf is at most `at`. BAD_USER_INPUT when `at` is in the future or before the archive reaches back (the message says how far it does). Omitted: the live market.';

/**
 * The markets asked, live or (with `at`) as they were then: one point-in-time view for the whole list,
 * built once per (at, symbol set) and shared while cached (src/engine/time-travel.ts).
 */
async function marketsAt(ctx: GraphQLContext, symbols: string[], at: number | null | undefined): Promise<Array<{ symbol: string; view?: AppServices }>> {
  if (at === null || at === undefined) return symbols.map((symbol) => ({ symbol }));
  if (!ctx.services.pointInTime) throw new AppError(ErrorCodes.NOT_READY, 'Time travel is served where the engine runs and the archive is kept (ROLE=all, ARCHIVE_ENABLED)');
  try {
    const view = await ctx.services.pointInTime(at, symbols);
    if (!view) throw new AppError(ErrorCodes.NOT_READY, 'Time travel needs the market-data archive of the current source (ARCHIVE_ENABLED, its origin in ARCHIVE_ORIGINS, a database)');
    return symbols.map((symbol) => ({ symbol, view }));
  } catch (error) {
    throw toAppError(error);
  }
}

builder.queryField('market', (t) =>
  t.field({
    type: MarketRef,
    description: 'One market by symbol (case-insensitive, e.g. "BTCUSDT"), live or as it was at `at`.',
    args: {
      symbol: t.arg.string({ description: 'Symbol of a configured market, e.g. BTCUSDT (case-insensitive).', required: true }),
      at: t.arg({ type: 'DateTime', required: false, description: AT_DESCRIPTION }),
    },
    resolve: async (_root, args, ctx) => (await marketsAt(ctx, [requireSymbol(ctx, args.symbol)], args.at))[0]!,
  }),
);

/** Most markets one `markets` request may ask for. */
const MAX_MARKETS_PER_REQUEST = 20;

/**
 * Duplicates are allowed: entry i always answers symbols[i] (a watchlist may hold "btcusdt" and "BTCUSDT"),
 * and each one counts towards the limit.
 */
builder.queryField('markets', (t) =>
  t.field({
    type: [MarketRef],
    description: `Up to ${MAX_MARKETS_PER_REQUEST} markets in one request, in the order asked; symbols are normalised like \`market\` and duplicates are answered at each position.`,
    args: {
      symbols: t.arg.stringList({
        description: 'Symbols of configured markets, e.g. ["BTCUSDT", "ETHUSDT"] (case-insensitive).',
        required: true,
        validate: z.array(z.string()).max(MAX_MARKETS_PER_REQUEST, {
          error: (issue) => `at most ${MAX_MARKETS_PER_REQUEST} symbols per request, got ${(issue.input as unknown[]).length}`,
        }),
      }),
      at: t.arg({ type: 'DateTime', required: false, description: AT_DESCRIPTION }),
    },
    resolve: (_root, args, ctx) =>
      marketsAt(
        ctx,
        args.symbols.map((symbol) => requireSymbol(ctx, symbol)),
        args.at,
      ),
  }),
);
