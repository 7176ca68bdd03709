import type { InputSample } from '../domain/analysis.js';
import { INTERVAL_MS, type CandleInterval, type MarketEventType } from '../domain/market.js';

/**
 * Freshness by input cadence.
 *
 * Every analysis declares the inputs it is built from ({@link InputSpec}). When the engine computes a
 * result it samples, for each input, the time of the newest value the store holds (`lastAt`, the input's
 * own time, never the wall clock). When the result is read, an input is **overdue** when the next value
 * it should have delivered by now has not arrived:
 *
 *   overdue ⇔ lastAt ≠ null ∧ expectedEveryMs ≠ null ∧ now − lastAt > expectedEveryMs + graceMs
 *
 * - closed candles of an interval: `lastAt` = close of the newest closed bar, `expectedEveryMs` = the
 *   interval (the next bar closes one interval later), grace = STALE_AFTER_MS;
 * - streams (trades, mark price, book, forming candles): `lastAt` = newest event, `expectedEveryMs` = the
 *   venue's heartbeat ({@link STREAM_HEARTBEAT_MS}; the candle stream: one minute, a new 1 m bar), grace =
 *   STALE_AFTER_MS;
 * - polled statistics (open interest, ratios, funding, options, Fear & Greed, ...): `expectedEveryMs` = the
 *   publication period, grace = 1.5 × the period (at least STALE_AFTER_MS): 2.5 periods in all, since they
 *   cannot be fresher than the venue publishes them;
 * - irregular events (liquidations): no cadence (`expectedEveryMs` null), never overdue by themselves (a
 *   calm market sends none); analyses using them also list a stream that proves the feed alive.
 *
 * An input never received (`lastAt` null) is not overdue: the analysis reports it as missing (null with a
 * reason) instead. A result is `stale` when any of its inputs is overdue.
 */

/** Publication period of polled statistics (ms). */
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

/**
 * Heartbeat of streamed inputs (ms): Binance pushes mark price every 1 s. The candle stream's time is the
 * open of the forming bar (the store keeps bar times, not arrival times), so a live candle feed advances
 * once a minute, when the next 1 m bar opens.
 */
const STREAM_HEARTBEAT_MS: Partial<Record<MarketEventType, number>> = {
  trade: 1_000,
  markPrice: 1_000,
  candle: 60_000,
  bookTicker: 1_000,
  orderBook: 1_000,
  spotPrice: 1_000,
};

/** Inputs without a cadence: their absence is not a sign of a dead feed. */
const IRREGULAR: ReadonlySet<MarketEventType> = new Set(['liquidation']);

/** One input an analysis is built from: a store event type, for candles optionally the closed bars of one interval. */
export interface InputSpec {
  type: MarketEventType;
  /** Closed candles of this interval (type `candle` only); unset for `candle` = the candle stream (any update). */
  interval?: CandleInterval;
}

// InputSample is a domain type (it travels in AnalysisMeta); re-exported for the engine's callers.
export type { InputSample } from '../domain/analysis.js';

/** An input as reported in `meta.inputs`, judged at read time. */
export interface InputFreshness extends InputSample {
  /** now − lastAt (ms), null when never received. */
  ageMs: number | null;
  /** True when the value that should have arrived by now has not (see the rule above). */
  overdue: boolean;
}

/** Expected time between two values of an input, and the grace tolerated after it. */
export function cadenceOf(spec: InputSpec, streamStaleAfterMs: number): { expectedEveryMs: number | null; graceMs: number } {
  if (spec.type === 'candle' && spec.interval !== undefined) return { expectedEveryMs: INTERVAL_MS[spec.interval], graceMs: streamStaleAfterMs };
  if (IRREGULAR.has(spec.type)) return { expectedEveryMs: null, graceMs: streamStaleAfterMs };
  const period = PERIOD_MS[spec.type];
  if (period !== undefined) return { expectedEveryMs: period, graceMs: Math.max(streamStaleAfterMs, period * 1.5) };
  return { expectedEveryMs: STREAM_HEARTBEAT_MS[spec.type] ?? 1_000, graceMs: streamStaleAfterMs };
}

/** Samples one input from its newest time. */
export function sampleInput(spec: InputSpec, lastAt: number | null, streamStaleAfterMs: number): InputSample {
  return { type: spec.type, interval: spec.interval ?? null, lastAt, ...cadenceOf(spec, streamStaleAfterMs) };
}

/** Judges a sampled input at `now`. */
export function judgeInput(input: InputSample, now: number): InputFreshness {
  const ageMs = input.lastAt === null ? null : Math.max(0, now - input.lastAt);
  const overdue = ageMs !== null && input.expectedEveryMs !== null && ageMs > input.expectedEveryMs + input.graceMs;
  return { ...input, ageMs, overdue };
}

/**
 * Age beyond which a value of one input type is stale (raw inputs under `marketData`): its expected
 * cadence plus grace (irregular events: the stream threshold).
 */
export function staleAfterMs(type: MarketEventType, streamStaleAfterMs: number): number {
  const { expectedEveryMs, graceMs } = cadenceOf({ type }, streamStaleAfterMs);
  return expectedEveryMs === null ? streamStaleAfterMs : expectedEveryMs + graceMs;
}
