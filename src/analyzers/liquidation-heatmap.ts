import { ATR } from 'trading-signals';
import type { Factor } from './types.js';
import {
  CascadeDirections,
  DEFAULT_BUCKETS,
  DEFAULT_LEVERAGE_TIERS,
  DEFAULT_LIQUIDATION_HEATMAP_THRESHOLDS,
  DEFAULT_RANGE_PCT,
  LiquidationPressures,
  LiquidationRiskLevels,
  PositionSides,
  type BracketTable,
  type CascadeDirection,
  type HeatmapCandle,
  type HeatmapTrade,
  type LeverageTier,
  type LeverageTierSummary,
  type LiquidationBucket,
  type LiquidationCascade,
  type LiquidationHeatmap,
  type LiquidationHeatmapInput,
  type LiquidationHeatmapThresholds,
  type LiquidationPressure,
  type LiquidationRiskLevel,
  type LiquidationTimelineSlice,
  type LiquidationZone,
  type MaintenanceBracket,
  type PositionSide,
  type WhaleTarget,
} from './liquidation-heatmap.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const LIQUIDATION_HEATMAP_METHODOLOGY_VERSION = 'liquidation-heatmap/1.1.1';

/** Factor weights of the pressure score; they sum to 1. */
const WEIGHTS = { rangeImbalance: 0.5, nearImbalance: 0.25, cascadeSkew: 0.25 } as const;
/** Largest |epoch ms| a JavaScript Date can hold. */
const MAX_EPOCH_MS = 8.64e15;
const MAX_BUCKETS = 10_000;
const MINUTE_MS = 60_000;
/** Below this the global reduction scale is folded into the entries, so it never underflows. */
const REBASE_BELOW = 1e-150;

const fail = (message: string): never => {
  throw new Error(`computeLiquidationHeatmap: ${message}`);
};
const quote = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));

// --- Liquidation price and brackets (exported for tests and reuse) ---

/**
 * Liquidation price of one isolated-margin position on Binance USDⓈ-M (one-way mode), with wallet balance
 * WB = initial margin = N / L, no other positions (TMM = UPNL = 0), fees and funding ignored:
 *
 *   LP = (WB + cum − side × Q × EP) / (Q × MMR − side × Q),  side = +1 long, −1 short, Q = N / EP
 *   long:  LP = EP × (1 − 1/L − cum/N) / (1 − MMR)
 *   short: LP = EP × (1 + 1/L + cum/N) / (1 + MMR)
 *
 * @see https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 — Binance: how to calculate the liquidation price of USDⓈ-M futures.
 */
export function liquidationPrice(
  side: PositionSide,
  entryPrice: number,
  leverage: number,
  bracket: Pick<MaintenanceBracket, 'maintenanceMarginRate' | 'maintenanceAmount'>,
  notional: number,
): number {
  const cumShare = notional > 0 ? bracket.maintenanceAmount / notional : 0;
  return side === PositionSides.LONG
    ? (entryPrice * (1 - 1 / leverage - cumShare)) / (1 - bracket.maintenanceMarginRate)
    : (entryPrice * (1 + 1 / leverage + cumShare)) / (1 + bracket.maintenanceMarginRate);
}

/** The bracket a position of `notional` falls in: floor < notional ≤ cap (0 in the first; beyond the table, the last). */
export function bracketFor(table: BracketTable, notional: number): MaintenanceBracket {
  const found = table.brackets.find((b) => notional <= b.notionalCap);
  return found ?? (table.brackets[table.brackets.length - 1] as MaintenanceBracket);
}

/**
 * The bracket a tier's representative position is maintained at. Leverage L is only allowed up to the cap
 * of the last bracket whose maxLeverage ≥ L, so the position notional is min(positionNotional, that cap);
 * a tier above the table's highest leverage is computed at that highest leverage.
 */
export function representativeBracket(
  table: BracketTable,
  leverage: number,
  positionNotional: number,
): { effectiveLeverage: number; notional: number; bracket: MaintenanceBracket } {
  const first = table.brackets[0] as MaintenanceBracket;
  const effectiveLeverage = Math.min(leverage, first.maxLeverage);
  let cap = first.notionalCap;
  for (const b of table.brackets) if (b.maxLeverage >= effectiveLeverage) cap = b.notionalCap;
  const notional = Math.min(positionNotional, cap);
  return { effectiveLeverage, notional, bracket: bracketFor(table, notional) };
}

/**
 * Maps a pressure score (−100..100) to a classification, inclusive at the cut-off:
 * `score >= cutoff` LONG_HEAVY, `score <= −cutoff` SHORT_HEAVY, otherwise BALANCED.
 */
export function classifyPressure(score: number, cutoff = DEFAULT_LIQUIDATION_HEATMAP_THRESHOLDS.pressureCutoff): LiquidationPressure {
  if (score >= cutoff) return LiquidationPressures.LONG_HEAVY;
  if (score <= -cutoff) return LiquidationPressures.SHORT_HEAVY;
  return LiquidationPressures.BALANCED;
}

/** Risk level of a cluster from its size in minutes of average traded volume (inclusive lower bounds). */
export function classifyRisk(volumeMinutes: number | null, t: Pick<LiquidationHeatmapThresholds, 'riskMediumMinutes' | 'riskHighMinutes' | 'riskExtremeMinutes'>): LiquidationRiskLevel {
  if (volumeMinutes === null) return LiquidationRiskLevels.LOW;
  if (volumeMinutes >= t.riskExtremeMinutes) return LiquidationRiskLevels.EXTREME;
  if (volumeMinutes >= t.riskHighMinutes) return LiquidationRiskLevels.HIGH;
  if (volumeMinutes >= t.riskMediumMinutes) return LiquidationRiskLevels.MEDIUM;
  return LiquidationRiskLevels.LOW;
}

/** 1 − exp(−(mass / volumePerMinute) / scaleMinutes): 0 without mass, → 1 as the mass outgrows the volume. */
export function cascadeProbability(mass: number, volumePerMinute: number, scaleMinutes: number): number {
  return 1 - Math.exp(-mass / volumePerMinute / scaleMinutes);
}

// --- The analyzer ---

