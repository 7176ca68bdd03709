import type { Factor } from './types.js';
import {
  DEFAULT_WHALE_MIN_NOTIONAL,
  DEFAULT_WHALE_THRESHOLDS,
  WHALE_WINDOW_MS,
  WhalePatterns,
  WhaleSignals,
  type WhaleActivity,
  type WhaleCandle,
  type WhaleInput,
  type WhalePattern,
  type WhaleSignal,
  type WhaleThresholds,
  type WhaleTrade,
} from './whales.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const WHALES_METHODOLOGY_VERSION = 'whales/1.1.0';

/** Factor weights of the score; they sum to 1. */
const WEIGHTS = { netFlowRatio: 0.5, countImbalance: 0.2, netFlowShare: 0.3 } as const;
const WINDOWS = Object.keys(WHALE_WINDOW_MS);
const MAX_EPOCH_MS = 8.64e15;

const fail = (message: string): never => {
  throw new Error(`computeWhaleActivity: ${message}`);
};
const quote = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));

/**
 * Pattern of whale flow against price over a window (see {@link WhalePatterns}). Flat bands are inclusive:
 * |netFlowRatio| ≤ flowFlatRatio is BALANCED; |priceChangePct| ≤ priceFlatPct counts as a flat price.
 */
export function classifyWhalePattern(
  netFlowRatio: number,
  priceChangePct: number,
  bands: Pick<WhaleThresholds, 'flowFlatRatio' | 'priceFlatPct'> = DEFAULT_WHALE_THRESHOLDS,
): WhalePattern {
  if (Math.abs(netFlowRatio) <= bands.flowFlatRatio) return WhalePatterns.BALANCED;
  if (netFlowRatio > 0) return priceChangePct > bands.priceFlatPct ? WhalePatterns.MARKUP : WhalePatterns.ACCUMULATION;
  return priceChangePct < -bands.priceFlatPct ? WhalePatterns.MARKDOWN : WhalePatterns.DISTRIBUTION;
}

/**
 * Whale activity of one perpetual: the large taker trades of a window, which side they hit, and whether
 * they absorb or drive the price.
 *
 * What it measures: a whale trade is one venue trade (Binance: one aggregate trade = one taker order
 * filled at one price; duplicates by id counted once) with price × qty ≥ `minNotional` (default 100 000
 * quote units, USDT ≈ USD). Over [max(now − window, observedSince), now]: count and notional per taker side,
 * net flow (buy − sell), net-flow ratio (net / gross, −1..1), buy/sell pressure (each side's share of the
 * gross, %), whales' share of the market's quote volume (candles that opened in the window), the price
 * change over the window (close of the last candle ending at or before the window start → last price),
 * and the largest trades.
 *
 * How to read it: `pattern` reads the net flow against the price change — ACCUMULATION (net buying while
 * price is flat or falling: supply absorbed), DISTRIBUTION (net selling while price is flat or rising),
 * MARKUP / MARKDOWN (whales pushing price their way), BALANCED. `score` (−100..100) = 100 × Σ weight ×
 * clamp(normalised, −1, 1) of `netFlowRatio` (0.5), `countImbalance` (0.2, (buys − sells) / trades) and
 * `netFlowShare` (0.3, net flow as % of market volume / shareScalePct); `signal` is ACCUMULATING at
 * score ≥ 25, DISTRIBUTING at ≤ −25, else NEUTRAL (also NEUTRAL with fewer than 3 whale trades).
 * A single trade is not a position: a taker buy may close a short. Read it as flow, not as holdings.
 *
 * Not enough data: when trades were not observed over the whole window (`observedSince` later than its
 * start) `warmingUp` is true, totals cover the observed part only, and pattern and signal are null.
 *
 * Pure: no I/O, no clock (`now` is an input). Precondition violations throw quoting the value.
 *
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Aggregate-Trade-Streams — aggregate trades: one taker order at one price; `m` = buyer is maker (taker SELL).
 * @see https://en.wikipedia.org/wiki/Wyckoff_method — accumulation and distribution: large operators absorbing supply or supplying demand without moving price, versus markup/markdown.
 */
