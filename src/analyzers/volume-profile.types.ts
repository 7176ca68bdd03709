import type { Factor } from './types.js';

/** Where the latest close sits relative to the value area. */
export const ValueAreaPositions = { ABOVE: 'ABOVE', INSIDE: 'INSIDE', BELOW: 'BELOW' } as const;
export type ValueAreaPosition = (typeof ValueAreaPositions)[keyof typeof ValueAreaPositions];

/** One candle as the volume profile needs it (base-asset volumes). */
export interface ProfileCandle {
  openTime: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Taker buy volume (base); 0 ≤ takerBuyVolume ≤ volume; null when the source does not record it. */
  takerBuyVolume: number | null;
}

export interface VolumeProfileOptions {
  /** Percent of the range's volume the value area must cover, in (0, 100). Default 70. */
  valueAreaPct: number;
  /** Width in buckets of the centred moving average smoothing the profile before node detection (odd). Default 5. */
  smoothingBuckets: number;
  /** Most high- and low-volume nodes returned per kind (strongest first). Default 5. */
  maxNodes: number;
  /** Precondition: at most this many buckets between the lowest low and the highest high. Default 100 000. */
  maxBuckets: number;
}

export const DEFAULT_VALUE_AREA_PCT = 70;
/** Default bucket size: this fraction of the last close, rounded to a 1-2-5 step. */
export const DEFAULT_BUCKET_FRACTION = 0.001;
export const DEFAULT_PROFILE_RANGE_MS = 86_400_000;

export const DEFAULT_VOLUME_PROFILE_OPTIONS: Readonly<VolumeProfileOptions> = {
  valueAreaPct: DEFAULT_VALUE_AREA_PCT,
  smoothingBuckets: 5,
  maxNodes: 5,
  maxBuckets: 100_000,
};

export interface VolumeProfileInput {
  symbol: string;
  interval: string;
  /** Candles, ascending by openTime; those with from ≤ openTime < to are profiled. */
  candles: readonly ProfileCandle[];
  from: number;
  to: number;
  /** Price width of a bucket (> 0); buckets are [k × size, (k + 1) × size). */
  bucketSize: number;
  options?: Partial<VolumeProfileOptions>;
}

export interface ProfileBucket {
  priceLow: number;
  priceHigh: number;
  /** Mid price. */
  price: number;
  volume: number;
  /** Taker buy volume spread like the volume; null unless every profiled candle has taker-buy volume. */
  buyVolume: number | null;
  /** volume − buyVolume; null like buyVolume. */
  sellVolume: number | null;
  /** volume / total volume. */
  share: number;
  inValueArea: boolean;
}

export interface VolumeNode {
  price: number;
  priceLow: number;
  priceHigh: number;
  volume: number;
  /** The smoothed volume the node was detected on. */
  smoothedVolume: number;
}

export interface VolumeProfile {
  symbol: string;
  interval: string;
  /** True when no volume was traded in the range held: every level below is null. */
  warmingUp: boolean;
  from: number;
  to: number;
  /** Open time of the first profiled candle (later than `from` when the store does not reach back). */
  coveredFrom: number | null;
  /** False when the candles held start after `from` (+ one bar): the profile covers only part of the range. */
  complete: boolean;
  bars: number;
  /**
   * Share (0..1) of the profiled candles whose taker-buy volume is known; null without candles. Below 1
   * every bucket's buyVolume / sellVolume is null (a partial split would be passed off as the whole range's).
   */
  takerCoverage: number | null;
  bucketSize: number;
  valueAreaPct: number;
  totalVolume: number;
  poc: ProfileBucket | null;
  valueAreaHigh: number | null;
  valueAreaLow: number | null;
  valueAreaVolume: number | null;
  lastPrice: number | null;
  position: ValueAreaPosition | null;
  /** Non-empty span from the lowest low to the highest high, ascending by price. */
  buckets: ProfileBucket[];
  highVolumeNodes: VolumeNode[];
  lowVolumeNodes: VolumeNode[];
  factors: Factor[];
  note: string;
}
