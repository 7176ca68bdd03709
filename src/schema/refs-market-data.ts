import type {
  Basis,
  BookTicker,
  Candle,
  FearGreed,
  FundingRate,
  GlobalMarket,
  Liquidation,
  LongShortRatio,
  OpenInterest,
  OptionQuote,
  OptionsChain,
  OrderBook,
  PriceLevel,
  SpotPrice,
  TakerVolume,
  Ticker24h,
  Trade,
} from '../domain/market.js';
import { builder } from './builder.js';
import type { AnalysisMeta, MaybeEventMeta } from './refs.js';

/** Refs of the raw market inputs (implemented in src/resolvers/market-data.ts). */
export const MarketDataRef = builder.objectRef<{ symbol: string }>('MarketData');
export const TradeRef = builder.objectRef<Trade>('Trade');
export const CandleRef = builder.objectRef<Candle>('Candle');
export const FundingSettlementRef = builder.objectRef<FundingRate>('FundingSettlement');
export const OpenInterestPointRef = builder.objectRef<OpenInterest>('OpenInterestPoint');
export const LongShortRatioRef = builder.objectRef<LongShortRatio>('LongShortRatio');
export const TakerVolumeRef = builder.objectRef<TakerVolume>('TakerVolume');
export const BasisPointRef = builder.objectRef<Basis>('BasisPoint');
export const Ticker24hRef = builder.objectRef<Ticker24h>('Ticker24h');
export const LiquidationRef = builder.objectRef<MaybeEventMeta<Liquidation>>('Liquidation');
export const BookTickerRef = builder.objectRef<BookTicker>('BookTicker');
export const OrderBookRef = builder.objectRef<OrderBook>('OrderBook');
export const PriceLevelRef = builder.objectRef<PriceLevel>('PriceLevel');
export const SpotPriceRef = builder.objectRef<SpotPrice>('SpotPrice');
export const OptionQuoteRef = builder.objectRef<OptionQuote>('OptionQuote');
export const OptionsChainRef = builder.objectRef<OptionsChain & { meta: AnalysisMeta }>('OptionsChain');
export const FearGreedRef = builder.objectRef<FearGreed>('FearGreed');
export const GlobalMarketRef = builder.objectRef<GlobalMarket>('GlobalMarket');