export function computeWhaleActivity(input: Readonly<WhaleInput>): WhaleActivity {
  const t = resolveThresholds(input.thresholds);
  const minNotional = input.minNotional ?? DEFAULT_WHALE_MIN_NOTIONAL;
  validateInput(input, minNotional);
  const windowMs = WHALE_WINDOW_MS[input.window];
  const windowStart = input.now - windowMs;
  const from = input.observedSince === null ? null : Math.max(windowStart, input.observedSince);
  const warmingUp = from === null || from > windowStart;

  const seen = new Set<number>();
  const whales: WhaleTrade[] = [];
  if (from !== null) {
    for (const trade of input.trades) {
      if (trade.time < from || trade.time > input.now) continue;
      const notional = trade.price * trade.qty;
      if (notional < minNotional || seen.has(trade.id)) continue;
      seen.add(trade.id);
      whales.push({ symbol: input.symbol, id: trade.id, price: trade.price, qty: trade.qty, notional, side: trade.side, time: trade.time });
    }
  }
  let buyCount = 0;
  let sellCount = 0;
  let buyNotional = 0;
  let sellNotional = 0;
  let lastWhaleAt: number | null = null;
  for (const w of whales) {
    if (w.side === 'BUY') {
      buyCount += 1;
      buyNotional += w.notional;
    } else {
      sellCount += 1;
      sellNotional += w.notional;
    }
    if (lastWhaleAt === null || w.time > lastWhaleAt) lastWhaleAt = w.time;
  }
  const gross = buyNotional + sellNotional;
  const netFlow = buyNotional - sellNotional;
  const netFlowRatio = gross > 0 ? netFlow / gross : null;
  const count = buyCount + sellCount;

  const { volume: marketQuoteVolume, unrecorded } = windowVolume(input.candles, windowStart);
  const whaleSharePct = marketQuoteVolume !== null && marketQuoteVolume > 0 ? (gross / marketQuoteVolume) * 100 : null;
  const netSharePct = marketQuoteVolume !== null && marketQuoteVolume > 0 ? (netFlow / marketQuoteVolume) * 100 : null;
  const priceChangePct = windowPriceChange(input.candles, input.intervalMs, windowStart, input.lastPrice);

  const label = input.window;
  const factors: Factor[] = [
    factor(
      'netFlowRatio',
      netFlowRatio ?? 0,
      WEIGHTS.netFlowRatio,
      netFlowRatio ?? 0,
      netFlowRatio === null
        ? `no whale trade ≥ ${fmt(minNotional)} in the observed part of ${label}; counted as 0`
        : `whales bought ${fmt(buyNotional)} and sold ${fmt(sellNotional)}: net ${signedFmt(netFlow)} (${(netFlowRatio * 100).toFixed(1)} % of gross)`,
    ),
    factor(
      'countImbalance',
      count > 0 ? (buyCount - sellCount) / count : 0,
      WEIGHTS.countImbalance,
      count > 0 ? (buyCount - sellCount) / count : 0,
      count > 0 ? `${buyCount} whale buys vs ${sellCount} whale sells` : 'no whale trades; counted as 0',
    ),
    factor(
      'netFlowShare',
      netSharePct ?? 0,
      WEIGHTS.netFlowShare,
      (netSharePct ?? 0) / t.shareScalePct,
      netSharePct === null
        ? unrecorded
          ? 'market quote volume over the window unknown (the source does not record it); counted as 0'
          : 'market volume over the window unknown (no candles); counted as 0'
        : `net whale flow is ${netSharePct.toFixed(2)} % of the window's market volume ${fmt(marketQuoteVolume ?? 0)} (saturates at ±${t.shareScalePct} %)`,
    ),
  ];
  const rawScore = round2(100 * factors.reduce((s, f) => s + f.contribution, 0));
  const score = warmingUp ? 0 : rawScore;

  let pattern: WhalePattern | null = null;
  let signal: WhaleSignal | null = null;
  if (!warmingUp) {
    pattern = netFlowRatio === null ? WhalePatterns.BALANCED : priceChangePct === null ? null : classifyWhalePattern(netFlowRatio, priceChangePct, t);
    signal =
      count < t.minTrades ? WhaleSignals.NEUTRAL : score >= t.signalScore ? WhaleSignals.ACCUMULATING : score <= -t.signalScore ? WhaleSignals.DISTRIBUTING : WhaleSignals.NEUTRAL;
  }
  const largestTrades = [...whales].sort((a, b) => b.notional - a.notional || b.time - a.time).slice(0, t.largestCount);

  const note = warmingUp
    ? from === null
      ? 'no trades observed yet'
      : `trades observed for ${duration(input.now - from)} of the ${duration(windowMs)} window only (since ${iso(from)}): totals cover that part, pattern and signal need the whole window`
    : `${count} whale trade(s) ≥ ${fmt(minNotional)} over the last ${duration(windowMs)}` +
      (pattern === null ? '; price change unknown, no pattern' : `; ${pattern}`) +
      (count < t.minTrades ? ` (fewer than ${t.minTrades} trades: NEUTRAL)` : '');

  return {
    symbol: input.symbol,
    window: input.window,
    windowMs,
    minNotional,
    warmingUp,
    from,
    to: input.now,
    coveredMs: from === null ? 0 : input.now - from,
    buyCount,
    sellCount,
    buyNotional,
    sellNotional,
    netFlow,
    netFlowRatio,
    buyPressurePct: gross > 0 ? (buyNotional / gross) * 100 : null,
    sellPressurePct: gross > 0 ? (sellNotional / gross) * 100 : null,
    marketQuoteVolume,
    whaleSharePct,
    priceChangePct,
    pattern,
    signal,
    score,
    factors,
    largestTrades,
    lastWhaleAt,
    note,
  };
}

