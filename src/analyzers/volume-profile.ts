import { mean as meanOf } from '../math/statistics.js';
import type { Factor } from './types.js';
import {
  DEFAULT_BUCKET_FRACTION,
  DEFAULT_VOLUME_PROFILE_OPTIONS,
  ValueAreaPositions,
  type ProfileBucket,
  type ProfileCandle,
  type ValueAreaPosition,
  type VolumeNode,
  type VolumeProfile,
  type VolumeProfileInput,
  type VolumeProfileOptions,
} from './volume-profile.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const VOLUME_PROFILE_METHODOLOGY_VERSION = 'volume-profile/1.1.0';

const MAX_EPOCH_MS = 8.64e15;
/** Guards bucket indices against float noise (a low of exactly 3 × 0.1 must land in bucket 3, not 2). */
const INDEX_EPSILON = 1e-9;
const TAKER_EPSILON = 1e-9;

const fail = (message: string): never => {
  throw new Error(`computeVolumeProfile: ${message}`);
};
const quote = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));
/** k × size without binary noise (0.30000000000000004 → 0.3). */
const level = (k: number, size: number): number => Number((k * size).toPrecision(12));
const bucketIndex = (price: number, size: number): number => Math.floor(price / size + INDEX_EPSILON);
/** Bucket of a candle's high: a high exactly on a bucket edge belongs to the bucket below (no zero-width share). */
const topIndex = (c: Pick<ProfileCandle, 'high' | 'low'>, size: number): number =>
  c.high > c.low ? Math.max(bucketIndex(c.low, size), Math.ceil(c.high / size - INDEX_EPSILON) - 1) : bucketIndex(c.high, size);

/**
 * Default bucket size for a price: `fraction` (0.1 %) of it rounded to the nearest 1-2-5 step
 * (…, 0.1, 0.2, 0.5, 1, 2, 5, 10, …), so BTC at 100 000 gets 100 and ETH at 4 000 gets 5. A 1-2-5 step
 * of 10^k is a whole number of ticks for every decimal tick size ≤ 10^k.
 */
export function defaultBucketSize(price: number, fraction = DEFAULT_BUCKET_FRACTION): number {
  if (!Number.isFinite(price) || price <= 0) throw new RangeError(`defaultBucketSize: price must be a finite number > 0, got ${quote(price)}`);
  const raw = price * fraction;
  const exp = Math.floor(Math.log10(raw));
  const base = 10 ** exp;
  const steps = [1, 2, 5, 10].map((m) => m * base);
  let best = steps[0] as number;
  for (const s of steps) if (Math.abs(Math.log(s / raw)) < Math.abs(Math.log(best / raw))) best = s;
  return Number(best.toPrecision(12));
}

/**
 * Volume per price bucket: each candle's volume spread uniformly over its high-low range (each bucket
 * gets volume × overlap / range; a candle with high = low puts everything in the bucket of its price).
 * Taker buy volume is spread the same way; when any candle lacks it, every bucket's buy/sell split is null. Buckets are [k × size, (k + 1) × size); the result spans the
 * lowest low to the highest high, ascending. Exported so key levels can reuse the nodes.
 */
export function buildProfileBuckets(candles: readonly ProfileCandle[], bucketSize: number, maxBuckets = DEFAULT_VOLUME_PROFILE_OPTIONS.maxBuckets): ProfileBucket[] {
  if (candles.length === 0) return [];
  let kMin = Infinity;
  let kMax = -Infinity;
  for (const c of candles) {
    kMin = Math.min(kMin, bucketIndex(c.low, bucketSize));
    kMax = Math.max(kMax, topIndex(c, bucketSize));
  }
  const count = kMax - kMin + 1;
  if (count > maxBuckets) fail(`bucketSize ${quote(bucketSize)} gives ${count} buckets over ${level(kMin, bucketSize)}–${level(kMax + 1, bucketSize)}, more than ${maxBuckets}`);
  const volume = new Array<number>(count).fill(0);
  const buy = new Array<number>(count).fill(0);
  const takerKnown = candles.every((c) => c.takerBuyVolume !== null);
  for (const c of candles) {
    if (c.volume <= 0) continue;
    const taker = c.takerBuyVolume === null ? 0 : Math.min(c.takerBuyVolume, c.volume);
    const lo = bucketIndex(c.low, bucketSize);
    const hi = topIndex(c, bucketSize);
    if (c.high === c.low || lo === hi) {
      volume[lo - kMin] = (volume[lo - kMin] as number) + c.volume;
      buy[lo - kMin] = (buy[lo - kMin] as number) + taker;
      continue;
    }
    const overlaps: number[] = [];
    let total = 0;
    for (let k = lo; k <= hi; k += 1) {
      const overlap = Math.max(0, Math.min(c.high, (k + 1) * bucketSize) - Math.max(c.low, k * bucketSize));
      overlaps.push(overlap);
      total += overlap;
    }
    // Normalising by the summed overlaps (not high − low) keeps Σ bucket volume = candle volume exactly.
    overlaps.forEach((overlap, j) => {
      if (overlap <= 0) return;
      const i = lo + j - kMin;
      volume[i] = (volume[i] as number) + (c.volume * overlap) / total;
      buy[i] = (buy[i] as number) + (taker * overlap) / total;
    });
  }
  const totalVolume = volume.reduce((s, v) => s + v, 0);
  return volume.map((v, i) => {
    const k = kMin + i;
    const b = buy[i] as number;
    return {
      priceLow: level(k, bucketSize),
      priceHigh: level(k + 1, bucketSize),
      price: level(k + 0.5, bucketSize),
      volume: v,
      buyVolume: takerKnown ? b : null,
      sellVolume: takerKnown ? Math.max(0, v - b) : null,
      share: totalVolume > 0 ? v / totalVolume : 0,
      inValueArea: false,
    };
  });
}