interface Position {
  side: PositionSide;
  tier: number;
  liq: number;
  /** Notional / reduction scale at creation; the live notional is norm × scale. */
  norm: number;
  /** Entry price (quantity = notional / entry). */
  entry: number;
}

interface Level {
  time: number;
  price: number;
  weight: number;
  /** Taker-buy part of weight; null when the candle's source does not record it. */
  buy: number | null;
}

type HeatmapEvent =
  | { time: number; order: 0; kind: 'reduce'; ratio: number }
  | { time: number; order: 1; kind: 'check'; low: number; high: number }
  | { time: number; order: 2; kind: 'add'; entry: number; longQty: number; shortQty: number }
  | { time: number; order: 3; kind: 'slice' }
  | { time: number; order: 0; kind: 'seedScale'; target: number };

/**
 * Liquidation heatmap of one perpetual: where the leveraged positions opened recently would be liquidated,
 * and how that notional is spread around the current price.
 *
 * What it shows: `buckets` over [price × (1 − rangePct/100), price × (1 + rangePct/100)] with the notional
 * (quote at entry) of long positions that would be liquidated in each (always below the price) and of
 * shorts (always above), per leverage tier; the nearest and largest zones on each side; `whaleTargets`,
 * the largest runs of adjacent heavy buckets; `cascade`, how likely a push into nearby liquidations is to
 * feed on itself; `pressure`, which side carries more; `timeline`, the same buckets over time.
 *
 * How to read it: a bright band below the price is long liquidation fuel (a drop into it forces sells);
 * above, short fuel (a rise forces buys). Risk levels and probabilities compare that notional with the
 * volume the market normally trades: LOW < 0.5, MEDIUM ≥ 0.5, HIGH ≥ 2, EXTREME ≥ 5 minutes of volume.
 * It is an estimate from public data, not the venue's order book of stops.
 *
 * Method:
 * 0. Seed. The open interest of the first observation was opened before it: it is allocated like an
 *    increase over the `seedWindowMs` (3 days) of candles before it, that window's own price path removes
 *    the entries it would have liquidated, and the survivors are scaled to the observed open interest.
 *    `totals.coverage` = remaining notional / (latest open interest × price) says how much of the open
 *    interest the map accounts for (1 at start; lower after liquidations and exits it cannot re-place).
 * 1. Entries. Between consecutive open-interest observations, an increase ΔOI is allocated across the
 *    interval's candles (openTime in [t0, t1)) at their typical price (H + L + C) / 3, weighted by volume
 *    (or across its trades when no candle covers it); the interval's taker-buy share of volume goes long,
 *    the rest short. Each entry is split over the leverage mix.
 * 2. Reductions. A decrease multiplies every open entry by OI(t1) / OI(t0) (closes spread evenly).
 * 3. Liquidation price per tier from Binance's isolated-margin formula and the maintenance bracket of a
 *    `positionNotional` position ({@link liquidationPrice}, {@link representativeBracket}).
 * 4. Crossing. In time order, each candle's low (high) liquidates longs (shorts) opened before it whose
 *    liquidation price it reached; the current price does the same at the end. Those are dropped.
 * 5. Cascade: R = cascadeAtrMultiple × ATR(atrPeriod) of `atrCandles` (trading-signals, Wilder). Up mass
 *    = Σ short notional × max(0, 1 − (liq − price) / R); down mass likewise for longs. With V the average
 *    quote volume per minute of the candles in the last volumeWindowMs up to the newest candle,
 *    p = 1 − exp(−(mass / V) / cascadeScaleMinutes); direction UP/DOWN when one p exceeds the other by
 *    ≥ directionMargin, else NEUTRAL.
 * 6. Pressure score (−100..100) = 100 × Σ weight × clamp(value, −1, 1) over `rangeImbalance` (0.5,
 *    (long − short) / (long + short) in range), `nearImbalance` (0.25, (down − up) / (down + up) mass) and
 *    `cascadeSkew` (0.25, pDown − pUp); ≥ 20 LONG_HEAVY, ≤ −20 SHORT_HEAVY ({@link classifyPressure}).
 *
 * Invariants: allocated = reduced + liquidated + remaining, and remaining = Σ bucket notional + out of
 * range (up to rounding). `warmingUp` when there are fewer than `minOpenInterestPoints` observations or
 * no ATR yet; the cascade is then partly null, never invented.
 *
 * Pure: no I/O and no clock (time is `input.now`). Precondition violations throw an Error quoting the
 * offending value: non-positive price, unsorted or non-finite series, an invalid bracket table or
 * leverage mix, rangePct outside (0, 100), buckets outside 1..10 000, invalid thresholds.
 *
 * @see https://www.binance.com/en/support/faq/b3c689c1f50a44cabb3a84e663b81d93 — liquidation price formula (USDⓈ-M).
 * @see https://www.binance.com/en/support/faq/360033162192 — leverage and maintenance-margin brackets.
 * @see https://en.wikipedia.org/wiki/Average_true_range — ATR (Wilder), via trading-signals.
 */
