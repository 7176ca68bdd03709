import { roundAnalysisPrices } from './prices.js';
import type { AnalysisKind, AnalysisRecord } from '../domain/analysis.js';
import { AppError, badInput, ErrorCodes } from '../errors.js';
import type { GraphQLContext } from '../context.js';
import { analysisKey, slidingWindow, SUBSCRIBER_BUFFER } from '../pubsub.js';
import type { AnalysisMeta, WithMeta } from '../schema/refs.js';
import { freshnessInputOf, isMarketWideKind } from '../engine/analyses.js';
import { staleAfterMs } from '../engine/freshness.js';

/** Upper-cases and checks a symbol against the configured set; BAD_USER_INPUT names the known ones. */
export function requireSymbol(ctx: GraphQLContext, raw: string): string {
  const symbol = raw.trim().toUpperCase();
  if (!ctx.services.hasSymbol(symbol)) {
    const known = ctx.services.symbols().map((s) => s.symbol);
    throw badInput(`Unknown symbol "${raw}". Known symbols: ${known.join(', ')}`, { symbol: raw, known });
  }
  return symbol;
}

function staleAfter(record: Partial<Pick<AnalysisRecord, 'kind'>>, streamStaleAfterMs: number): number {
  const input = record.kind === undefined ? undefined : freshnessInputOf(record.kind);
  return input === undefined ? streamStaleAfterMs : staleAfterMs(input, streamStaleAfterMs);
}

/**
 * The key an analysis is computed for: a configured symbol, or for market-wide analyses (correlations,
 * options flow, sentiment) their own key such as `BTC` or `ALL`.
 */
export function requireAnalysisKey(ctx: GraphQLContext, kind: string, raw: string): string {
  if (!isMarketWideKind(kind)) return requireSymbol(ctx, raw);
  const key = raw.trim().toUpperCase();
  if (!/^[A-Z0-9_]{2,20}$/.test(key)) throw badInput(`"${raw}" is not a valid key for ${kind}`, { symbol: raw });
  return key;
}

export function metaOf(
  ctx: GraphQLContext,
  record: Pick<AnalysisRecord, 'asOf' | 'source' | 'venue' | 'methodologyVersion'> & Partial<Pick<AnalysisRecord, 'kind'>>,
): AnalysisMeta {
  const ageMs = Math.max(0, ctx.services.now() - record.asOf);
  return {
    source: record.source,
    venue: record.venue,
    asOf: record.asOf,
    ageMs,
    stale: ageMs > staleAfter(record, ctx.services.staleAfterMs),
    methodologyVersion: record.methodologyVersion,
  };
}

/** The result as served: price fields rounded to the market's tick size (see prices.ts), plus `meta`. */
export function withMeta<R extends object>(ctx: GraphQLContext, record: AnalysisRecord): WithMeta<R> {
  const tickSize = ctx.services.symbols().find((s) => s.symbol === record.symbol)?.tickSize;
  return { ...roundAnalysisPrices(record.kind, record.result as R, tickSize), meta: metaOf(ctx, record) };
}

/** The latest result or a NOT_READY error that says why (never a fabricated value). */
export async function requireLatest(ctx: GraphQLContext, kind: AnalysisKind, symbol: string): Promise<AnalysisRecord> {
  const record = await ctx.services.latest(kind, symbol);
  if (!record) {
    throw new AppError(ErrorCodes.NOT_READY, `${kind} for ${symbol} is not available yet: the market source has not delivered enough data`, {
      kind,
      symbol,
    });
  }
  return record;
}

/**
 * The result for caller-chosen (non-default) parameters, computed on demand by this instance's engine,
 * or NOT_READY with `message` (no input yet, or ROLE=api, which serves default arguments only).
 */
export function requireLatestWith(ctx: GraphQLContext, kind: AnalysisKind, key: string, params: Record<string, unknown>, message: string): AnalysisRecord {
  const record = ctx.services.latestWith(kind, key, params);
  if (!record) throw new AppError(ErrorCodes.NOT_READY, message, { kind, symbol: key });
  return record;
}

/**
 * The stream behind every `*Updated` subscription: the latest result of (kind, key) at once when there is
 * one (same record the query answers with), then each published recomputation. Updates computed no later
 * than that first record are skipped, so a subscriber never sees it twice or goes back in time.
 */
export function analysisUpdates(ctx: GraphQLContext, kind: AnalysisKind, key: string): AsyncIterableIterator<AnalysisRecord> {
  return slidingWindow(ctx.services.pubsub.subscribe('analysis:updated', analysisKey(kind, key)), SUBSCRIBER_BUFFER, {
    latest: () => ctx.services.latest(kind, key),
    isOlder: (update, latest) => update.computedAt <= latest.computedAt,
  });
}