/**
 * Sum of quote volume of candles that opened in [windowStart, ∞); null when none did, or when one of them
 * has no recorded quote volume (`unrecorded`: a partial sum would overstate the whales' share).
 */
function windowVolume(candles: readonly WhaleCandle[], windowStart: number): { volume: number | null; unrecorded: boolean } {
  let sum = 0;
  let any = false;
  for (const c of candles) {
    if (c.openTime < windowStart) continue;
    if (c.quoteVolume === null) return { volume: null, unrecorded: true };
    sum += c.quoteVolume;
    any = true;
  }
  return { volume: any ? sum : null, unrecorded: false };
}

/** Close of the last candle that ended at or before windowStart (and within one bar of it) → last price, in %. */
function windowPriceChange(candles: readonly WhaleCandle[], intervalMs: number, windowStart: number, lastPrice: number | null): number | null {
  let start: WhaleCandle | undefined;
  for (const c of candles) {
    if (c.openTime + intervalMs <= windowStart) start = c;
    else break;
  }
  const end = lastPrice ?? candles.at(-1)?.close ?? null;
  if (!start || end === null || start.openTime + 2 * intervalMs <= windowStart) return null;
  return ((end - start.close) / start.close) * 100;
}

function resolveThresholds(overrides: Partial<WhaleThresholds> | undefined): WhaleThresholds {
  const t: WhaleThresholds = { ...DEFAULT_WHALE_THRESHOLDS };
  for (const key of Object.keys(t) as (keyof WhaleThresholds)[]) {
    const value = overrides?.[key];
    if (value !== undefined) t[key] = value;
  }
  for (const key of ['flowFlatRatio', 'priceFlatPct'] as const) {
    if (!Number.isFinite(t[key]) || t[key] < 0) fail(`thresholds.${key} must be a finite number >= 0, got ${quote(t[key])}`);
  }
  for (const key of ['shareScalePct', 'signalScore'] as const) {
    if (!Number.isFinite(t[key]) || t[key] <= 0) fail(`thresholds.${key} must be a finite number > 0, got ${quote(t[key])}`);
  }
  for (const key of ['minTrades', 'largestCount'] as const) {
    if (!Number.isInteger(t[key]) || t[key] < 0) fail(`thresholds.${key} must be an integer >= 0, got ${quote(t[key])}`);
  }
  return t;
}