export function computeLiquidationHeatmap(input: Readonly<LiquidationHeatmapInput>): LiquidationHeatmap {
  const t = resolveThresholds(input.thresholds);
  const rangePct = input.rangePct ?? DEFAULT_RANGE_PCT;
  const bucketCount = input.buckets ?? DEFAULT_BUCKETS;
  const tiers = input.leverageTiers ?? DEFAULT_LEVERAGE_TIERS;
  validateInput(input, rangePct, bucketCount, tiers);

  const { price, openInterest: oi, candles, bracketTable } = input;
  const trades = input.trades ?? [];

  // --- Leverage tiers: normalised weights, bracket and liquidation factors per side ---
  const weightSum = tiers.reduce((s, x) => s + x.weight, 0);
  const tierSetup = tiers.map((tier) => {
    const rep = representativeBracket(bracketTable, tier.leverage, t.positionNotional);
    return {
      tier,
      // Weights that already sum to 1 (up to rounding) are kept as given, so 0.05 stays 0.05.
      weight: Math.abs(weightSum - 1) < 1e-9 ? tier.weight : tier.weight / weightSum,
      rep,
      longFactor: liquidationPrice(PositionSides.LONG, 1, rep.effectiveLeverage, rep.bracket, rep.notional),
      shortFactor: liquidationPrice(PositionSides.SHORT, 1, rep.effectiveLeverage, rep.bracket, rep.notional),
    };
  });

  // --- Bucket grid ---
  const rangeLow = price * (1 - rangePct / 100);
  const rangeHigh = price * (1 + rangePct / 100);
  const width = (rangeHigh - rangeLow) / bucketCount;
  const edge = (i: number) => (i >= bucketCount ? rangeHigh : rangeLow + i * width);
  const bucketOf = (p: number): number => {
    if (!(p >= rangeLow && p <= rangeHigh)) return -1;
    let i = Math.min(bucketCount - 1, Math.max(0, Math.floor((p - rangeLow) / width)));
    while (i > 0 && p < edge(i)) i -= 1;
    while (i < bucketCount - 1 && p >= edge(i + 1)) i += 1;
    return i;
  };

  // --- Events: entries from OI increases, reductions, candle checks, timeline slices ---
  const events: HeatmapEvent[] = [];
  let increases = 0;
  let decreases = 0;
  let unplacedOpenInterest = 0;
  for (let i = 1; i < oi.length; i++) {
    const prev = oi[i - 1]!;
    const cur = oi[i]!;
    const delta = cur.openInterest - prev.openInterest;
    if (delta > 0) {
      increases += 1;
      const levels = levelsOf(candles, trades, prev.time, cur.time);
      if (levels.length === 0) {
        unplacedOpenInterest += delta;
        continue;
      }
      const totalWeight = levels.reduce((s, l) => s + l.weight, 0);
      const buyShare = takerBuyShare(levels);
      for (const level of levels) {
        const qty = delta * (totalWeight > 0 ? level.weight / totalWeight : 1 / levels.length);
        events.push({ time: level.time, order: 2, kind: 'add', entry: level.price, longQty: qty * buyShare, shortQty: qty * (1 - buyShare) });
      }
    } else if (delta < 0) {
      decreases += 1;
      events.push({ time: cur.time, order: 0, kind: 'reduce', ratio: prev.openInterest > 0 ? cur.openInterest / prev.openInterest : 0 });
    }
  }
  const from = oi[0]?.time ?? null;
  const to = oi[oi.length - 1]?.time ?? null;
  // Seed: the open interest already open at the first observation is spread over the candles of the
  // seedWindowMs before it (volume-weighted at typical prices, taker-buy share long), the window's own
  // price path liquidates what it would have, and the survivors are scaled to that open interest.
  let seededOpenInterest = 0;
  const seedFrom = from === null ? null : from - t.seedWindowMs;
  const first = oi[0];
  if (first && seedFrom !== null && first.openInterest > 0) {
    const levels = levelsOf(candles, trades, seedFrom, first.time);
    const totalWeight = levels.reduce((s, l) => s + l.weight, 0);
    // Without history before the first observation nothing is seeded (seededOpenInterest 0; coverage shows it).
    if (levels.length > 0) {
      seededOpenInterest = first.openInterest;
      const buyShare = takerBuyShare(levels);
      for (const level of levels) {
        const qty = first.openInterest * (totalWeight > 0 ? level.weight / totalWeight : 1 / levels.length);
        events.push({ time: level.time, order: 2, kind: 'add', entry: level.price, longQty: qty * buyShare, shortQty: qty * (1 - buyShare) });
      }
      events.push({ time: first.time, order: 0, kind: 'seedScale', target: first.openInterest });
    }
  }
  for (const c of candles) {
    if (seedFrom !== null && c.closeTime >= seedFrom) events.push({ time: c.openTime, order: 1, kind: 'check', low: c.low, high: c.high });
  }
  const sliceCount = t.timelineSlices;
  const sliceTimes: number[] = [];
  if (from !== null) {
    const start = Math.min(from, input.now);
    for (let s = 1; s < sliceCount; s++) sliceTimes.push(start + ((input.now - start) * s) / sliceCount);
    for (const time of sliceTimes) events.push({ time, order: 3, kind: 'slice' });
  }
  events.sort((a, b) => a.time - b.time || a.order - b.order);

  // --- Simulation in time order ---
  const longs = new Heap<Position>((a, b) => a.liq > b.liq); // highest long liquidation first
  const shorts = new Heap<Position>((a, b) => a.liq < b.liq); // lowest short liquidation first
  let scale = 1;
  let aliveNorm = 0;
  let allocated = 0;
  let reduced = 0;
  let liquidated = 0;
  let aliveQty = 0; // base units of the seeded entries still open (for the seed scale)
  const slices: LiquidationTimelineSlice[] = [];

  const cross = (low: number, high: number) => {
    for (let top = longs.peek(); top !== undefined && top.liq >= low; top = longs.peek()) {
      longs.pop();
      liquidated += top.norm * scale;
      aliveNorm -= top.norm;
    }
    for (let top = shorts.peek(); top !== undefined && top.liq <= high; top = shorts.peek()) {
      shorts.pop();
      liquidated += top.norm * scale;
      aliveNorm -= top.norm;
    }
  };
  const snapshot = (time: number) => {
    const notional = new Array<number>(bucketCount).fill(0);
    for (const heap of [longs, shorts]) {
      for (const p of heap.items) {
        const b = bucketOf(p.liq);
        if (b >= 0) notional[b] = (notional[b] as number) + p.norm * scale;
      }
    }
    slices.push({ time, notional });
  };

  for (const ev of events) {
    switch (ev.kind) {
      case 'reduce':
        if (ev.ratio <= 0) {
          reduced += aliveNorm * scale;
          longs.clear();
          shorts.clear();
          aliveNorm = 0;
          scale = 1;
        } else {
          reduced += aliveNorm * scale * (1 - ev.ratio);
          scale *= ev.ratio;
          if (scale < REBASE_BELOW) {
            for (const p of longs.items) p.norm *= scale;
            for (const p of shorts.items) p.norm *= scale;
            aliveNorm *= scale;
            scale = 1;
          }
        }
        break;
      case 'check':
        cross(ev.low, ev.high);
        break;
      case 'add':
        tierSetup.forEach((setup, k) => {
          for (const [side, qty, factor, heap] of [
            [PositionSides.LONG, ev.longQty, setup.longFactor, longs],
            [PositionSides.SHORT, ev.shortQty, setup.shortFactor, shorts],
          ] as const) {
            const notional = qty * setup.weight * ev.entry;
            if (!(notional > 0)) continue;
            const norm = notional / scale;
            heap.push({ side, tier: k, liq: ev.entry * factor, norm, entry: ev.entry });
            aliveNorm += norm;
            allocated += notional;
          }
        });
        break;
      case 'slice':
        snapshot(ev.time);
        break;
      case 'seedScale': {
        // Survivors of the seed window are what is open at the first observation: scale their quantity
        // to its open interest (up: entries the window's path liquidated were re-opened at the same levels).
        aliveQty = 0;
        for (const heap of [longs, shorts]) for (const p of heap.items) aliveQty += (p.norm * scale) / p.entry;
        if (aliveQty > 0) {
          const ratio = ev.target / aliveQty;
          const alive = aliveNorm * scale;
          if (ratio >= 1) allocated += alive * (ratio - 1);
          else reduced += alive * (1 - ratio);
          scale *= ratio;
        }
        break;
      }
    }
  }
  cross(price, price);
  if (from !== null) snapshot(input.now);

  // --- Buckets and totals from the remaining positions ---
  const tierCount = tierSetup.length;
  const buckets: LiquidationBucket[] = Array.from({ length: bucketCount }, (_, i) => ({
    priceLow: edge(i),
    priceHigh: edge(i + 1),
    price: (edge(i) + edge(i + 1)) / 2,
    longNotional: 0,
    shortNotional: 0,
    totalNotional: 0,
    longByTier: new Array<number>(tierCount).fill(0),
    shortByTier: new Array<number>(tierCount).fill(0),
  }));
  const tierLong = new Array<number>(tierCount).fill(0);
  const tierShort = new Array<number>(tierCount).fill(0);
  let outLong = 0;
  let outShort = 0;
  let remaining = 0;
  const alive = [...longs.items, ...shorts.items];
  for (const p of alive) {
    const notional = p.norm * scale;
    remaining += notional;
    const isLong = p.side === PositionSides.LONG;
    if (isLong) tierLong[p.tier] = (tierLong[p.tier] as number) + notional;
    else tierShort[p.tier] = (tierShort[p.tier] as number) + notional;
    const b = bucketOf(p.liq);
    if (b < 0) {
      if (isLong) outLong += notional;
      else outShort += notional;
      continue;
    }
    const bucket = buckets[b] as LiquidationBucket;
    if (isLong) {
      bucket.longNotional += notional;
      bucket.longByTier[p.tier] = (bucket.longByTier[p.tier] as number) + notional;
    } else {
      bucket.shortNotional += notional;
      bucket.shortByTier[p.tier] = (bucket.shortByTier[p.tier] as number) + notional;
    }
  }
  let inLong = 0;
  let inShort = 0;
  for (const b of buckets) {
    b.totalNotional = b.longNotional + b.shortNotional;
    inLong += b.longNotional;
    inShort += b.shortNotional;
  }

  // --- Zones and whale targets ---
  const distancePct = (p: number) => ((p - price) / price) * 100;
  const zone = (side: PositionSide, i: number | null): LiquidationZone | null => {
    if (i === null) return null;
    const b = buckets[i] as LiquidationBucket;
    return {
      side,
      priceLow: b.priceLow,
      priceHigh: b.priceHigh,
      price: b.price,
      notional: side === PositionSides.LONG ? b.longNotional : b.shortNotional,
      distancePct: distancePct(b.price),
    };
  };
  const longOf = (b: LiquidationBucket) => b.longNotional;
  const shortOf = (b: LiquidationBucket) => b.shortNotional;
  const maxLong = buckets.reduce((m, b) => Math.max(m, b.longNotional), 0);
  const maxShort = buckets.reduce((m, b) => Math.max(m, b.shortNotional), 0);
  let largestBelow: number | null = null;
  let nearestBelow: number | null = null;
  for (let i = bucketCount - 1; i >= 0; i--) {
    const v = (buckets[i] as LiquidationBucket).longNotional;
    if (v <= 0) continue;
    if (largestBelow === null || v > (buckets[largestBelow] as LiquidationBucket).longNotional) largestBelow = i;
    if (nearestBelow === null && v >= t.clusterMinShare * maxLong) nearestBelow = i;
  }
  let largestAbove: number | null = null;
  let nearestAbove: number | null = null;
  for (let i = 0; i < bucketCount; i++) {
    const v = (buckets[i] as LiquidationBucket).shortNotional;
    if (v <= 0) continue;
    if (largestAbove === null || v > (buckets[largestAbove] as LiquidationBucket).shortNotional) largestAbove = i;
    if (nearestAbove === null && v >= t.clusterMinShare * maxShort) nearestAbove = i;
  }

  const volumePerMinute = volumeReference(candles, t.volumeWindowMs);
  const whaleTargets = [
    ...clusters(buckets, PositionSides.LONG, longOf, t.clusterMinShare * maxLong),
    ...clusters(buckets, PositionSides.SHORT, shortOf, t.clusterMinShare * maxShort),
  ]
    .map((c): WhaleTarget => {
      const volumeMinutes = volumePerMinute === null ? null : c.notional / volumePerMinute;
      return { ...c, distancePct: distancePct(c.price), volumeMinutes, risk: classifyRisk(volumeMinutes, t) };
    })
    .sort((a, b) => b.notional - a.notional || Math.abs(a.distancePct) - Math.abs(b.distancePct))
    .slice(0, t.whaleTargets);

  // --- Cascade ---
  const atr = averageTrueRange(input.atrCandles, t.atrPeriod);
  const reach = atr === null ? null : t.cascadeAtrMultiple * atr;
  let upMass: number | null = null;
  let downMass: number | null = null;
  if (reach !== null) {
    upMass = 0;
    downMass = 0;
    if (reach > 0) {
      for (const p of alive) {
        const distance = p.side === PositionSides.LONG ? price - p.liq : p.liq - price;
        const w = Math.max(0, 1 - distance / reach);
        if (w <= 0) continue;
        if (p.side === PositionSides.LONG) downMass += p.norm * scale * w;
        else upMass += p.norm * scale * w;
      }
    }
  }
  const upProbability = upMass === null || volumePerMinute === null ? null : cascadeProbability(upMass, volumePerMinute, t.cascadeScaleMinutes);
  const downProbability = downMass === null || volumePerMinute === null ? null : cascadeProbability(downMass, volumePerMinute, t.cascadeScaleMinutes);
  let direction: CascadeDirection = CascadeDirections.NEUTRAL;
  if (upProbability !== null && downProbability !== null) {
    if (upProbability - downProbability >= t.directionMargin) direction = CascadeDirections.UP;
    else if (downProbability - upProbability >= t.directionMargin) direction = CascadeDirections.DOWN;
  }
  const cascade: LiquidationCascade = { atr, atrPeriod: t.atrPeriod, reach, volumePerMinute, upMass, downMass, upProbability, downProbability, direction };

  // --- Pressure ---
  const rangeImbalance = inLong + inShort > 0 ? (inLong - inShort) / (inLong + inShort) : 0;
  const nearAvailable = upMass !== null && downMass !== null && upMass + downMass > 0;
  const nearImbalance = nearAvailable ? ((downMass as number) - (upMass as number)) / ((downMass as number) + (upMass as number)) : 0;
  const skewAvailable = upProbability !== null && downProbability !== null;
  const cascadeSkew = skewAvailable ? (downProbability as number) - (upProbability as number) : 0;
  const factors: Factor[] = [
    factor('rangeImbalance', rangeImbalance, WEIGHTS.rangeImbalance, rangeNote(inLong, inShort, rangePct)),
    factor('nearImbalance', nearImbalance, WEIGHTS.nearImbalance, nearNote(cascade, nearAvailable)),
    factor('cascadeSkew', cascadeSkew, WEIGHTS.cascadeSkew, skewNote(cascade, skewAvailable)),
  ];
  const pressureScore = round2(100 * factors.reduce((s, f) => s + f.contribution, 0));
  const pressure = classifyPressure(pressureScore, t.pressureCutoff);

  const leverageTiers: LeverageTierSummary[] = tierSetup.map((s, k) => ({
    leverage: s.tier.leverage,
    effectiveLeverage: s.rep.effectiveLeverage,
    weight: s.weight,
    bracket: s.rep.bracket.bracket,
    positionNotional: s.rep.notional,
    maintenanceMarginRate: s.rep.bracket.maintenanceMarginRate,
    maintenanceAmount: s.rep.bracket.maintenanceAmount,
    longLiquidationOffsetPct: (s.longFactor - 1) * 100,
    shortLiquidationOffsetPct: (s.shortFactor - 1) * 100,
    longNotional: tierLong[k] as number,
    shortNotional: tierShort[k] as number,
  }));

  let timelineMax = 0;
  for (const slice of slices) for (const v of slice.notional) if (v > timelineMax) timelineMax = v;
  const candleIntervalMs = candles[0] ? candles[0].closeTime - candles[0].openTime + 1 : null;
  const atrIntervalMs = input.atrCandles[0] ? input.atrCandles[0].closeTime - input.atrCandles[0].openTime + 1 : null;
  const warmingUp = oi.length < t.minOpenInterestPoints || atr === null;
  const lastOi = oi[oi.length - 1];

  return {
    symbol: input.symbol,
    warmingUp,
    price,
    rangePct,
    rangeLow,
    rangeHigh,
    bucketSize: width,
    buckets,
    leverageTiers,
    bracketTable: bracketTable.name,
    totals: {
      allocatedNotional: allocated,
      reducedNotional: reduced,
      liquidatedNotional: liquidated,
      remainingNotional: remaining,
      longNotional: inLong,
      shortNotional: inShort,
      outOfRangeLongNotional: outLong,
      outOfRangeShortNotional: outShort,
      seededOpenInterest,
      openInterestNotional: lastOi !== undefined ? lastOi.openInterest * price : null,
      coverage: lastOi !== undefined && lastOi.openInterest > 0 ? remaining / (lastOi.openInterest * price) : null,
      unplacedOpenInterest,
    },
    nearestAbove: zone(PositionSides.SHORT, nearestAbove),
    largestAbove: zone(PositionSides.SHORT, largestAbove),
    nearestBelow: zone(PositionSides.LONG, nearestBelow),
    largestBelow: zone(PositionSides.LONG, largestBelow),
    whaleTargets,
    cascade,
    pressure,
    pressureScore,
    signal: pressureSignal(pressure, inLong, inShort, rangePct, zone(PositionSides.LONG, nearestBelow), zone(PositionSides.SHORT, nearestAbove), direction),
    factors,
    timeline: { slices, maxNotional: timelineMax },
    window: {
      from,
      to,
      openInterestPoints: oi.length,
      increases,
      decreases,
      candles: candles.length,
      candleIntervalMs,
      atrCandles: input.atrCandles.length,
    },
    assumptions: assumptionsOf({
      oiPoints: oi.length,
      from,
      to,
      increases,
      decreases,
      unplacedOpenInterest,
      tierSetup,
      bracketTable,
      positionNotional: t.positionNotional,
      candleIntervalMs,
      atrIntervalMs,
      thresholds: t,
    }),
  };
}

