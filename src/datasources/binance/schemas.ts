import { z } from 'zod';

/**
 * Zod schemas for the Binance USD-M futures REST payloads we read. Loose on extra keys (Binance adds
 * fields without notice), strict on the fields we use. Binance sends decimals as strings; they are
 * turned into finite numbers here, and a string that is not a decimal fails validation rather than
 * becoming NaN.
 */

const DECIMAL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

const quote = (s: string) => JSON.stringify(s.length > 24 ? `${s.slice(0, 24)}…` : s);

/** `"0.00010000"` -> 0.0001. Rejects `""`, `"abc"`, `"NaN"`, `"Infinity"` and overflow such as `"1e999"`. */
export const decimalString = z.string().transform((s, ctx) => {
  const n = DECIMAL.test(s) ? Number(s) : Number.NaN;
  if (Number.isFinite(n)) return n;
  ctx.issues.push({ code: 'custom', message: `expected a decimal string, got ${quote(s)}`, input: s });
  return z.NEVER;
});

/**
 * A decimal string that Binance leaves empty when it does not apply (e.g. `lastFundingRate: ""` on
 * delivery contracts, `markPrice: ""` on old funding records): `""` -> null, anything else as above.
 */
export const optionalDecimalString = z
  .string()
  .transform((s, ctx) => {
    if (s === '') return null;
    const n = DECIMAL.test(s) ? Number(s) : Number.NaN;
    if (Number.isFinite(n)) return n;
    ctx.issues.push({ code: 'custom', message: `expected a decimal string or "", got ${quote(s)}`, input: s });
    return z.NEVER;
  })
  .optional()
  .transform((v) => v ?? null);

/** Epoch milliseconds. */
const epochMs = z.number().int().nonnegative();

// --- GET /fapi/v1/ping ---

export const binancePingSchema = z.looseObject({});
export type BinancePing = z.infer<typeof binancePingSchema>;

// --- GET /fapi/v1/exchangeInfo ---

/** Every filter has a `filterType`; only the sizes we use are typed (and validated where present). */
export const binanceSymbolFilterSchema = z.looseObject({
  filterType: z.string(),
  tickSize: decimalString.optional(),
  stepSize: decimalString.optional(),
});
export type BinanceSymbolFilter = z.infer<typeof binanceSymbolFilterSchema>;

/**
 * One listed contract. The output adds `tickSize` (PRICE_FILTER) and `stepSize` (LOT_SIZE) lifted out
 * of `filters`; a symbol missing either filter fails validation.
 */
export const binanceSymbolSchema = z
  .looseObject({
    symbol: z.string().min(1),
    pair: z.string().optional(),
    /** PERPETUAL, CURRENT_QUARTER, NEXT_QUARTER, ... (empty on some delisted contracts). */
    contractType: z.string(),
    /** TRADING, SETTLING, PENDING_TRADING, CLOSE, ... */
    status: z.string(),
    baseAsset: z.string(),
    quoteAsset: z.string(),
    filters: z.array(binanceSymbolFilterSchema),
  })
  .transform((s, ctx) => {
    const tickSize = s.filters.find((f) => f.filterType === 'PRICE_FILTER')?.tickSize;
    const stepSize = s.filters.find((f) => f.filterType === 'LOT_SIZE')?.stepSize;
    if (tickSize === undefined)
      ctx.issues.push({ code: 'custom', message: 'no PRICE_FILTER with a tickSize', path: ['filters'], input: s.filters });
    if (stepSize === undefined)
      ctx.issues.push({ code: 'custom', message: 'no LOT_SIZE with a stepSize', path: ['filters'], input: s.filters });
    if (tickSize === undefined || stepSize === undefined) return z.NEVER;
    return { ...s, tickSize, stepSize };
  });
export type BinanceSymbol = z.infer<typeof binanceSymbolSchema>;

export const binanceRateLimitSchema = z.looseObject({
  rateLimitType: z.string(),
  interval: z.string(),
  intervalNum: z.number().int().positive(),
  limit: z.number().int().nonnegative(),
});
export type BinanceRateLimit = z.infer<typeof binanceRateLimitSchema>;

