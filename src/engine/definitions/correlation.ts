import { computeCorrelationAnalysis, CORRELATION_METHODOLOGY_VERSION } from '../../analyzers/correlation.js';
import type { CorrelationAnalysis, CorrelationSeries } from '../../analyzers/correlation.types.js';
import { INTERVAL_MS, type CandleInterval, type GlobalMarket } from '../../domain/market.js';
import type { MarketWideDefinition } from '../definition.js';
import type { MarketStore } from '../market-store.js';

/** The key of the default configuration: every configured symbol, DEFAULT_CORRELATION_PARAMS. */
export const CORRELATION_KEY = 'ALL';

export interface CorrelationParams {
  /** Configured symbols (validated by the resolver); omitted = all configured. */
  symbols?: string[];
  interval: CandleInterval;
  window: number;
}

export const DEFAULT_CORRELATION_PARAMS: Readonly<Required<Pick<CorrelationParams, 'interval' | 'window'>>> = { interval: '1h', window: 168 };

/** Bounds of caller-chosen parameters (the store keeps 1 000 candles per interval). */
export const CORRELATION_ARG_LIMITS = { minSymbols: 2, maxSymbols: 50, minWindow: 30, maxWindow: 720 } as const;

/** Span of the BTC-dominance trend: the change between the oldest and newest observation within 24 h. */
export const DOMINANCE_TREND_WINDOW_MS = 24 * 3_600_000;

function dominanceSeries(history: readonly GlobalMarket[]): { time: number; btcDominance: number }[] {
  const newest = history.at(-1);
  if (!newest) return [];
  return history.filter((g) => g.time >= newest.time - DOMINANCE_TREND_WINDOW_MS).map((g) => ({ time: g.time, btcDominance: g.btcDominance }));
}

function computeFor(store: MarketStore, key: string, now: number, params: CorrelationParams): { result: CorrelationAnalysis; asOf: number } | null {
  const symbols = params.symbols ?? store.symbols();
  if (symbols.length < 2) return null;
  let asOf = 0;
  const series: CorrelationSeries[] = symbols.map((symbol) => {
    const candles = (store.get(symbol)?.candles.get(params.interval)?.toArray() ?? []).filter((c) => c.closed);
    const last = candles.at(-1);
    if (last) asOf = Math.max(asOf, last.closeTime);
    return { symbol, bars: candles.map((c) => ({ openTime: c.openTime, close: c.close })) };
  });
  if (asOf === 0) return null;
  const global = store.global();
  const fg = global.fearGreed.last();
  const result = computeCorrelationAnalysis({
    key,
    series,
    intervalMs: INTERVAL_MS[params.interval],
    window: params.window,
    // The dominance trend is the change over the global-market observations of the last DOMINANCE_TREND_WINDOW_MS.
    dominance: dominanceSeries(global.globalHistory.toArray()),
    fearGreed: fg ? { value: fg.value, time: fg.time } : null,
    now,
  });
  return { result, asOf };
}

/**
 * The default result depends only on closed candles and the market-wide inputs, while its `candle` trigger
 * fires on every open-candle update: the previous output is reused until one of those inputs changes
 * (at 50 symbols a computation costs ~0.1 s, see bench/correlation.ts). Per store, so apps sharing a
 * process do not share results.
 */
const lastDefault = new WeakMap<MarketStore, { signature: string; output: { result: CorrelationAnalysis; asOf: number } }>();

function inputSignature(store: MarketStore, interval: CandleInterval): string {
  const parts = store.symbols().map((symbol) => {
    const candles = store.get(symbol)?.candles.get(interval);
    const last = candles?.last();
    // The newest candle is usually still open: the latest closed one is the one before it.
    const closed = last?.closed ? last : candles?.toArray(3).findLast((c) => c.closed);
    return `${symbol}:${closed?.openTime ?? ''}:${closed?.close ?? ''}`;
  });
  const g = store.global();
  return `${parts.join('|')}|${g.global?.time ?? ''}|${g.fearGreed.last()?.time ?? ''}`;
}

export const correlationDefinition: MarketWideDefinition<CorrelationAnalysis> = {
  kind: 'CORRELATION',
  // O(symbols² × lags) per run; candles that matter close at most once a minute.
  minIntervalMs: 5_000,
  methodologyVersion: CORRELATION_METHODOLOGY_VERSION,
  triggers: new Set(['candle', 'globalMarket', 'fearGreed']),
  inputs: [{ type: 'candle', interval: DEFAULT_CORRELATION_PARAMS.interval }, { type: 'globalMarket' }, { type: 'fearGreed' }],
  keys: (store) => (store.symbols().length >= 2 ? [CORRELATION_KEY] : []),
  compute(store, key, now) {
    if (key !== CORRELATION_KEY) return null;
    const signature = inputSignature(store, DEFAULT_CORRELATION_PARAMS.interval);
    const previous = lastDefault.get(store);
    if (previous?.signature === signature) return previous.output;
    const output = computeFor(store, key, now, { ...DEFAULT_CORRELATION_PARAMS });
    if (output) lastDefault.set(store, { signature, output });
    return output;
  },
  computeWith(store, key, now, _settings, params) {
    return computeFor(store, key, now, params as CorrelationParams);
  },
};