// --- Helpers ---

/** Price levels of the interval [t0, t1): its candles, or its trades when no candle opens in it. */
function levelsOf(candles: readonly HeatmapCandle[], trades: readonly HeatmapTrade[], t0: number, t1: number): Level[] {
  const levels: Level[] = [];
  for (let i = lowerBound(candles, t0, (c) => c.openTime); i < candles.length; i++) {
    const c = candles[i]!;
    if (c.openTime >= t1) break;
    levels.push({ time: c.openTime, price: (c.high + c.low + c.close) / 3, weight: c.volume, buy: c.takerBuyVolume === null ? null : Math.min(c.takerBuyVolume, c.volume) });
  }
  if (levels.length > 0) return levels;
  for (let i = lowerBound(trades, t0, (x) => x.time); i < trades.length; i++) {
    const x = trades[i]!;
    if (x.time >= t1) break;
    levels.push({ time: x.time, price: x.price, weight: x.qty, buy: x.side === 'BUY' ? x.qty : 0 });
  }
  return levels;
}

/**
 * Long share of new positions: the taker-buy share of the volume of the levels whose taker-buy volume is
 * known; an even split (the no-information prior) when none is known or nothing traded. Unknown taker
 * volume is never read as 0 (that would make every new position a short).
 */
function takerBuyShare(levels: readonly Level[]): number {
  let weight = 0;
  let buy = 0;
  for (const l of levels) {
    if (l.buy === null) continue;
    weight += l.weight;
    buy += l.buy;
  }
  return weight > 0 ? clamp(buy / weight, 0, 1) : 0.5;
}

