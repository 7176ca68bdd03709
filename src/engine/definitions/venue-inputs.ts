import { INTERVAL_MS, type MarketEventType } from '../../domain/market.js';
import type { VenueExclusion } from '../../domain/venue.js';
import type { FundingRateKind } from '../../analyzers/venue-aggregation.types.js';
import { judgeInput, sampleInput, type InputSpec } from '../freshness.js';
import type { SymbolMarket } from '../market-store.js';
import type { VenueSnapshot } from '../definition.js';
import { inputLastAt } from '../analysis-engine.js';
import { pricePath } from './open-interest.js';

// Reading one venue's store for the cross-venue analyses: what each value is taken from, and whether the
// venue may contribute it (judged by the input's own cadence, like meta.stale).

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * Null when every input of `specs` is held and on time in the venue's store; else why not: MISSING when one
 * was never received, STALE when one is overdue (with the venue's own error when its source is down).
 */
export function judgeVenue(v: VenueSnapshot, specs: readonly InputSpec[], now: number, staleAfterMs: number): Omit<VenueExclusion, 'venue'> | null {
  const down = v.down === null ? '' : ` (${v.down})`;
  if (!v.market) return { status: 'MISSING', reason: `no data from ${v.name}${down}` };
  for (const spec of specs) {
    const sample = sampleInput(spec, inputLastAt(v.market, spec), staleAfterMs);
    if (sample.lastAt === null) return { status: 'MISSING', reason: `no ${label(spec.type)} received from ${v.name}${down}` };
    const judged = judgeInput(sample, now);
    if (judged.overdue)
      return { status: 'STALE', reason: `${label(spec.type)} from ${v.name} last received ${seconds(judged.ageMs!)} ago (expected every ${seconds(sample.expectedEveryMs!)})${down}` };
  }
  return null;
}

const LABELS: Partial<Record<MarketEventType, string>> = { markPrice: 'mark price', openInterest: 'open interest', funding: 'funding settlement', ticker24h: '24 h ticker', trade: 'trade', candle: 'candle' };
const label = (type: MarketEventType) => LABELS[type] ?? type;

/** Price at `time` on the venue's price path (newest point at or before it, else the first). */
function priceAt(path: readonly { time: number; price: number }[], time: number): number | null {
  if (path.length === 0) return null;
  let lo = 0;
  let hi = path.length - 1;
  if (path[0]!.time > time) return path[0]!.price;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (path[mid]!.time <= time) lo = mid;
    else hi = mid - 1;
  }
  return path[lo]!.price;
}

/**
 * Open interest in USD, ascending: the venue's published USD value, else its contracts in base units × the
 * venue's price at that time (candle closes, then the last trade). Points without either are dropped.
 */
export function oiUsdSeries(market: SymbolMarket): Array<{ time: number; oiUsd: number }> {
  const points = market.openInterest.toArray();
  const needPrice = points.some((p) => p.openInterestValue === null);
  const path = needPrice ? pricePath(market) : [];
  const out: Array<{ time: number; oiUsd: number }> = [];
  for (const p of points) {
    const usd = p.openInterestValue ?? (p.openInterest === null ? null : (() => {
      const price = priceAt(path, p.time) ?? market.mark?.markPrice ?? null;
      return price === null ? null : p.openInterest * price;
    })());
    if (usd !== null && Number.isFinite(usd)) out.push({ time: p.time, oiUsd: usd });
  }
  return out;
}

/** Newest open interest in USD; null when none. */
export function latestOiUsd(market: SymbolMarket): { time: number; oiUsd: number } | null {
  const last = market.openInterest.last();
  if (!last) return null;
  if (last.openInterestValue !== null) return { time: last.time, oiUsd: last.openInterestValue };
  const price = market.lastPrice ?? market.mark?.markPrice ?? null;
  return last.openInterest === null || price === null ? null : { time: last.time, oiUsd: last.openInterest * price };
}

/**
 * 24 h quote volume in USD: the venue's 24 h ticker when it publishes one, else the sum of its 1 h candles of
 * the last 24 hours (quote volume, else volume × close); null when neither is held.
 */
export function volume24hUsd(market: SymbolMarket, now: number): number | null {
  if (market.ticker24h) return market.ticker24h.quoteVolume;
  const bars = market.candles.get('1h')?.toArray(25) ?? [];
  const recent = bars.filter((c) => c.openTime + INTERVAL_MS['1h'] > now - 24 * 3_600_000);
  if (recent.length === 0) return null;
  return recent.reduce((s, c) => s + (c.quoteVolume ?? c.volume * c.close), 0);
}

/** The venue's 24 h volume input: the ticker when it has one, else closed 1 h candles. */
export const volumeSpec = (market: SymbolMarket): InputSpec => (market.ticker24h ? { type: 'ticker24h' } : { type: 'candle', interval: '1h' });

/** Funding rate of the running period (the venue's prediction), else the last settlement; null when neither. */
export function fundingRateOf(market: SymbolMarket): { rate: number; rateKind: FundingRateKind; nextFundingTime: number | null; spec: InputSpec; time: number } | null {
  const mark = market.mark;
  if (mark && mark.predictedFundingRate !== null) return { rate: mark.predictedFundingRate, rateKind: 'PREDICTED', nextFundingTime: mark.nextFundingTime, spec: { type: 'markPrice' }, time: mark.time };
  const last = market.funding.last();
  if (last) return { rate: last.rate, rateKind: 'SETTLED', nextFundingTime: mark?.nextFundingTime ?? null, spec: { type: 'funding' }, time: last.fundingTime };
  return null;
}

/** Last traded price (its trade time), else the newest candle's close, else the mark; with the input it comes from. */
export function priceOf(market: SymbolMarket): { price: number; time: number; spec: InputSpec } | null {
  if (market.lastPrice !== null && market.lastTradeAt !== null) return { price: market.lastPrice, time: market.lastTradeAt, spec: { type: 'trade' } };
  const candleAt = market.updatedAtByType.get('candle');
  if (market.lastPrice !== null && candleAt !== undefined) return { price: market.lastPrice, time: candleAt, spec: { type: 'candle' } };
  if (market.mark) return { price: market.mark.markPrice, time: market.mark.time, spec: { type: 'markPrice' } };
  return null;
}
