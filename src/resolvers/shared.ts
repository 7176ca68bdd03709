import { roundAnalysisPrices } from './prices.js';
import type { AnalysisKind, AnalysisRecord } from '../domain/analysis.js';
import { AppError, badInput, ErrorCodes } from '../errors.js';
import type { GraphQLContext } from '../context.js';
import { analysisKey, slidingWindow, SUBSCRIBER_BUFFER } from '../pubsub.js';
import type { AnalysisMeta, WithMeta } from '../schema/refs.js';
import { isMarketWideKind } from '../engine/analyses.js';
import { judgeInput, type InputSample } from '../engine/freshness.js';

/** Upper-cases and checks a symbol against the configured set; BAD_USER_INPUT names the known ones. */
export function requireSymbol(ctx: GraphQLContext, raw: string): string {
  const symbol = raw.trim().toUpperCase();
  if (!ctx.services.hasSymbol(symbol)) {
    const known = ctx.services.symbols().map((s) => s.symbol);
    throw badInput(`Unknown symbol "${raw}". Known symbols: ${known.join(', ')}`, { symbol: raw, known });
  }
  return symbol;
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

/**
 * Provenance and freshness of a result. Its inputs are judged by their own cadence (engine/freshness.ts):
 * as the store holds them now where this instance ingests (so a result left unchanged by newer inputs is not
 * flagged), else as sampled with the record. `stale` is true when one input is overdue; a record without
 * sampled inputs falls back to its age against STALE_AFTER_MS.
 */
export function metaOf(
  ctx: GraphQLContext,
  record: Pick<AnalysisRecord, 'asOf' | 'source' | 'venue' | 'methodologyVersion'> & Partial<Pick<AnalysisRecord, 'kind' | 'symbol' | 'inputs'>>,
): AnalysisMeta {
  const now = ctx.services.now();
  const ageMs = Math.max(0, now - record.asOf);
  const live: InputSample[] | undefined =
    record.kind !== undefined && record.symbol !== undefined ? ctx.services.inputs?.(record.kind, record.symbol) : undefined;
  const sampled = live ?? record.inputs;
  const inputs = (sampled ?? []).map((input) => judgeInput(input, now));
  return {
    source: record.source,
    venue: record.venue,
    asOf: record.asOf,
    ageMs,
    stale: sampled === undefined ? ageMs > ctx.services.staleAfterMs : inputs.some((i) => i.overdue),
    methodologyVersion: record.methodologyVersion,
    inputs,
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
    const reason = ctx.services.notReadyReason?.(symbol) ?? 'the market source has not delivered enough data';
    throw new AppError(ErrorCodes.NOT_READY, `${kind} for ${symbol} is not available yet: ${reason}`, {
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
export async function requireLatestWith(ctx: GraphQLContext, kind: AnalysisKind, key: string, params: Record<string, unknown>, message: string): Promise<AnalysisRecord> {
  const record = await ctx.services.latestWith(kind, key, params);
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
