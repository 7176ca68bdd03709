import { detectSwings, type Swing } from './swings.js';
import type { Factor } from './types.js';
import {
  DEFAULT_STRUCTURE_CONFIRM_BARS,
  StructureDirections,
  StructureEventKinds,
  StructureTrends,
  type MarketStructure,
  type MarketStructureInput,
  type StructureCandle,
  type StructureEvent,
  type StructureSwing,
  type StructureTrend,
  type SwingLabel,
} from './market-structure.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const MARKET_STRUCTURE_METHODOLOGY_VERSION = 'market-structure/1.0.0';

/** Largest accepted confirmBars (a swing needs 2 × confirmBars + 1 bars). */
export const MAX_STRUCTURE_CONFIRM_BARS = 50;

/** Factor weights of the structure score; they sum to 1. */
const WEIGHTS = { lastBreak: 0.5, highSequence: 0.25, lowSequence: 0.25 } as const;

const fail = (message: string): never => {
  throw new Error(`computeMarketStructure: ${message}`);
};

function validate(candles: readonly StructureCandle[], confirmBars: number): void {
  if (!Number.isInteger(confirmBars) || confirmBars < 1 || confirmBars > MAX_STRUCTURE_CONFIRM_BARS) {
    fail(`confirmBars must be an integer in 1..${MAX_STRUCTURE_CONFIRM_BARS}, got ${String(confirmBars)}`);
  }
  let previous = -Infinity;
  candles.forEach((c, i) => {
    if (!Number.isFinite(c.openTime) || c.openTime <= previous) fail(`candles must be strictly ascending by openTime; candle ${i} has openTime ${String(c.openTime)} after ${String(previous)}`);
    previous = c.openTime;
    if (![c.high, c.low, c.close].every(Number.isFinite) || c.low > c.high || c.close > c.high || c.close < c.low) {
      fail(`candle ${i} is not a valid bar: high ${String(c.high)}, low ${String(c.low)}, close ${String(c.close)}`);
    }
  });
}

/**
 * Market structure of one candle series: confirmed swing points labelled HH/LH/HL/LL, the trend they
 * form, and the breaks of structure (BOS) and changes of character (CHoCH) that moved it.
 *
 * How it works (bar by bar, so it never looks ahead):
 * - Swings: {@link detectSwings} fractals with `confirmBars` bars on each side. A swing exists only from
 *   the close of the confirming bar on (`confirmedAt`); swings are labelled against the previous
 *   confirmed swing of the same kind (HH if strictly higher, else LH; LL if strictly lower, else HL).
 * - Breaks: the active levels are the latest confirmed swing high and swing low not yet broken. A bar
 *   whose close is strictly above the active high is a bullish break (strictly below the active low a
 *   bearish one); each swing is broken at most once. A break in the direction of the trend is a BOS,
 *   against it a CHoCH. From RANGE (before any break) the first break is a BOS and sets the trend.
 *   Breaks are checked with the levels known before the bar, then the swings that bar confirms are added
 *   (a confirming bar cannot close beyond the swing it confirms).
 * - Trend: UPTREND after a bullish break, DOWNTREND after a bearish one, RANGE before the first break.
 *
 * How to read it: UPTREND with a recent BOS and HH/HL swings is a healthy uptrend; a CHoCH is the first
 * close against the prevailing structure (often where a reversal starts, or a stop run). The score
 * (−100..100) combines the last break (0.5), the last high's label (0.25: HH +1, LH −1) and the last
 * low's label (0.25: HL +1, LL −1). Because every value reported at a bar depends only on bars up to its
 * `confirmedAt`, appending newer bars never changes a reported swing or event (it is non-repainting).
 *
 * Pure: no I/O and no clock. Throws (quoting the value) on unsorted or invalid bars or a bad confirmBars.
 * Fewer bars than one swing high and one swing low need: `warmingUp: true`, trend null.
 *
 * @see https://www.investopedia.com/terms/d/dowtheory.asp — Dow theory: higher highs and higher lows define an uptrend.
 * @see https://www.investopedia.com/terms/f/fractal.asp — Bill Williams fractals (swing points confirmed by later bars).
 * @see https://www.tradingview.com/script/ZpHqSrBK-Market-Structure-Break-Of-Structure-BOS-and-Change-of-Character-CHoCH/ — the BOS / CHoCH vocabulary (smart-money concepts).
 */