function lowerBound<T>(items: readonly T[], value: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid] as T) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Average quote volume per minute of the candles in the last `windowMs` up to the newest candle's close,
 * over the candles whose quote volume is recorded; null when none is (a freqtrade replay): never a 0
 * volume that would make every cascade certain.
 */
function volumeReference(candles: readonly HeatmapCandle[], windowMs: number): number | null {
  const last = candles[candles.length - 1];
  if (!last) return null;
  const end = last.closeTime + 1;
  let volume = 0;
  let ms = 0;
  for (let i = candles.length - 1; i >= 0; i--) {
    const c = candles[i]!;
    if (c.openTime < end - windowMs) break;
    if (c.quoteVolume === null) continue;
    volume += c.quoteVolume;
    ms += c.closeTime + 1 - c.openTime;
  }
  return volume > 0 && ms > 0 ? volume / (ms / MINUTE_MS) : null;
}

function averageTrueRange(candles: readonly HeatmapCandle[], period: number): number | null {
  const atr = new ATR(period);
  for (const c of candles) atr.add({ high: c.high, low: c.low, close: c.close });
  return atr.isStable ? atr.getResultOrThrow() : null;
}

interface Cluster {
  side: PositionSide;
  price: number;
  priceLow: number;
  priceHigh: number;
  notional: number;
  buckets: number;
}