/**
 * Value area by expansion from the POC: starting with the POC bucket, repeatedly add the neighbouring
 * bucket (one above, one below) with more volume until the covered volume reaches `pct` % of the total;
 * on a tie both are added; at an edge the other side is taken. Returns inclusive bucket indices.
 */
export function expandValueArea(volumes: readonly number[], poc: number, pct: number): { lo: number; hi: number; volume: number } {
  const total = volumes.reduce((s, v) => s + v, 0);
  const target = (pct / 100) * total;
  let lo = poc;
  let hi = poc;
  let covered = volumes[poc] ?? 0;
  // The relative slack stops float noise from adding one more bucket when the target is hit exactly.
  while (covered < target - total * 1e-12) {
    const above = hi + 1 < volumes.length ? (volumes[hi + 1] as number) : -1;
    const below = lo - 1 >= 0 ? (volumes[lo - 1] as number) : -1;
    if (above < 0 && below < 0) break;
    if (above >= below) {
      hi += 1;
      covered += above;
    }
    if (below >= above) {
      lo -= 1;
      covered += below;
    }
  }
  return { lo, hi, volume: covered };
}

/**
 * Centred moving average of odd width. Prices beyond the profile traded nothing, so the window counts
 * them as zero volume (a truncated window would inflate the edge buckets into false nodes).
 */
export function smoothProfile(volumes: readonly number[], width: number): number[] {
  const half = Math.floor(width / 2);
  return volumes.map((_, i) => {
    let s = 0;
    for (let k = Math.max(0, i - half); k <= Math.min(volumes.length - 1, i + half); k += 1) s += volumes[k] as number;
    return s / width;
  });
}

/**
 * High- and low-volume nodes: interior local maxima / minima of the smoothed profile (a run of equal
 * values counts once, at its middle bucket, when both neighbours of the run are lower / higher). A maximum
 * is kept when its smoothed volume is at least the mean smoothed volume, a minimum when at most; the
 * `maxNodes` strongest of each (highest HVNs, thinnest LVNs) are returned, strongest first.
 */
export function findVolumeNodes(buckets: readonly ProfileBucket[], smoothingBuckets: number, maxNodes: number): { high: VolumeNode[]; low: VolumeNode[] } {
  const s = smoothProfile(
    buckets.map((b) => b.volume),
    smoothingBuckets,
  );
  const mean = s.length > 0 ? meanOf(s) : 0;
  const high: VolumeNode[] = [];
  const low: VolumeNode[] = [];
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[i]) j += 1;
    if (i > 0 && j < s.length - 1) {
      const v = s[i] as number;
      const left = s[i - 1] as number;
      const right = s[j + 1] as number;
      const mid = Math.floor((i + j) / 2);
      const b = buckets[mid] as ProfileBucket;
      const node = { price: b.price, priceLow: b.priceLow, priceHigh: b.priceHigh, volume: b.volume, smoothedVolume: v };
      if (v > left && v > right && v >= mean) high.push(node);
      if (v < left && v < right && v <= mean) low.push(node);
    }
    i = j + 1;
  }
  high.sort((a, b) => b.smoothedVolume - a.smoothedVolume);
  low.sort((a, b) => a.smoothedVolume - b.smoothedVolume);
  return { high: high.slice(0, maxNodes), low: low.slice(0, maxNodes) };
}