export const binanceExchangeInfoSchema = z.looseObject({
  serverTime: epochMs,
  rateLimits: z.array(binanceRateLimitSchema).default([]),
  symbols: z.array(binanceSymbolSchema),
});
export type BinanceExchangeInfo = z.infer<typeof binanceExchangeInfoSchema>;

// --- GET /fapi/v1/premiumIndex ---

export const binancePremiumIndexSchema = z.looseObject({
  symbol: z.string().min(1),
  markPrice: decimalString,
  indexPrice: decimalString,
  estimatedSettlePrice: optionalDecimalString,
  /** `""` on delivery contracts. */
  lastFundingRate: optionalDecimalString,
  /** `""` on delivery contracts. */
  interestRate: optionalDecimalString,
  /** 0 on delivery contracts. */
  nextFundingTime: epochMs,
  time: epochMs,
});
export type BinancePremiumIndex = z.infer<typeof binancePremiumIndexSchema>;

/** Without `symbol` the endpoint answers with every contract. */
export const binancePremiumIndexListSchema = z.array(binancePremiumIndexSchema);

// --- GET /fapi/v1/fundingRate ---

export const binanceFundingRateSchema = z.looseObject({
  symbol: z.string().min(1),
  fundingRate: decimalString,
  fundingTime: epochMs,
  /** Missing or `""` on old records. */
  markPrice: optionalDecimalString,
});
export type BinanceFundingRate = z.infer<typeof binanceFundingRateSchema>;
export const binanceFundingRateListSchema = z.array(binanceFundingRateSchema);

// --- GET /fapi/v1/fundingInfo ---

/** Only symbols whose cap/floor/interval were adjusted are listed; the rest use the defaults (8 h). */
export const binanceFundingInfoSchema = z.looseObject({
  symbol: z.string().min(1),
  adjustedFundingRateCap: decimalString,
  adjustedFundingRateFloor: decimalString,
  fundingIntervalHours: z.number().int().positive(),
});
export type BinanceFundingInfo = z.infer<typeof binanceFundingInfoSchema>;
export const binanceFundingInfoListSchema = z.array(binanceFundingInfoSchema);

// --- GET /fapi/v1/klines ---

/**
 * `[openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBuyBase,
 * takerBuyQuote, ignore]`; all 12 required, extra trailing fields tolerated.
 */
export const binanceKlineSchema = z
  .tuple(
    [
      epochMs,
      decimalString,
      decimalString,
      decimalString,
      decimalString,
      decimalString,
      epochMs,
      decimalString,
      z.number().int().nonnegative(),
      decimalString,
      decimalString,
      // "ignore" ("0" today); required so a shortened row is noticed, its value is not used.
      z.union([z.string(), z.number()]),
    ],
    z.unknown(),
  )
  .transform(([openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBuyBaseVolume, takerBuyQuoteVolume]) => ({
    openTime,
    open,
    high,
    low,
    close,
    volume,
    closeTime,
    quoteVolume,
    trades,
    takerBuyBaseVolume,
    takerBuyQuoteVolume,
  }));
export type BinanceKline = z.infer<typeof binanceKlineSchema>;
export const binanceKlineListSchema = z.array(binanceKlineSchema);

/**
 * Epoch ms that Binance sends as a number on most endpoints but as a numeric string in some documented
 * `/futures/data/*` examples (`"timestamp":"1585614900000"`): both accepted, anything else rejected.
 */
export const epochMsLike = z.union([
  epochMs,
  z.string().transform((s, ctx) => {
    if (/^\d{1,16}$/.test(s)) return Number(s);
    ctx.issues.push({ code: 'custom', message: `expected epoch milliseconds, got ${quote(s)}`, input: s });
    return z.NEVER;
  }),
]);

// --- GET /fapi/v1/aggTrades (also the `data` of the `<symbol>@aggTrade` stream, which adds e/E/s) ---

export const binanceAggTradeSchema = z.looseObject({
  /** Aggregate trade id. */
  a: z.number().int().nonnegative(),
  p: decimalString,
  q: decimalString,
  /** First and last trade id aggregated. */
  f: z.number().int(),
  l: z.number().int(),
  T: epochMs,
  /** Buyer is the maker, i.e. the taker SOLD. */
  m: z.boolean(),
});
export type BinanceAggTrade = z.infer<typeof binanceAggTradeSchema>;
export const binanceAggTradeListSchema = z.array(binanceAggTradeSchema);