/** Maximal runs of adjacent buckets whose side notional is > 0 and ≥ threshold. */
function clusters(buckets: readonly LiquidationBucket[], side: PositionSide, value: (b: LiquidationBucket) => number, threshold: number): Cluster[] {
  const out: Cluster[] = [];
  let run: LiquidationBucket[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const notional = run.reduce((s, b) => s + value(b), 0);
    out.push({
      side,
      price: run.reduce((s, b) => s + value(b) * b.price, 0) / notional,
      priceLow: (run[0] as LiquidationBucket).priceLow,
      priceHigh: (run[run.length - 1] as LiquidationBucket).priceHigh,
      notional,
      buckets: run.length,
    });
    run = [];
  };
  for (const b of buckets) {
    const v = value(b);
    if (v > 0 && v >= threshold) run.push(b);
    else flush();
  }
  flush();
  return out;
}

function factor(name: string, value: number, weight: number, note: string): Factor {
  return { name, value, weight, contribution: weight * clamp(value, -1, 1), note };
}

function rangeNote(long: number, short: number, rangePct: number): string {
  const total = long + short;
  if (total <= 0) return `no estimated liquidation notional within ±${rangePct} % yet; counted as 0`;
  return `${pct(long / total)} of the ${fmt(total)} liquidation notional within ±${rangePct} % is long (below the price), ${pct(short / total)} short (above)`;
}

function nearNote(c: LiquidationCascade, available: boolean): string {
  if (c.reach === null) return 'ATR not available yet (warming up): near-price masses not computed; counted as 0';
  if (!available) return `no liquidation notional within the cascade reach ${fmt(c.reach)} of the price; counted as 0`;
  return `within ${fmt(c.reach)} of the price (distance-weighted): ${fmt(c.downMass ?? 0)} of longs below vs ${fmt(c.upMass ?? 0)} of shorts above`;
}

function skewNote(c: LiquidationCascade, available: boolean): string {
  if (!available) return c.reach === null ? 'ATR not available yet (warming up): cascade probabilities not computed; counted as 0' : 'no traded volume to compare with: cascade probabilities not computed; counted as 0';
  return `cascade probability down ${pct(c.downProbability ?? 0)} vs up ${pct(c.upProbability ?? 0)} (near mass over ${fmt(c.volumePerMinute ?? 0)} traded per minute)`;
}

function pressureSignal(
  pressure: LiquidationPressure,
  long: number,
  short: number,
  rangePct: number,
  below: LiquidationZone | null,
  above: LiquidationZone | null,
  direction: CascadeDirection,
): string {
  const total = long + short;
  if (total <= 0) return `No leveraged positions estimated within ±${rangePct} % of the price yet.`;
  const where = (z: LiquidationZone | null, label: string) => (z ? ` Nearest ${label} cluster at ${fmt(z.price)} (${z.distancePct.toFixed(2)} %).` : '');
  const cascade = direction === CascadeDirections.NEUTRAL ? '' : ` A cascade is more likely ${direction === CascadeDirections.UP ? 'upward' : 'downward'}.`;
  if (pressure === LiquidationPressures.LONG_HEAVY)
    return `Long liquidations dominate: ${pct(long / total)} of the estimated liquidation notional within ±${rangePct} % sits below the price, so a drop would force sells.${where(below, 'long')}${cascade}`;
  if (pressure === LiquidationPressures.SHORT_HEAVY)
    return `Short liquidations dominate: ${pct(short / total)} of the estimated liquidation notional within ±${rangePct} % sits above the price, so a rise would force buys (a squeeze).${where(above, 'short')}${cascade}`;
  return `Liquidation notional is balanced around the price (${pct(long / total)} long below, ${pct(short / total)} short above).${where(below, 'long')}${where(above, 'short')}${cascade}`;
}

