import { computeSentimentAnalysis, SENTIMENT_METHODOLOGY_VERSION } from '../../analyzers/sentiment.js';
import type { CrowdReading, PricePoint, SentimentAnalysis, SentimentWeights } from '../../analyzers/sentiment.types.js';
import { INTERVAL_MS } from '../../domain/market.js';
import type { AnalysisSettings, MarketWideDefinition } from '../definition.js';
import type { MarketStore, SymbolMarket } from '../market-store.js';

/** The market-wide key: Fear & Greed, BTC price sentiment, crowd averaged over every configured symbol. */
export const SENTIMENT_ALL = 'ALL';
/** Symbol whose price drives the `ALL` price sentiment (the first configured symbol when it is absent). */
export const SENTIMENT_ALL_PRICE_SYMBOL = 'BTCUSDT';

/** Caller-chosen parameters (validated by the resolver). */
export interface SentimentParams {
  weights?: Partial<SentimentWeights>;
  historyLimit?: number;
}

/** Hourly closes (stamped at the bar's end) then the last trade or forming-candle price. */
export function hourlyPricePath(market: SymbolMarket): PricePoint[] {
  const path: PricePoint[] = (market.candles.get('1h')?.toArray() ?? [])
    .filter((c) => c.closed)
    .map((c) => ({ time: c.openTime + INTERVAL_MS['1h'], price: c.close }));
  const lastTime = market.lastTradeAt ?? market.updatedAtByType.get('candle') ?? null;
  if (market.lastPrice !== null && lastTime !== null) {
    const tail = path.at(-1);
    if (!tail || lastTime > tail.time) path.push({ time: lastTime, price: market.lastPrice });
  }
  return path;
}

/**
 * Crowd inputs of one symbol straight from the store: the predicted (next) funding rate when the venue
 * publishes it, else the last settled rate, normalised to 8 h; and the latest all-accounts long share.
 */
export function crowdReading(market: SymbolMarket, settings: AnalysisSettings): CrowdReading {
  const rate = market.mark?.predictedFundingRate ?? market.funding.last()?.rate ?? null;
  const hours = settings.fundingIntervalHours(market.symbol);
  return {
    symbol: market.symbol,
    fundingRate8h: rate === null ? null : (rate * 8) / hours,
    longShare: market.longShort.get('GLOBAL_ACCOUNTS')?.last()?.longShare ?? null,
  };
}

function compute(store: MarketStore, key: string, now: number, settings: AnalysisSettings, params: SentimentParams = {}) {
  const symbols = store.symbols();
  const isAll = key === SENTIMENT_ALL;
  const priceSymbol = isAll ? (symbols.includes(SENTIMENT_ALL_PRICE_SYMBOL) ? SENTIMENT_ALL_PRICE_SYMBOL : symbols[0]) : key;
  if (priceSymbol === undefined) return null;
  const priceMarket = store.get(priceSymbol);
  if (!priceMarket) return null;
  const crowdMarkets = (isAll ? symbols : [key]).map((s) => store.get(s)).filter((m): m is SymbolMarket => m !== undefined);
  const fearGreed = store.global().fearGreed.toArray();
  const prices = hourlyPricePath(priceMarket);
  const inputTimes = [fearGreed.at(-1)?.time, prices.at(-1)?.time, ...crowdMarkets.map((m) => m.updatedAt ?? undefined)].filter(
    (t): t is number => t !== undefined,
  );
  if (inputTimes.length === 0) return null;
  const result = computeSentimentAnalysis({
    key,
    priceSymbol,
    now,
    fearGreed: fearGreed.map((f) => ({ value: f.value, classification: f.classification, time: f.time })),
    prices,
    crowd: crowdMarkets.map((m) => crowdReading(m, settings)),
    historyLimit: params.historyLimit,
    weights: params.weights,
  });
  // The freshest input decides asOf: the daily index alone would make every result look a day old.
  return { result, asOf: Math.max(...inputTimes) };
}

export const sentimentDefinition: MarketWideDefinition<SentimentAnalysis> = {
  kind: 'SENTIMENT',
  methodologyVersion: SENTIMENT_METHODOLOGY_VERSION,
  triggers: new Set(['fearGreed', 'candle', 'funding', 'markPrice', 'longShortRatio']),
  inputs: [{ type: 'fearGreed' }, { type: 'candle', interval: '1h' }, { type: 'funding' }, { type: 'longShortRatio' }],
  inputSymbols: (store, key) => (key === SENTIMENT_ALL ? store.symbols() : [key]),
  keys: (store) => [SENTIMENT_ALL, ...store.symbols()],
  compute: (store, key, now, settings) => compute(store, key, now, settings),
  computeWith: (store, key, now, settings, params) => compute(store, key, now, settings, params as SentimentParams),
};