export function computeMarketStructure(input: Readonly<MarketStructureInput>): MarketStructure {
  const confirmBars = input.confirmBars ?? DEFAULT_STRUCTURE_CONFIRM_BARS;
  const { candles } = input;
  validate(candles, confirmBars);

  const raw = detectSwings(candles, { confirmBars });
  const swings: StructureSwing[] = [];
  const events: StructureEvent[] = [];
  let trend: StructureTrend = StructureTrends.RANGE;
  let trendSince: number | null = null;
  let activeHigh: StructureSwing | null = null;
  let activeLow: StructureSwing | null = null;
  let lastHigh: StructureSwing | null = null;
  let lastLow: StructureSwing | null = null;
  let next = 0;

  const breakOf = (bar: StructureCandle, swing: StructureSwing, direction: 'BULLISH' | 'BEARISH'): void => {
    const withTrend = direction === StructureDirections.BULLISH ? trend !== StructureTrends.DOWNTREND : trend !== StructureTrends.UPTREND;
    const trendAfter = direction === StructureDirections.BULLISH ? StructureTrends.UPTREND : StructureTrends.DOWNTREND;
    events.push({
      kind: withTrend ? StructureEventKinds.BOS : StructureEventKinds.CHOCH,
      direction,
      level: swing.price,
      swing,
      time: bar.openTime,
      confirmedAt: bar.closeTime,
      close: bar.close,
      trendBefore: trend,
      trendAfter,
    });
    if (trend !== trendAfter) trendSince = bar.closeTime;
    trend = trendAfter;
  };

  for (let i = 0; i < candles.length; i += 1) {
    const bar = candles[i]!;
    if (activeHigh && bar.close > activeHigh.price) {
      breakOf(bar, activeHigh, StructureDirections.BULLISH);
      activeHigh = null;
    }
    if (activeLow && bar.close < activeLow.price) {
      breakOf(bar, activeLow, StructureDirections.BEARISH);
      activeLow = null;
    }
    for (; next < raw.length && raw[next]!.confirmedIndex === i; next += 1) {
      const s: Swing = raw[next]!;
      if (s.kind === 'HIGH') {
        const label: SwingLabel | null = lastHigh === null ? null : s.price > lastHigh.price ? 'HH' : 'LH';
        lastHigh = { kind: 'HIGH', price: s.price, time: s.time, confirmedAt: s.confirmedAt, label };
        activeHigh = lastHigh;
        swings.push(lastHigh);
      } else {
        const label: SwingLabel | null = lastLow === null ? null : s.price < lastLow.price ? 'LL' : 'HL';
        lastLow = { kind: 'LOW', price: s.price, time: s.time, confirmedAt: s.confirmedAt, label };
        activeLow = lastLow;
        swings.push(lastLow);
      }
    }
  }

  const last = candles.at(-1);
  const warmingUp = lastHigh === null || lastLow === null;
  const lastEvent = events.at(-1) ?? null;
  const factors = warmingUp ? [] : structureFactors(lastEvent, lastHigh, lastLow);
  const score = Math.round(100 * factors.reduce((s, f) => s + f.contribution, 0) * 100) / 100;
  return {
    symbol: input.symbol,
    interval: input.interval,
    confirmBars,
    bars: candles.length,
    warmingUp,
    time: last?.closeTime ?? null,
    close: last?.close ?? null,
    trend: warmingUp ? null : trend,
    trendSince: warmingUp ? null : trendSince,
    swings,
    lastSwingHigh: lastHigh,
    lastSwingLow: lastLow,
    events,
    lastEvent,
    score,
    factors,
  };
}

function structureFactors(lastEvent: StructureEvent | null, lastHigh: StructureSwing | null, lastLow: StructureSwing | null): Factor[] {
  const breakValue = lastEvent === null ? 0 : lastEvent.direction === StructureDirections.BULLISH ? 1 : -1;
  const highValue = lastHigh?.label === 'HH' ? 1 : lastHigh?.label === 'LH' ? -1 : 0;
  const lowValue = lastLow?.label === 'HL' ? 1 : lastLow?.label === 'LL' ? -1 : 0;
  return [
    {
      name: 'lastBreak',
      value: breakValue,
      weight: WEIGHTS.lastBreak,
      contribution: WEIGHTS.lastBreak * breakValue,
      note:
        lastEvent === null
          ? 'No close beyond a confirmed swing yet (RANGE): 0.'
          : `Last break: ${lastEvent.kind} ${lastEvent.direction.toLowerCase()} through ${lastEvent.level} (close ${lastEvent.close}): ${breakValue > 0 ? '+1' : '−1'}.`,
    },
    {
      name: 'highSequence',
      value: highValue,
      weight: WEIGHTS.highSequence,
      contribution: WEIGHTS.highSequence * highValue,
      note: `Last swing high ${lastHigh?.price ?? '—'} is ${lastHigh?.label ?? 'the first one'}: HH +1, LH −1.`,
    },
    {
      name: 'lowSequence',
      value: lowValue,
      weight: WEIGHTS.lowSequence,
      contribution: WEIGHTS.lowSequence * lowValue,
      note: `Last swing low ${lastLow?.price ?? '—'} is ${lastLow?.label ?? 'the first one'}: HL +1, LL −1.`,
    },
  ];
}