function assumptionsOf(a: {
  oiPoints: number;
  from: number | null;
  to: number | null;
  increases: number;
  decreases: number;
  unplacedOpenInterest: number;
  tierSetup: readonly { tier: LeverageTier; weight: number; rep: ReturnType<typeof representativeBracket> }[];
  bracketTable: BracketTable;
  positionNotional: number;
  candleIntervalMs: number | null;
  atrIntervalMs: number | null;
  thresholds: LiquidationHeatmapThresholds;
}): string[] {
  const window =
    a.from === null || a.to === null
      ? 'no open-interest observations yet'
      : `${a.oiPoints} open-interest observations from ${new Date(a.from).toISOString()} to ${new Date(a.to).toISOString()} (${a.increases} increases, ${a.decreases} decreases)`;
  const maxLeverage = (a.bracketTable.brackets[0] as MaintenanceBracket).maxLeverage;
  const capped = a.tierSetup.filter((s) => s.rep.effectiveLeverage < s.tier.leverage).map((s) => `${s.tier.leverage}x`);
  const out = [
    `Data window: ${window}; open interest older than the window is not modelled, so only positions opened inside it appear.`,
    `Entries: each open-interest increase is spread over the interval's ${a.candleIntervalMs === null ? '' : `${duration(a.candleIntervalMs)} `}candles at their typical price (high + low + close) / 3, weighted by volume (over its trades when no candle covers it); the interval's taker-buy share goes long, the rest short.`,
    'Exits: an open-interest decrease shrinks every open entry by the same factor (OI after / OI before).',
    `Leverage mix: ${a.tierSetup.map((s) => `${s.tier.leverage}x ${pct(s.weight)}`).join(', ')}.`,
    `Maintenance brackets: ${a.bracketTable.name} (${a.bracketTable.asOf}); each tier uses the bracket of a ${fmt(a.positionNotional)} position, capped at the largest notional its leverage allows.${capped.length > 0 ? ` ${capped.join(', ')} exceed the table's ${maxLeverage}x maximum and are computed at ${maxLeverage}x.` : ''}`,
    'Liquidation price: Binance USDⓈ-M isolated-margin formula with the initial margin as wallet balance; added margin, fees and funding are ignored.',
    "Crossing: an entry is dropped once a later candle's low (longs) or high (shorts), or the current price, reaches its liquidation price; the candle it was opened in is not checked. Candles are last-price candles, while Binance liquidates on the mark price.",
    'Notional is quantity × entry price, in the quote currency.',
    `Cascade: ATR(${a.thresholds.atrPeriod})${a.atrIntervalMs === null ? '' : ` of ${duration(a.atrIntervalMs)} candles`}, reach ${a.thresholds.cascadeAtrMultiple} × ATR; volume reference: average quote volume per minute over the last ${duration(a.thresholds.volumeWindowMs)} of candles; p = 1 − exp(−minutes of volume / ${a.thresholds.cascadeScaleMinutes}). A heuristic likelihood, not a calibrated probability.`,
  ];
  if (a.unplacedOpenInterest > 0) out.push(`${fmt(a.unplacedOpenInterest)} contracts of open-interest increase fell in intervals without candles or trades and were not placed.`);
  return out;
}

function resolveThresholds(overrides: Partial<LiquidationHeatmapThresholds> | undefined): LiquidationHeatmapThresholds {
  const t: LiquidationHeatmapThresholds = { ...DEFAULT_LIQUIDATION_HEATMAP_THRESHOLDS };
  for (const key of Object.keys(t) as (keyof LiquidationHeatmapThresholds)[]) {
    const value = overrides?.[key];
    if (value !== undefined) t[key] = value;
  }
  if (!Number.isFinite(t.seedWindowMs) || t.seedWindowMs < 0) fail(`thresholds.seedWindowMs must be a finite number >= 0, got ${quote(t.seedWindowMs)}`);
  for (const key of ['positionNotional', 'cascadeAtrMultiple', 'volumeWindowMs', 'cascadeScaleMinutes', 'pressureCutoff'] as const) {
    if (!Number.isFinite(t[key]) || t[key] <= 0) fail(`thresholds.${key} must be a finite number > 0, got ${quote(t[key])}`);
  }
  for (const key of ['directionMargin', 'riskMediumMinutes'] as const) {
    if (!Number.isFinite(t[key]) || t[key] < 0) fail(`thresholds.${key} must be a finite number >= 0, got ${quote(t[key])}`);
  }
  if (!(t.clusterMinShare >= 0 && t.clusterMinShare <= 1)) fail(`thresholds.clusterMinShare must be within 0..1, got ${quote(t.clusterMinShare)}`);
  if (!(t.riskHighMinutes >= t.riskMediumMinutes && t.riskExtremeMinutes >= t.riskHighMinutes && Number.isFinite(t.riskExtremeMinutes)))
    fail(`thresholds must satisfy riskMediumMinutes <= riskHighMinutes <= riskExtremeMinutes, got ${quote([t.riskMediumMinutes, t.riskHighMinutes, t.riskExtremeMinutes])}`);
  for (const key of ['atrPeriod', 'whaleTargets', 'timelineSlices', 'minOpenInterestPoints'] as const) {
    if (!Number.isSafeInteger(t[key]) || t[key] < 1 || t[key] > 10_000) fail(`thresholds.${key} must be an integer within 1..10000, got ${quote(t[key])}`);
  }
  return t;
}