/**
 * Volume profile of one range: how much volume traded at each price, the point of control (POC), the
 * value area (where `valueAreaPct` % of the volume traded) and the high/low-volume nodes.
 *
 * What it measures: candles with from ≤ openTime < to; each one's volume spread uniformly over its
 * high-low range into buckets of `bucketSize` (see {@link buildProfileBuckets}; OHLC candles do not say
 * where inside the bar the volume traded, so uniform is the neutral assumption). POC = bucket with the most
 * volume (ties: nearest the last close, then the lower); value area by expansion from the POC
 * ({@link expandValueArea}); VAH / VAL = the upper / lower edge of the value area's outer buckets;
 * HVN / LVN from the smoothed profile ({@link findVolumeNodes}).
 *
 * How to read it: the POC and HVNs are prices the market accepted (they tend to attract and hold price);
 * LVNs are prices it rejected (price tends to move through them quickly); a close outside the value area
 * is ABOVE / BELOW it (acceptance outside value or a failed auction when it comes back).
 *
 * Pure: precondition violations throw quoting the value (from ≥ to, bucketSize ≤ 0, valueAreaPct outside
 * (0, 100), unordered or invalid candles, more than `maxBuckets` buckets). No volume in the range gives
 * `warmingUp: true` and null levels.
 *
 * @see https://www.cmegroup.com/education/courses/trading-and-analysis/volume-profile.html — volume profile, POC, value area (70 %).
 * @see https://www.tradingview.com/support/solutions/43000502040-volume-profile-indicators-basic-concepts/ — value area expansion from the POC, HVN / LVN.
 */
export function computeVolumeProfile(input: Readonly<VolumeProfileInput>): VolumeProfile {
  const o = resolveOptions(input.options);
  const { from, to, bucketSize } = input;
  if (!Number.isFinite(from) || Math.abs(from) > MAX_EPOCH_MS) fail(`from must be a finite epoch ms, got ${quote(from)}`);
  if (!Number.isFinite(to) || Math.abs(to) > MAX_EPOCH_MS) fail(`to must be a finite epoch ms, got ${quote(to)}`);
  if (from >= to) fail(`from must be before to, got from ${quote(from)} >= to ${quote(to)}`);
  if (!Number.isFinite(bucketSize) || bucketSize <= 0) fail(`bucketSize must be a finite number > 0, got ${quote(bucketSize)}`);
  validateCandles(input.candles);

  const inRange = input.candles.filter((c) => c.openTime >= from && c.openTime < to);
  const firstHeld = input.candles[0];
  const complete = firstHeld !== undefined && firstHeld.openTime <= from;
  const buckets = buildProfileBuckets(inRange, bucketSize, o.maxBuckets);
  const totalVolume = buckets.reduce((s, b) => s + b.volume, 0);
  const lastPrice = inRange.at(-1)?.close ?? null;
  const base = {
    symbol: input.symbol,
    interval: input.interval,
    from,
    to,
    coveredFrom: inRange[0]?.openTime ?? null,
    complete,
    bars: inRange.length,
    takerCoverage: inRange.length > 0 ? inRange.filter((c) => c.takerBuyVolume !== null).length / inRange.length : null,
    bucketSize,
    valueAreaPct: o.valueAreaPct,
    totalVolume,
    lastPrice,
  };
  const coverage = complete ? '' : `; the candles held start at ${iso(firstHeld?.openTime ?? to)}, after from ${iso(from)}: the profile covers only part of the range`;
  if (totalVolume <= 0 || lastPrice === null) {
    return {
      ...base,
      warmingUp: true,
      poc: null,
      valueAreaHigh: null,
      valueAreaLow: null,
      valueAreaVolume: null,
      position: null,
      buckets,
      highVolumeNodes: [],
      lowVolumeNodes: [],
      factors: [],
      note: `no volume traded in ${inRange.length} candles between ${iso(from)} and ${iso(to)}${coverage}`,
    };
  }

  let pocIndex = 0;
  buckets.forEach((b, i) => {
    const best = buckets[pocIndex] as ProfileBucket;
    if (b.volume > best.volume || (b.volume === best.volume && Math.abs(b.price - lastPrice) < Math.abs(best.price - lastPrice))) pocIndex = i;
  });
  const va = expandValueArea(
    buckets.map((b) => b.volume),
    pocIndex,
    o.valueAreaPct,
  );
  for (let i = va.lo; i <= va.hi; i += 1) (buckets[i] as ProfileBucket).inValueArea = true;
  const poc = buckets[pocIndex] as ProfileBucket;
  const valueAreaLow = (buckets[va.lo] as ProfileBucket).priceLow;
  const valueAreaHigh = (buckets[va.hi] as ProfileBucket).priceHigh;
  const position: ValueAreaPosition = lastPrice > valueAreaHigh ? ValueAreaPositions.ABOVE : lastPrice < valueAreaLow ? ValueAreaPositions.BELOW : ValueAreaPositions.INSIDE;
  const nodes = findVolumeNodes(buckets, o.smoothingBuckets, o.maxNodes);

  const where = (lastPrice - valueAreaLow) / (valueAreaHigh - valueAreaLow);
  const pocDistancePct = ((lastPrice - poc.price) / poc.price) * 100;
  const widthPct = ((valueAreaHigh - valueAreaLow) / poc.price) * 100;
  const factors: Factor[] = [
    {
      name: 'valueAreaPosition',
      value: where,
      weight: 1,
      contribution: zeroSafe(Math.min(1, Math.max(-1, 2 * where - 1))),
      note: `close ${lastPrice} is at ${(where * 100).toFixed(1)} % of the value area ${valueAreaLow}–${valueAreaHigh} (0 % = VAL, 100 % = VAH; contribution −1 at VAL … +1 at VAH, saturating outside) → ${position}`,
    },
    {
      name: 'pocDistancePct',
      value: pocDistancePct,
      weight: 0,
      contribution: 0,
      note: `close is ${Math.abs(pocDistancePct).toFixed(3)} % ${pocDistancePct >= 0 ? 'above' : 'below'} the POC ${poc.price} (context, not scored)`,
    },
    {
      name: 'valueAreaWidthPct',
      value: widthPct,
      weight: 0,
      contribution: 0,
      note: `the value area spans ${widthPct.toFixed(3)} % of the POC price (narrow = balanced, wide = trending; context, not scored)`,
    },
  ];
  return {
    ...base,
    warmingUp: false,
    poc,
    valueAreaHigh,
    valueAreaLow,
    valueAreaVolume: va.volume,
    position,
    buckets,
    highVolumeNodes: nodes.high,
    lowVolumeNodes: nodes.low,
    factors,
    note: `${inRange.length} candles, ${buckets.length} buckets of ${bucketSize}; value area holds ${((va.volume / totalVolume) * 100).toFixed(1)} % of the volume${coverage}`,
  };
}

