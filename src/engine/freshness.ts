import type { MarketEventType } from '../domain/market.js';

/**
 * How old each kind of input may get before it is flagged stale. Streams are held to STALE_AFTER_MS;
 * polled statistics get 2.5× their publication period, since they cannot be fresher than the venue makes them.
 */
const PERIOD_MS: Partial<Record<MarketEventType, number>> = {
  openInterest: 60_000,
  longShortRatio: 300_000,
  takerVolume: 300_000,
  basis: 300_000,
  ticker24h: 60_000,
  funding: 8 * 3_600_000,
  optionsChain: 30_000,
  globalMarket: 300_000,
  fearGreed: 24 * 3_600_000,
};

export function staleAfterMs(type: MarketEventType, streamStaleAfterMs: number): number {
  const period = PERIOD_MS[type];
  return period === undefined ? streamStaleAfterMs : Math.max(streamStaleAfterMs, period * 2.5);
}