function validateInput(input: Readonly<LiquidationHeatmapInput>, rangePct: number, buckets: number, tiers: readonly LeverageTier[]): void {
  if (typeof input.symbol !== 'string' || input.symbol === '') fail(`symbol must be a non-empty string, got ${quote(input.symbol)}`);
  checkTime('now', input.now);
  if (!Number.isFinite(input.price) || input.price <= 0) fail(`price must be a finite number > 0, got ${quote(input.price)}`);
  if (!Number.isFinite(rangePct) || rangePct <= 0 || rangePct >= 100) fail(`rangePct must be a number with 0 < rangePct < 100, got ${quote(rangePct)}`);
  if (!Number.isSafeInteger(buckets) || buckets < 1 || buckets > MAX_BUCKETS) fail(`buckets must be an integer within 1..${MAX_BUCKETS}, got ${quote(buckets)}`);

  let previous = -Infinity;
  input.openInterest.forEach((p, i) => {
    checkTime(`openInterest[${i}].time`, p.time);
    if (p.time <= previous) fail(`openInterest must be sorted strictly ascending by time, but openInterest[${i}].time ${quote(p.time)} <= openInterest[${i - 1}].time ${quote(previous)}`);
    if (!Number.isFinite(p.openInterest) || p.openInterest < 0) fail(`openInterest[${i}].openInterest must be a finite number >= 0, got ${quote(p.openInterest)}`);
    previous = p.time;
  });
  checkCandles('candles', input.candles);
  checkCandles('atrCandles', input.atrCandles);
  previous = -Infinity;
  (input.trades ?? []).forEach((x, i) => {
    checkTime(`trades[${i}].time`, x.time);
    if (x.time < previous) fail(`trades must be sorted ascending by time, but trades[${i}].time ${quote(x.time)} < trades[${i - 1}].time ${quote(previous)}`);
    if (!Number.isFinite(x.price) || x.price <= 0) fail(`trades[${i}].price must be a finite number > 0, got ${quote(x.price)}`);
    if (!Number.isFinite(x.qty) || x.qty < 0) fail(`trades[${i}].qty must be a finite number >= 0, got ${quote(x.qty)}`);
    previous = x.time;
  });

  const table = input.bracketTable.brackets;
  if (table.length === 0) fail(`bracketTable.brackets of ${quote(input.bracketTable.name)} must not be empty`);
  table.forEach((b, i) => {
    const at = `bracketTable.brackets[${i}]`;
    if (!Number.isFinite(b.maxLeverage) || b.maxLeverage < 1) fail(`${at}.maxLeverage must be a finite number >= 1, got ${quote(b.maxLeverage)}`);
    if (!(b.maintenanceMarginRate >= 0 && b.maintenanceMarginRate < 1 / b.maxLeverage))
      fail(`${at}.maintenanceMarginRate must be within [0, 1 / maxLeverage) so a position is not liquidated at entry, got ${quote(b.maintenanceMarginRate)}`);
    if (!Number.isFinite(b.maintenanceAmount) || b.maintenanceAmount < 0) fail(`${at}.maintenanceAmount must be a finite number >= 0, got ${quote(b.maintenanceAmount)}`);
    if (!(b.notionalCap > b.notionalFloor && b.notionalFloor >= 0)) fail(`${at} must have 0 <= notionalFloor < notionalCap, got ${quote([b.notionalFloor, b.notionalCap])}`);
    const prev = table[i - 1];
    if (prev && (b.notionalFloor < prev.notionalCap || b.maxLeverage > prev.maxLeverage))
      fail(`${at} must follow bracket ${i - 1} (ascending notional, non-increasing maxLeverage), got floor ${quote(b.notionalFloor)} / maxLeverage ${quote(b.maxLeverage)}`);
  });

  if (tiers.length === 0) fail('leverageTiers must not be empty');
  const seen = new Set<number>();
  tiers.forEach((tier, i) => {
    if (!Number.isFinite(tier.leverage) || tier.leverage < 1) fail(`leverageTiers[${i}].leverage must be a finite number >= 1, got ${quote(tier.leverage)}`);
    if (seen.has(tier.leverage)) fail(`leverageTiers must have distinct leverages, but ${quote(tier.leverage)} appears twice`);
    seen.add(tier.leverage);
    if (!Number.isFinite(tier.weight) || tier.weight <= 0) fail(`leverageTiers[${i}].weight must be a finite number > 0, got ${quote(tier.weight)}`);
  });
}

function checkCandles(name: string, candles: readonly HeatmapCandle[]): void {
  let previous = -Infinity;
  candles.forEach((c, i) => {
    const at = `${name}[${i}]`;
    checkTime(`${at}.openTime`, c.openTime);
    checkTime(`${at}.closeTime`, c.closeTime);
    if (c.openTime <= previous) fail(`${name} must be sorted strictly ascending by openTime, but ${at}.openTime ${quote(c.openTime)} <= ${quote(previous)}`);
    if (c.closeTime < c.openTime) fail(`${at}.closeTime ${quote(c.closeTime)} is before its openTime ${quote(c.openTime)}`);
    for (const key of ['high', 'low', 'close'] as const) if (!Number.isFinite(c[key]) || c[key] <= 0) fail(`${at}.${key} must be a finite number > 0, got ${quote(c[key])}`);
    if (c.high < c.low) fail(`${at}.high ${quote(c.high)} is below its low ${quote(c.low)}`);
    if (!Number.isFinite(c.volume) || c.volume < 0) fail(`${at}.volume must be a finite number >= 0, got ${quote(c.volume)}`);
    if (c.quoteVolume !== null && (!Number.isFinite(c.quoteVolume) || c.quoteVolume < 0))
      fail(`${at}.quoteVolume must be null or a finite number >= 0, got ${quote(c.quoteVolume)}`);
    if (c.takerBuyVolume !== null && (!Number.isFinite(c.takerBuyVolume) || c.takerBuyVolume < 0))
      fail(`${at}.takerBuyVolume must be null or a finite number >= 0, got ${quote(c.takerBuyVolume)}`);
    previous = c.openTime;
  });
}

function checkTime(name: string, value: number): void {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_EPOCH_MS) fail(`${name} must be a finite epoch ms within ±${MAX_EPOCH_MS}, got ${quote(value)}`);
}

/** Binary heap; `before(a, b)` is true when a leaves before b. */
class Heap<T> {
  readonly items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  peek(): T | undefined {
    return this.items[0];
  }

  clear(): void {
    this.items.length = 0;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.before(items[l] as T, items[m] as T)) m = l;
        if (r < items.length && this.before(items[r] as T, items[m] as T)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m] as T, items[i] as T];
        i = m;
      }
    }
    return top;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Rounds half away from zero to 2 decimals, never returning −0. */
function round2(x: number): number {
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 100)) / 100;
  return r === 0 ? 0 : r;
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

/** A price or amount with significant digits that suit both BTC (95 000) and DOGE (0.35). */
function fmt(x: number): string {
  return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : Number(x.toPrecision(6)).toString();
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % MINUTE_MS === 0) return `${ms / MINUTE_MS} min`;
  return `${ms} ms`;
}