function resolveOptions(overrides: Partial<VolumeProfileOptions> | undefined): VolumeProfileOptions {
  const o: VolumeProfileOptions = { ...DEFAULT_VOLUME_PROFILE_OPTIONS };
  for (const key of Object.keys(o) as (keyof VolumeProfileOptions)[]) {
    const value = overrides?.[key];
    if (value !== undefined) o[key] = value;
  }
  if (!Number.isFinite(o.valueAreaPct) || o.valueAreaPct <= 0 || o.valueAreaPct >= 100) fail(`valueAreaPct must be in (0, 100), got ${quote(o.valueAreaPct)}`);
  if (!Number.isInteger(o.smoothingBuckets) || o.smoothingBuckets < 1 || o.smoothingBuckets % 2 === 0)
    fail(`smoothingBuckets must be an odd integer >= 1, got ${quote(o.smoothingBuckets)}`);
  for (const key of ['maxNodes', 'maxBuckets'] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) fail(`${key} must be an integer >= 1, got ${quote(o[key])}`);
  }
  return o;
}

function validateCandles(candles: readonly ProfileCandle[]): void {
  if (!Array.isArray(candles)) fail(`candles must be an array, got ${quote(candles)}`);
  let previous = -Infinity;
  candles.forEach((c, i) => {
    if (!Number.isFinite(c.openTime) || c.openTime <= previous) fail(`candles must be strictly ascending by openTime, but candles[${i}].openTime is ${quote(c.openTime)} after ${quote(previous)}`);
    previous = c.openTime;
    for (const key of ['high', 'low', 'close'] as const) {
      if (!Number.isFinite(c[key]) || c[key] <= 0) fail(`candles[${i}].${key} must be a finite number > 0, got ${quote(c[key])}`);
    }
    if (c.high < c.low) fail(`candles[${i}].high ${quote(c.high)} < low ${quote(c.low)}`);
    if (!Number.isFinite(c.volume) || c.volume < 0) fail(`candles[${i}].volume must be a finite number >= 0, got ${quote(c.volume)}`);
    if (c.takerBuyVolume !== null && (!Number.isFinite(c.takerBuyVolume) || c.takerBuyVolume < 0 || c.takerBuyVolume > c.volume * (1 + TAKER_EPSILON)))
      fail(`candles[${i}].takerBuyVolume must be null or in [0, volume ${quote(c.volume)}], got ${quote(c.takerBuyVolume)}`);
  });
}

const zeroSafe = (x: number): number => (x === 0 ? 0 : x);
const iso = (ms: number): string => (Math.abs(ms) <= MAX_EPOCH_MS ? new Date(ms).toISOString() : `${ms} ms`);
