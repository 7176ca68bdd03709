import { computeKeyLevels, KEY_LEVELS_METHODOLOGY_VERSION } from '../../analyzers/key-levels.js';
import { DEFAULT_KEY_LEVEL_THRESHOLDS, type KeyLevels } from '../../analyzers/key-levels.types.js';
import type { CandleInterval } from '../../domain/market.js';
import type { AnalysisDefinition } from '../definition.js';
import type { SymbolMarket } from '../market-store.js';

/** Caller-chosen parameters (GraphQL arguments of `Market.keyLevels`), validated by the resolver. */
export interface KeyLevelsParams {
  interval: CandleInterval;
  tolerancePct: number;
}

export const DEFAULT_KEY_LEVELS_PARAMS: Readonly<KeyLevelsParams> = { interval: '1h', tolerancePct: DEFAULT_KEY_LEVEL_THRESHOLDS.tolerancePct };

/** Hourly candles give the prior UTC day/week exactly (the store's 1 000 hours span 41 days). */
const REFERENCE_INTERVAL: CandleInterval = '1h';

/**
 * Feeds {@link computeKeyLevels}: the closed candles of the chosen interval (swings, volume nodes, leg),
 * closed hourly candles for the prior day/week (the chosen interval's when no hourly ones are held), the
 * last traded price (else the last close) and the time of the newest market input as "now" (so a
 * replayed market gets the replayed day). Null when the store holds no closed candle of the interval.
 */
export function computeKeyLevelsFor(market: SymbolMarket, params: KeyLevelsParams): { result: KeyLevels; asOf: number } | null {
  const candles = (market.candles.get(params.interval)?.toArray() ?? []).filter((c) => c.closed);
  const last = candles.at(-1);
  if (!last) return null;
  const hourly = (market.candles.get(REFERENCE_INTERVAL)?.toArray() ?? []).filter((c) => c.closed);
  const asOf = Math.max(market.updatedAtByType.get('candle') ?? 0, market.lastTradeAt ?? 0, last.closeTime);
  const result = computeKeyLevels({
    symbol: market.symbol,
    interval: params.interval,
    candles,
    referenceCandles: hourly.length > 0 ? hourly : candles,
    price: market.lastPrice ?? last.close,
    time: asOf,
    thresholds: { tolerancePct: params.tolerancePct },
  });
  return { result, asOf };
}

function toParams(raw: unknown): KeyLevelsParams {
  const p = (raw ?? {}) as Partial<KeyLevelsParams>;
  return { interval: p.interval ?? DEFAULT_KEY_LEVELS_PARAMS.interval, tolerancePct: p.tolerancePct ?? DEFAULT_KEY_LEVELS_PARAMS.tolerancePct };
}

export const keyLevelsDefinition: AnalysisDefinition<KeyLevels> = {
  kind: 'KEY_LEVELS',
  methodologyVersion: KEY_LEVELS_METHODOLOGY_VERSION,
  // Levels move with new bars; distances and sides with every price.
  triggers: new Set(['candle', 'trade']),
  inputs: [{ type: 'candle', interval: DEFAULT_KEY_LEVELS_PARAMS.interval }, { type: 'trade' }],
  compute: (market) => computeKeyLevelsFor(market, DEFAULT_KEY_LEVELS_PARAMS),
  computeWith: (market, _now, _settings, params) => computeKeyLevelsFor(market, toParams(params)),
};
