import { computeVolumeProfile, defaultBucketSize, VOLUME_PROFILE_METHODOLOGY_VERSION } from '../../analyzers/volume-profile.js';
import { DEFAULT_PROFILE_RANGE_MS, DEFAULT_VALUE_AREA_PCT, type VolumeProfile } from '../../analyzers/volume-profile.types.js';
import { INTERVAL_MS, type CandleInterval } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';
import { closedCandles, createClosedCandleMemo } from './volume.js';

/** Interval of the default (streamed, snapshotted) volume profile. */
export const DEFAULT_PROFILE_INTERVAL: CandleInterval = '5m';

/** Caller-chosen parameters (GraphQL arguments of `Market.volumeProfile`), validated by the resolver. */
export interface VolumeProfileParams {
  interval?: CandleInterval;
  /** Epoch ms; default: `to` − 24 h. */
  from?: number;
  /** Epoch ms; default: the close of the latest closed candle. */
  to?: number;
  /** Default: 0.1 % of the latest close rounded to a 1-2-5 step. */
  bucketSize?: number;
  valueAreaPct?: number;
}

/**
 * Feeds {@link computeVolumeProfile} from the store's closed candles of one interval. Defaults: the last
 * 24 h up to the end of the latest closed candle, bucket size from its close ({@link defaultBucketSize}).
 */
function computeProfile(market: SymbolMarket, params: VolumeProfileParams): { result: VolumeProfile; asOf: number } | null {
  const interval = params.interval ?? DEFAULT_PROFILE_INTERVAL;
  const candles = closedCandles(market, interval);
  const last = candles.at(-1);
  if (!last) return null;
  const to = params.to ?? last.openTime + INTERVAL_MS[interval];
  const from = params.from ?? to - DEFAULT_PROFILE_RANGE_MS;
  const result = computeVolumeProfile({
    symbol: market.symbol,
    interval,
    candles: candles.map((c) => ({ openTime: c.openTime, high: c.high, low: c.low, close: c.close, volume: c.volume, takerBuyVolume: c.takerBuyVolume === null ? null : Math.min(c.takerBuyVolume, c.volume) })),
    from,
    to,
    bucketSize: params.bucketSize ?? defaultBucketSize(last.close),
    options: { valueAreaPct: params.valueAreaPct ?? DEFAULT_VALUE_AREA_PCT },
  });
  return { result, asOf: last.closeTime };
}

function toParams(raw: unknown): VolumeProfileParams {
  const p = (raw ?? {}) as Record<string, unknown>;
  const out: VolumeProfileParams = {};
  if (typeof p.interval === 'string') out.interval = p.interval as CandleInterval;
  for (const key of ['from', 'to', 'bucketSize', 'valueAreaPct'] as const) {
    if (typeof p[key] === 'number') out[key] = p[key];
  }
  return out;
}

const memo = createClosedCandleMemo<ReturnType<typeof computeProfile>>();

export const volumeProfileDefinition: AnalysisDefinition<VolumeProfile> = {
  kind: 'VOLUME_PROFILE',
  methodologyVersion: VOLUME_PROFILE_METHODOLOGY_VERSION,
  triggers: new Set(['candle']),
  inputs: [{ type: 'candle', interval: DEFAULT_PROFILE_INTERVAL }],
  compute: (market) => memo(market, DEFAULT_PROFILE_INTERVAL, () => computeProfile(market, {})),
  computeWith: (market, _now, _settings, params) => computeProfile(market, toParams(params)),
};