function validateInput(input: Readonly<WhaleInput>, minNotional: number): void {
  if (!WINDOWS.includes(input.window)) fail(`window must be one of ${WINDOWS.join(', ')}, got ${quote(input.window)}`);
  checkTime('now', input.now);
  if (input.observedSince !== null) checkTime('observedSince', input.observedSince);
  if (!Number.isFinite(minNotional) || minNotional <= 0) fail(`minNotional must be a finite number > 0, got ${quote(minNotional)}`);
  if (!Number.isFinite(input.intervalMs) || input.intervalMs <= 0) fail(`intervalMs must be a finite number > 0, got ${quote(input.intervalMs)}`);
  if (input.lastPrice !== null && (!Number.isFinite(input.lastPrice) || input.lastPrice <= 0)) fail(`lastPrice must be null or > 0, got ${quote(input.lastPrice)}`);
  let previous = -Infinity;
  input.trades.forEach((tr, i) => {
    checkTime(`trades[${i}].time`, tr.time);
    if (tr.time < previous) fail(`trades must be ascending by time, but trades[${i}].time ${quote(tr.time)} < ${quote(previous)}`);
    previous = tr.time;
    if (!Number.isFinite(tr.price) || tr.price <= 0) fail(`trades[${i}].price must be a finite number > 0, got ${quote(tr.price)}`);
    if (!Number.isFinite(tr.qty) || tr.qty < 0) fail(`trades[${i}].qty must be a finite number >= 0, got ${quote(tr.qty)}`);
    if (tr.side !== 'BUY' && tr.side !== 'SELL') fail(`trades[${i}].side must be BUY or SELL, got ${quote(tr.side)}`);
  });
  previous = -Infinity;
  input.candles.forEach((c, i) => {
    checkTime(`candles[${i}].openTime`, c.openTime);
    if (c.openTime <= previous) fail(`candles must be strictly ascending by openTime, but candles[${i}].openTime ${quote(c.openTime)} <= ${quote(previous)}`);
    previous = c.openTime;
    if (!Number.isFinite(c.close) || c.close <= 0) fail(`candles[${i}].close must be a finite number > 0, got ${quote(c.close)}`);
    if (c.quoteVolume !== null && (!Number.isFinite(c.quoteVolume) || c.quoteVolume < 0))
      fail(`candles[${i}].quoteVolume must be null or a finite number >= 0, got ${quote(c.quoteVolume)}`);
  });
}

function checkTime(name: string, value: number): void {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_EPOCH_MS) fail(`${name} must be a finite epoch ms, got ${quote(value)}`);
}

function factor(name: string, value: number, weight: number, normalised: number, note: string): Factor {
  const contribution = weight * Math.min(1, Math.max(-1, normalised));
  return { name, value, weight, contribution: contribution === 0 ? 0 : contribution, note };
}

const fmt = (x: number): string => `${Math.round(x).toLocaleString('en-US')} USD`;
const signedFmt = (x: number): string => `${x > 0 ? '+' : x < 0 ? '−' : ''}${fmt(Math.abs(x))}`;
const iso = (ms: number): string => new Date(ms).toISOString();

function duration(ms: number): string {
  if (ms < 3_600_000) return `${Number((ms / 60_000).toFixed(1))} min`;
  return `${Number((ms / 3_600_000).toFixed(2))} h`;
}

function round2(x: number): number {
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 100)) / 100;
  return r === 0 ? 0 : r;
}
