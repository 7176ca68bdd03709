import type { AnalysisRecord } from '../domain/analysis.js';
import type { MarketEventType } from '../domain/market.js';
import type { GraphQLContext } from '../context.js';
import { staleAfterMs } from '../engine/freshness.js';
import type { WithMeta } from '../schema/refs.js';
import { withMeta } from './shared.js';

/**
 * `withMeta` for analyses fed by polled statistics (open interest every minute, long/short ratios every
 * 5 minutes): `stale` is judged against that input's own publication period (see engine/freshness.ts)
 * instead of the stream threshold, so a result is not flagged stale merely because the venue has not
 * published the next period yet.
 */
export function withInputMeta<R extends object>(ctx: GraphQLContext, record: AnalysisRecord, input: MarketEventType): WithMeta<R> {
  const out = withMeta<R>(ctx, record);
  return { ...out, meta: { ...out.meta, stale: out.meta.ageMs > staleAfterMs(input, ctx.services.staleAfterMs) } };
}