// --- GET /fapi/v1/openInterest ---

export const binanceOpenInterestSchema = z.looseObject({
  symbol: z.string().min(1),
  openInterest: decimalString,
  time: epochMs,
});
export type BinanceOpenInterest = z.infer<typeof binanceOpenInterestSchema>;

// --- GET /futures/data/openInterestHist ---

export const binanceOpenInterestHistSchema = z.looseObject({
  symbol: z.string().min(1),
  sumOpenInterest: decimalString,
  sumOpenInterestValue: decimalString,
  timestamp: epochMsLike,
});
export type BinanceOpenInterestHist = z.infer<typeof binanceOpenInterestHistSchema>;
export const binanceOpenInterestHistListSchema = z.array(binanceOpenInterestHistSchema);

// --- GET /futures/data/{globalLongShortAccountRatio,topLongShortAccountRatio,topLongShortPositionRatio} ---

/** The three long/short endpoints share this shape (`longAccount`/`shortAccount` are position shares on the position one). */
export const binanceLongShortRatioSchema = z.looseObject({
  symbol: z.string().min(1),
  longShortRatio: decimalString,
  longAccount: decimalString,
  shortAccount: decimalString,
  timestamp: epochMsLike,
});
export type BinanceLongShortRatio = z.infer<typeof binanceLongShortRatioSchema>;
export const binanceLongShortRatioListSchema = z.array(binanceLongShortRatioSchema);

// --- GET /futures/data/takerlongshortRatio ---

export const binanceTakerVolumeSchema = z.looseObject({
  buySellRatio: decimalString,
  buyVol: decimalString,
  sellVol: decimalString,
  timestamp: epochMsLike,
});
export type BinanceTakerVolume = z.infer<typeof binanceTakerVolumeSchema>;
export const binanceTakerVolumeListSchema = z.array(binanceTakerVolumeSchema);

// --- GET /futures/data/basis ---

export const binanceBasisSchema = z.looseObject({
  pair: z.string().min(1),
  contractType: z.string(),
  futuresPrice: decimalString,
  indexPrice: decimalString,
  basis: decimalString,
  basisRate: decimalString,
  /** `""` on perpetuals (no expiry to annualise over). */
  annualizedBasisRate: optionalDecimalString,
  timestamp: epochMsLike,
});
export type BinanceBasis = z.infer<typeof binanceBasisSchema>;
export const binanceBasisListSchema = z.array(binanceBasisSchema);

// --- GET /fapi/v1/ticker/24hr ---

export const binanceTicker24hSchema = z.looseObject({
  symbol: z.string().min(1),
  priceChangePercent: decimalString,
  lastPrice: decimalString,
  highPrice: decimalString,
  lowPrice: decimalString,
  volume: decimalString,
  quoteVolume: decimalString,
  openTime: epochMs,
  closeTime: epochMs,
});
export type BinanceTicker24h = z.infer<typeof binanceTicker24hSchema>;
export const binanceTicker24hListSchema = z.array(binanceTicker24hSchema);

// --- Spot: GET /api/v3/ticker/price ---

export const binanceSpotPriceSchema = z.looseObject({
  symbol: z.string().min(1),
  price: decimalString,
});
export type BinanceSpotPrice = z.infer<typeof binanceSpotPriceSchema>;
export const binanceSpotPriceListSchema = z.array(binanceSpotPriceSchema);

// --- GET /fapi/v1/depth ---

const depthLevel = z.tuple([decimalString, decimalString], z.unknown());

/**
 * Order book snapshot (docs, trimmed):
 * {"lastUpdateId":1027024,"E":1589436922972,"T":1589436922959,"bids":[["4.00000000","431.00000000"]],
 *  "asks":[["4.00000200","12.00000000"]]}
 * `lastUpdateId` anchors the diff stream (`U <= lastUpdateId <= u` for the first diff applied).
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Order-Book
 */
export const binanceDepthSchema = z.looseObject({
  lastUpdateId: z.number().int().nonnegative(),
  E: z.number().int().nonnegative().optional(),
  T: z.number().int().nonnegative().optional(),
  bids: z.array(depthLevel),
  asks: z.array(depthLevel),
});
export type BinanceDepth = z.infer<typeof binanceDepthSchema>;
