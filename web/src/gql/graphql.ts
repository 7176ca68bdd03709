/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What an alert rule listens to. */
export type AlertEventType =
  /** A liquidation cascade reaches minSeverity (1 to 5, default 3) on LIQUIDATION_CASCADES. */
  | 'CASCADE_DETECTED'
  /** The confirmation composite reaches minComposite with at least minQuality (and the signal of direction). */
  | 'CONFIRMATION_THRESHOLD'
  /** The cross-asset correlation analysis reports a break. */
  | 'CORRELATION_BREAK'
  /** Not an event: a summary card of chosen sections sent at each slot of schedule (cron), the way trading groups post a periodic signal card. */
  | 'DIGEST'
  /** The EMERGENCY analysis level rises to at least minLevel (default ELEVATED). */
  | 'EMERGENCY_LEVEL_CHANGED'
  /** The funding z-score reaches minAbsZ in absolute value (default 3). */
  | 'FUNDING_ANOMALY'
  /** The primary market regime agrees on at least minAgreement timeframes (default 3). */
  | 'MTF_REGIME_CONFIRMED'
  /** A trade of at least 10 000 USD notional crosses price (direction UP, DOWN or ANY). */
  | 'PRICE_LEVEL_CROSSED'
  /** A new trap detection (direction UP for bullish, DOWN for bearish ones). */
  | 'TRAP_DETECTED'
  /** The default 1 h volatility regime changes (the volatilityRegimeChanged stream). */
  | 'VOLATILITY_REGIME_CHANGED'
  /** One trade of at least minNotional USD (default 1 000 000; direction UP buys, DOWN sells). */
  | 'WHALE_TRADE';

/** How urgent an alert is; Discord colours by it. */
export type AlertSeverity =
  /** Act now (advice only, never orders). */
  | 'CRITICAL'
  /** For information. */
  | 'INFO'
  /** Worth a look now. */
  | 'WARNING';

/** What the structure was classified from: SPOT (perpetual vs spot) or INDEX (mark vs index, when no usable spot price). */
export type BasisReference =
  /** Mark vs index (no usable spot price). */
  | 'INDEX'
  /** Perpetual vs spot. */
  | 'SPOT';

/** CONTANGO: basis ≥ contangoPct (perpetual rich); BACKWARDATION: basis ≤ backwardationPct (perpetual cheap); NORMAL in between. */
export type BasisStructure =
  /** Perpetual below spot/index by at least |backwardationPct|: shorts pay up. */
  | 'BACKWARDATION'
  /** Perpetual above spot/index by at least `contangoPct`: longs pay up for leverage. */
  | 'CONTANGO'
  /** Basis between backwardationPct and contangoPct. */
  | 'NORMAL';

/** Candle interval: I1M = 1 minute, I1H = 1 hour, I1D = 1 day, I1W = 1 week. */
export type CandleInterval =
  /** 1 day. */
  | 'I1D'
  /** 1 hour. */
  | 'I1H'
  /** 1 minute. */
  | 'I1M'
  /** 1 week. */
  | 'I1W'
  /** 2 hours. */
  | 'I2H'
  /** 3 minutes. */
  | 'I3M'
  /** 4 hours. */
  | 'I4H'
  /** 5 minutes. */
  | 'I5M'
  /** 6 hours. */
  | 'I6H'
  /** 8 hours. */
  | 'I8H'
  /** 12 hours. */
  | 'I12H'
  /** 15 minutes. */
  | 'I15M'
  /** 30 minutes. */
  | 'I30M';

/** Name of a cascade severity: CALM 1, ELEVATED 2, CASCADE 3, SEVERE 4, EXTREME 5. */
export type CascadeLevel =
  /** Severity 1. */
  | 'CALM'
  /** Severity 3. */
  | 'CASCADE'
  /** Severity 2. */
  | 'ELEVATED'
  /** Severity 5. */
  | 'EXTREME'
  /** Severity 4. */
  | 'SEVERE';

/** Direction of a layer or composite score: NEUTRAL inside ±15 of 0 (a layer, -100..100) or ±7.5 of 50 (the composite, 0..100). */
export type ConfirmationDirection =
  /** Score below the neutral band. */
  | 'BEARISH'
  /** Score above the neutral band. */
  | 'BULLISH'
  /** Score inside the neutral band. */
  | 'NEUTRAL';

/** The twelve layers of the confirmation score, in their documented order (docs/confirmation.md). */
export type ConfirmationLayerName =
  /** 10: cross-asset regime and BTC dominance trend. */
  | 'CORRELATION'
  /** 6: position in the retracement grid of the last swing. */
  | 'FIBONACCI'
  /** 12: the forecast analysis at H4 (probability up, expected return); unavailable when it does not beat its random-walk baseline out of sample. */
  | 'FORECAST'
  /** 11: put/call, skew and max pain (symbols with an options market only). */
  | 'OPTIONS_FLOW'
  /** 7: taker imbalance, open-interest quadrant, funding pressure. */
  | 'ORDER_FLOW'
  /** 1: trend of closes, candle structure, momentum. */
  | 'PRICE_ACTION'
  /** 9: the sentiment composite. */
  | 'SENTIMENT'
  /** 5: distance to and strength of the nearest levels. */
  | 'SUPPORT_RESISTANCE'
  /** 3: RSI, MACD, EMA stack, stochastic. */
  | 'TECHNICAL'
  /** 2: delta and CVD, volume spikes, OBV (unavailable when taker volume is unknown). */
  | 'VOLUME'
  /** 8: whale net flow and pattern. */
  | 'WHALES'
  /** 4: Wyckoff and SMC phase from the regime, structure and volume. */
  | 'WYCKOFF';

/** How much the composite can be relied on, from conviction |score - 50|, strength and coverage (thresholds in docs/confirmation.md). */
export type ConfirmationQuality =
  /** Conviction at least 20, STRONG agreement and coverage at least 0.75. */
  | 'EXCELLENT'
  /** Conviction at least 12, MEDIUM or STRONG agreement and coverage at least 0.5. */
  | 'GOOD'
  /** A directional signal with coverage at least 0.3. */
  | 'MODERATE'
  /** Neutral, or coverage below 0.3. */
  | 'POOR';

/** Agreement of the available layers: A = weight share on the signal side, D = weighted standard deviation of layer scores / 100. */
export type ConfirmationStrength =
  /** A at least 0.5 and D at most 0.6. */
  | 'MEDIUM'
  /** A at least 0.7 and D at most 0.35. */
  | 'STRONG'
  /** Anything less. */
  | 'WEAK';

/** The contrarian reading of crowding: CROWDED_LONGS → BEARISH, CROWDED_SHORTS → BULLISH, anything else NEUTRAL. Analysis, not advice. */
export type ContrarianBias =
  /** Longs are crowded (CROWDED_LONGS): the contrarian reading leans bearish. */
  | 'BEARISH'
  /** Shorts are crowded (CROWDED_SHORTS): the contrarian reading leans bullish. */
  | 'BULLISH'
  /** No crowded side. */
  | 'NEUTRAL';

/** Size of |window − baseline| Pearson: LOW ≥ 0.15, MEDIUM ≥ 0.30, HIGH ≥ 0.50 (defaults). */
export type CorrelationBreakSeverity =
  /** |window − baseline| ≥ `breakHigh` (default 0.50). */
  | 'HIGH'
  /** |window − baseline| ≥ `breakLow` (default 0.15). */
  | 'LOW'
  /** |window − baseline| ≥ `breakMedium` (default 0.30). */
  | 'MEDIUM';

/** ALTSEASON: alts beat BTC by ≥ 5 % (log) over the window while BTC dominance is not rising. Otherwise RISK_ON when the weighted risk score ≥ 0, RISK_OFF below. */
export type CrossAssetRegime =
  /** Alts clearly outperform BTC over the window while BTC dominance is not rising. */
  | 'ALTSEASON'
  /** Risk aversion: BTC falling, alts underperforming, fear, dominance rising. */
  | 'RISK_OFF'
  /** Risk appetite: BTC rising and/or alts outperforming, greed, dominance falling. */
  | 'RISK_ON';

/** Which side positioning says is crowded: score ≥ 50 CROWDED_LONGS, ≥ 20 LONG_LEAN, ≤ −50 CROWDED_SHORTS, ≤ −20 SHORT_LEAN, else BALANCED. */
export type CrowdingSignal =
  /** Score between −20 and 20. */
  | 'BALANCED'
  /** Score ≥ 50. */
  | 'CROWDED_LONGS'
  /** Score ≤ −50. */
  | 'CROWDED_SHORTS'
  /** Score ≥ 20. */
  | 'LONG_LEAN'
  /** Score ≤ −20. */
  | 'SHORT_LEAN';

/** Where data came from. Nothing SIMULATED or REPLAY is ever labelled LIVE. */
export type DataOrigin =
  /** Read from the real venue as it happens. */
  | 'LIVE'
  /** Replayed from recorded market data files. */
  | 'REPLAY'
  /** Generated by the built-in simulated market; not real prices. */
  | 'SIMULATED';

/** How alarming the market of one symbol is now. Advice only: perpgraph never places orders. */
export type EmergencyLevel =
  /** At least one condition at its first threshold: reduce leverage, widen stops, watch closely. */
  | 'ELEVATED'
  /** A flash move, circuit-breaker move, extreme volatility, dislocation or halted feed at its second threshold. */
  | 'EMERGENCY'
  /** No emergency condition: ordinary risk management applies. */
  | 'NORMAL';

/** A condition the emergency protocol checks. */
export type EmergencyTriggerType =
  /** Mark price away from the index price beyond a dislocation threshold. */
  | 'BASIS_DISLOCATION'
  /** A move beyond a fixed percentage within 15 or 60 minutes, whatever the recent volatility. */
  | 'CIRCUIT_BREAKER_MOVE'
  /** The venue price feed stopped arriving (overdue); silent for haltedAfterMs it reads as a halted or unreachable venue. */
  | 'DATA_STALE'
  /** Realised volatility of the last hour a multiple of its baseline. */
  | 'EXTREME_VOLATILITY'
  /** A fall of k σ (σ of the base interval returns, scaled by the square root of the bars) within a short window. */
  | 'FLASH_CRASH'
  /** A rise of k σ within a short window. */
  | 'FLASH_PUMP'
  /** Funding, normalised to 8 hours, beyond a dislocation threshold. */
  | 'FUNDING_DISLOCATION';

/** Who funding says is crowded: positive funding means longs pay shorts. */
export type FundingSignal =
  /** Funding score ≥ 20: longs lean crowded. */
  | 'LONG_BIAS'
  /** Funding score between −20 and 20. */
  | 'NEUTRAL'
  /** Funding score ≥ 60: longs heavily crowded. */
  | 'OVERHEATED_LONGS'
  /** Funding score ≤ −60: shorts heavily crowded. */
  | 'OVERHEATED_SHORTS'
  /** Funding score ≤ −20: shorts lean crowded. */
  | 'SHORT_BIAS';

/** Direction of recent settled funding rates (OLS slope over the trend window against a flat threshold). */
export type FundingTrend =
  /** OLS slope of the last trendWindow settlements ≤ −flatSlope (default 0.00001 per settlement). */
  | 'FALLING'
  /** |slope| < flatSlope, or too few settlements for a slope. */
  | 'FLAT'
  /** OLS slope of the last trendWindow settlements ≥ flatSlope. */
  | 'RISING';

/** Where a level comes from: SWING_CLUSTER (confirmed swings within the tolerance), VOLUME_NODE (volume-by-price peak), FIB_RETRACEMENT / FIB_EXTENSION (of the last confirmed leg), PRIOR_DAY_* / PRIOR_WEEK_* (high, low, close of the previous UTC day / week). */
export type KeyLevelKind =
  /** Fibonacci extension of the last confirmed leg beyond its end (1.272, 1.618). */
  | 'FIB_EXTENSION'
  /** Fibonacci retracement of the last confirmed leg (0.236 … 0.786). */
  | 'FIB_RETRACEMENT'
  /** Close of the previous UTC day. */
  | 'PRIOR_DAY_CLOSE'
  /** High of the previous UTC day. */
  | 'PRIOR_DAY_HIGH'
  /** Low of the previous UTC day. */
  | 'PRIOR_DAY_LOW'
  /** Close of the previous week (Monday 00:00 UTC weeks). */
  | 'PRIOR_WEEK_CLOSE'
  /** High of the previous week. */
  | 'PRIOR_WEEK_HIGH'
  /** Low of the previous week. */
  | 'PRIOR_WEEK_LOW'
  /** Confirmed swing highs/lows within `tolerancePct` of each other. */
  | 'SWING_CLUSTER'
  /** A local peak of the volume-by-price histogram (the largest one is the point of control). */
  | 'VOLUME_NODE';

/** SUPPORT: the level is below the current price; RESISTANCE: at or above it. */
export type KeyLevelSide =
  /** At or above the current price. */
  | 'RESISTANCE'
  /** Below the current price. */
  | 'SUPPORT';

/** Where a liquidation cascade is more likely: UP or DOWN when one probability exceeds the other by ≥ 0.05, else NEUTRAL. */
export type LiquidationCascadeDirection =
  /** downProbability exceeds upProbability by ≥ 0.05. */
  | 'DOWN'
  /** Neither probability leads by 0.05, or neither is known. */
  | 'NEUTRAL'
  /** upProbability exceeds downProbability by ≥ 0.05. */
  | 'UP';

/** Which positions were liquidated: LONGS_LIQUIDATED (SELL liquidation orders, forced selling), SHORTS_LIQUIDATED (BUY orders, forced buying), BALANCED, or NONE without liquidations. */
export type LiquidationDominance =
  /** Neither side reaches the dominance share (default 0.6 of the window's notional). */
  | 'BALANCED'
  /** Long positions (SELL liquidation orders) carry at least the dominance share of the notional: forced selling. */
  | 'LONGS_LIQUIDATED'
  /** No liquidation in the window. */
  | 'NONE'
  /** Short positions (BUY liquidation orders) carry at least the dominance share: forced buying. */
  | 'SHORTS_LIQUIDATED';

/** Side of the estimated positions: LONG positions are liquidated below the price, SHORT above. */
export type LiquidationPositionSide =
  /** Long positions: liquidated below the current price. */
  | 'LONG'
  /** Short positions: liquidated above the current price. */
  | 'SHORT';

/** Which side carries more estimated liquidation notional: LONG_HEAVY (pressure score ≥ 20, downside fuel), SHORT_HEAVY (≤ −20, squeeze fuel), BALANCED. */
export type LiquidationPressure =
  /** Pressure score between −20 and 20. */
  | 'BALANCED'
  /** Pressure score ≥ 20: more long liquidation notional below (downside fuel). */
  | 'LONG_HEAVY'
  /** Pressure score ≤ −20: more short liquidation notional above (squeeze fuel). */
  | 'SHORT_HEAVY';

/** Size of a liquidation cluster in minutes of average traded volume: LOW < 0.5, MEDIUM ≥ 0.5, HIGH ≥ 2, EXTREME ≥ 5 (LOW without a volume reference). */
export type LiquidationRiskLevel =
  /** ≥ 5 minutes of average traded volume. */
  | 'EXTREME'
  /** ≥ 2 minutes of average traded volume. */
  | 'HIGH'
  /** < 0.5 minutes of average traded volume, or no volume reference. */
  | 'LOW'
  /** ≥ 0.5 minutes of average traded volume. */
  | 'MEDIUM';

/** Wyckoff-like 4 h phase: MARKUP / MARKDOWN when 4 h trends; in a range ACCUMULATION (after a decline ≥ priorMovePct, OBV or CVD rising), DISTRIBUTION (after an advance, OBV or CVD falling), else UNDETERMINED. */
export type MarketPhase =
  /** Range after a decline, with rising OBV or CVD (absorption of supply). */
  | 'ACCUMULATION'
  /** Range after an advance, with falling OBV or CVD (supply entering). */
  | 'DISTRIBUTION'
  /** 4 h trending down. */
  | 'MARKDOWN'
  /** 4 h trending up. */
  | 'MARKUP'
  /** A range whose prior move or flow does not support either reading. */
  | 'UNDETERMINED';

/** TREND_UP / TREND_DOWN: |efficiency ratio| ≥ trendEfficiency (default 0.3) with a same-sign slope of ln(close); RANGE otherwise. */
export type MarketRegime =
  /** |efficiency ratio| below trendEfficiency, or its slope disagrees: no trend. */
  | 'RANGE'
  /** |efficiency ratio| ≥ trendEfficiency with a negative slope of ln(close). */
  | 'TREND_DOWN'
  /** |efficiency ratio| ≥ trendEfficiency with a positive slope of ln(close). */
  | 'TREND_UP';

/** PRICE_HIGH_OI_FALLING: a new price high on falling OI (short covering, bearish divergence). PRICE_LOW_OI_FALLING: a new price low on falling OI (long capitulation, bullish divergence). */
export type OpenInterestDivergenceKind =
  /** Price makes a new high over the window while OI falls: the rally is short covering, not new buying (bearish). */
  | 'PRICE_HIGH_OI_FALLING'
  /** Price makes a new low over the window while OI falls: the drop is longs capitulating, not new selling (bullish). */
  | 'PRICE_LOW_OI_FALLING';

/** Look-back of an open-interest change: M5 = 5 minutes, H1 = 1 hour, H4 = 4 hours, H24 = 24 hours. */
export type OpenInterestHorizon =
  /** 1 hour. */
  | 'H1'
  /** 4 hours. */
  | 'H4'
  /** 24 hours. */
  | 'H24'
  /** 5 minutes. */
  | 'M5';

/** Price vs open interest: NEW_LONGS (price up, OI up), SHORT_COVERING (price up, OI down), NEW_SHORTS (price down, OI up), LONG_LIQUIDATION (price down, OI down); FLAT when either stayed within its flat band. */
export type OpenInterestQuadrant =
  /** Price or open interest stayed within its flat band (priceFlatPct / oiFlatPct). */
  | 'FLAT'
  /** Price down, OI down: longs are closing or being liquidated. */
  | 'LONG_LIQUIDATION'
  /** Price up, OI up: new longs are opening. */
  | 'NEW_LONGS'
  /** Price down, OI up: new shorts are opening. */
  | 'NEW_SHORTS'
  /** Price up, OI down: shorts are closing (buying back). */
  | 'SHORT_COVERING';

/** From the Lo–MacKinlay variance ratio z statistic: TREND_CONTINUATION (z ≥ 1.96), MEAN_REVERSION (z ≤ −1.96), RANDOM_WALK otherwise. */
export type ReturnTendency =
  /** VR < 1 significantly (z ≤ −zCritical): returns are negatively autocorrelated. */
  | 'MEAN_REVERSION'
  /** The random-walk hypothesis is not rejected. */
  | 'RANDOM_WALK'
  /** VR > 1 significantly (z ≥ zCritical): returns are positively autocorrelated. */
  | 'TREND_CONTINUATION';

/** Side of a scenario. */
export type ScenarioBias =
  /** Profits when the price rises: targets above the entry, stop below. */
  | 'LONG'
  /** Profits when the price falls: targets below the entry, stop above. */
  | 'SHORT';

/** Order type the entry zone is meant for. */
export type ScenarioEntryType =
  /** A resting limit order inside the zone (pull-backs, rejections, fades). */
  | 'LIMIT'
  /** A stop order that triggers when the price trades through the zone (breakouts). */
  | 'STOP';

/** How a scenario is set up relative to the composite and the nearest levels. */
export type ScenarioKind =
  /** With the composite: a move through the nearest level in its way (resistance for a long), entered by a stop order. */
  | 'BREAKOUT'
  /** With the composite: a return to the nearest level behind the price (support for a long), entered by a limit order. */
  | 'PULLBACK'
  /** No side (NEUTRAL composite): fading an edge of the range (value area, else the nearest level). */
  | 'RANGE_FADE'
  /** Against the composite: a rejection at the nearest level in its way, entered by a limit order. */
  | 'REJECTION';

/** BULLISH: a close above a swing high; BEARISH: a close below a swing low. */
export type StructureDirection =
  /** A close below a confirmed swing low. */
  | 'BEARISH'
  /** A close above a confirmed swing high. */
  | 'BULLISH';

/** BOS (break of structure): a close beyond the last confirmed swing in the trend direction (from RANGE, the first break). CHOCH (change of character): a close beyond the last confirmed swing against the trend. */
export type StructureEventKind =
  /** Break of structure: a close beyond the last confirmed swing in the direction of the trend (continuation). */
  | 'BOS'
  /** Change of character: a close beyond the last confirmed swing against the trend (first sign of reversal). */
  | 'CHOCH';

/** UPTREND after a bullish BOS/CHoCH, DOWNTREND after a bearish one, RANGE before the first break of a confirmed swing. */
export type StructureTrend =
  /** After a bearish BOS or CHoCH. */
  | 'DOWNTREND'
  /** Before the first break of a confirmed swing. */
  | 'RANGE'
  /** After a bullish BOS or CHoCH. */
  | 'UPTREND';

/** Taker side of a trade; order side of a liquidation. */
export type TradeSide =
  /** Buy side (taker buyer; for a liquidation, a BUY order closes a short). */
  | 'BUY'
  /** Sell side (taker seller; for a liquidation, a SELL order closes a long). */
  | 'SELL';

/** The move a trap implies: BEARISH after a trap above the market (buyers caught), BULLISH after one below (sellers caught). */
export type TrapDirection =
  /** After a trap above the market: buyers caught, a move down implied. */
  | 'BEARISH'
  /** After a trap below the market: sellers caught, a move up implied. */
  | 'BULLISH';

/** LIQUIDITY_GRAB_HIGH/LOW: a wick beyond a prior swing high/low that closed back inside on the same bar (stop hunt). FAKE_BREAKOUT_UP/DOWN: a close beyond the level, then a close back inside within K bars. */
export type TrapType =
  /** A close below a swing low followed within `reclaimBars` bars by a close back above it. */
  | 'FAKE_BREAKOUT_DOWN'
  /** A close above a swing high followed within `reclaimBars` bars by a close back below it. */
  | 'FAKE_BREAKOUT_UP'
  /** A wick above a prior swing high (or liquidation level) that closed back below it: buy stops taken, sellers in control. */
  | 'LIQUIDITY_GRAB_HIGH'
  /** A wick below a prior swing low that closed back above it: sell stops taken, buyers in control. */
  | 'LIQUIDITY_GRAB_LOW';

/** Where the latest close sits relative to the value area: ABOVE the VAH, INSIDE, or BELOW the VAL. */
export type ValueAreaPosition =
  /** Close above the value-area high. */
  | 'ABOVE'
  /** Close below the value-area low. */
  | 'BELOW'
  /** Close within the value area. */
  | 'INSIDE';

/** Volatility state from the percentile rank of ATR% against its own recent history: STABLE (< highVolPercentile, default 60), HIGH_VOL (≥ 60), EXPLOSIVE (≥ 85), EXTREME (≥ 97). */
export type VolatilityRegime =
  /** ATR% at or above `explosivePercentile`: expansion, stops and sizes need adjusting. */
  | 'EXPLOSIVE'
  /** ATR% at or above `extremePercentile`: the top few percent of its history (crash / squeeze bars). */
  | 'EXTREME'
  /** ATR% at or above `highVolPercentile`: wider than usual ranges. */
  | 'HIGH_VOL'
  /** ATR% below the `highVolPercentile` of its history: ordinary conditions. */
  | 'STABLE';

export type DashKeyLevelsSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashKeyLevelsSubscription = { keyLevelsUpdated: { price: number, time: string, levels: Array<{ price: number, kind: KeyLevelKind, side: KeyLevelSide, strength: number | null, note: string }>, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashVolumeSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashVolumeSubscription = { volumeUpdated: { time: string | null, close: number | null, series: Array<{ time: string, sessionVwap: number | null, anchoredVwap: number | null }>, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashVolumeProfileSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashVolumeProfileSubscription = { volumeProfileUpdated: { valueAreaHigh: number | null, valueAreaLow: number | null, position: ValueAreaPosition | null, poc: { price: number } | null, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashStructureSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashStructureSubscription = { marketStructureUpdated: { trend: StructureTrend | null, events: Array<{ time: string, kind: StructureEventKind, direction: StructureDirection, level: number }>, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashTrapsSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashTrapsSubscription = { trapsUpdated: { traps: Array<{ id: string, time: string, type: TrapType, direction: TrapDirection, level: number, confidence: number }>, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashConfirmationSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashConfirmationSubscription = { confirmationUpdated: { score: number, signal: ConfirmationDirection, strength: ConfirmationStrength, quality: ConfirmationQuality, coverage: number, recommendation: string, distribution: { bullish: number, bearish: number, neutral: number, unavailable: number }, layers: Array<{ name: ConfirmationLayerName, available: boolean, direction: ConfirmationDirection | null, score: number | null, confidence: number | null, weight: number, reading: string, missingInputs: Array<string> }>, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashScenariosSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashScenariosSubscription = { scenariosUpdated: { price: number, atr: number, notes: Array<string>, scenarios: Array<{ name: string, kind: ScenarioKind, bias: ScenarioBias, confidence: number, horizon: string, invalidation: string, entry: { type: ScenarioEntryType, priceMin: number, priceMax: number }, stopLoss: { price: number, reason: string }, targets: Array<{ level: number, price: number, rr: number, reason: string }>, leverage: { recommended: number, maxSafe: number, liquidationPrice: number }, why: { bullishFactors: Array<string>, bearishFactors: Array<string>, risks: Array<string> } }>, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashFundingSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashFundingSubscription = { fundingUpdated: { rate: number, annualizedRate: number, predictedRate: number | null, zScore: number | null, signal: FundingSignal, trend: FundingTrend, isExtreme: boolean, nextFundingTime: string | null, warmingUp: boolean, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashOpenInterestSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashOpenInterestSubscription = { openInterestUpdated: { openInterest: number | null, openInterestValue: number | null, quadrant: OpenInterestQuadrant | null, score: number, warmingUp: boolean, changes: Array<{ horizon: OpenInterestHorizon, oiChangePct: number | null, priceChangePct: number | null }>, divergences: Array<{ kind: OpenInterestDivergenceKind, note: string }>, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashLongShortSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashLongShortSubscription = { longShortUpdated: { signal: CrowdingSignal, contrarianBias: ContrarianBias, score: number, warmingUp: boolean, globalAccounts: { ratio: number, longShare: number } | null, topAccounts: { ratio: number, longShare: number } | null, topPositions: { ratio: number, longShare: number } | null, takerBuySell: { ratio: number } | null, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashBasisSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashBasisSubscription = { basisUpdated: { basisPct: number | null, annualizedBasisPct: number | null, premiumPct: number | null, structure: BasisStructure | null, structureReference: BasisReference | null, markPrice: number | null, indexPrice: number | null, spotPrice: number | null, warmingUp: boolean, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashEmergencySubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashEmergencySubscription = { emergencyUpdated: { level: EmergencyLevel, interval: string, advice: Array<string>, volatilityRatio: number | null, premium: number | null, funding8h: number | null, time: string, triggers: Array<{ type: EmergencyTriggerType, level: EmergencyLevel, value: number, threshold: number, windowMinutes: number | null, note: string }>, unavailable: Array<{ check: string, reason: string }>, staleInputs: Array<{ type: string, interval: string | null, lastAt: string | null }>, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashCascadeEventsSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashCascadeEventsSubscription = { cascadeDetected: { level: CascadeLevel | null, severity: number | null, dominance: LiquidationDominance, notionalUsd: number, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashTrapEventsSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashTrapEventsSubscription = { trapDetected: { id: string, type: TrapType, direction: TrapDirection, level: number, time: string, meta: { source: DataOrigin, asOf: string, venue: string } | null } };

export type DashWhaleEventsSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashWhaleEventsSubscription = { whaleTrade: { side: TradeSide, notional: number, price: number, time: string, meta: { source: DataOrigin, asOf: string, venue: string } | null } };

export type DashRegimeEventsSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashRegimeEventsSubscription = { volatilityRegimeChanged: { from: VolatilityRegime, to: VolatilityRegime, time: string, atrPct: number | null, meta: { source: DataOrigin, asOf: string, venue: string } | null } };

export type DashAlertEventsSubscriptionVariables = Exact<{
  symbols?: Array<string> | string | null | undefined;
}>;


export type DashAlertEventsSubscription = { alertFired: { id: string, event: AlertEventType, severity: AlertSeverity, title: string, summary: string, symbol: string | null, firedAt: string, source: DataOrigin, venue: string, asOf: string, test: boolean } };

export type DashHeatmapSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashHeatmapSubscription = { liquidationHeatmapUpdated: { price: number, signal: string, pressure: LiquidationPressure, warmingUp: boolean, timeline: { prices: Array<number>, maxNotional: number, slices: Array<{ time: string, notional: Array<number> }> }, whaleTargets: Array<{ side: LiquidationPositionSide, price: number, notional: number, distancePct: number, risk: LiquidationRiskLevel }>, cascade: { direction: LiquidationCascadeDirection, upProbability: number | null, downProbability: number | null, reach: number | null }, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashboardSymbolsQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardSymbolsQuery = { symbols: Array<{ symbol: string }> };

export type DashboardCandlesQueryVariables = Exact<{
  symbol: string;
}>;


export type DashboardCandlesQuery = { market: { symbol: string, data: { candles: Array<{ openTime: string, open: number, high: number, low: number, close: number, volume: number }>, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } | null } };

export type DashMetaFragment = { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string };

export type DashEventMetaFragment = { source: DataOrigin, asOf: string, venue: string };

export type DashVolatilitySubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashVolatilitySubscription = { volatilityUpdated: { regime: VolatilityRegime | null, atrPct: number | null, atrPctPercentile: number | null, realizedVol: number | null, riskMultiplier: number | null, warmingUp: boolean, bollinger: { bandwidthPct: number, percentB: number | null } | null, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashRegimeSubscriptionVariables = Exact<{
  symbol: string;
}>;


export type DashRegimeSubscription = { regimeUpdated: { primaryRegime: MarketRegime | null, phase: MarketPhase | null, confidence: number, agreement: number, tendency: ReturnTendency | null, hurst: number | null, warmingUp: boolean, timeframes: Array<{ timeframe: CandleInterval, regime: MarketRegime | null, adx: number | null, hasData: boolean, note: string }>, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export type DashCorrelationsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type DashCorrelationsSubscription = { correlationsUpdated: { symbols: Array<string>, averageCorrelation: number | null, warmingUp: boolean, pearson: Array<{ symbol: string, values: Array<number | null> }>, regime: { regime: CrossAssetRegime } | null, breaks: Array<{ a: string, b: string, severity: CorrelationBreakSeverity, note: string }>, meta: { source: DataOrigin, stale: boolean, asOf: string, ageMs: number, venue: string } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const DashMetaFragmentDoc = new TypedDocumentString(`
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}
    `, {"fragmentName":"DashMeta"}) as unknown as TypedDocumentString<DashMetaFragment, unknown>;
export const DashEventMetaFragmentDoc = new TypedDocumentString(`
    fragment DashEventMeta on EventMeta {
  source
  asOf
  venue
}
    `, {"fragmentName":"DashEventMeta"}) as unknown as TypedDocumentString<DashEventMetaFragment, unknown>;
export const DashKeyLevelsDocument = new TypedDocumentString(`
    subscription DashKeyLevels($symbol: String!) {
  keyLevelsUpdated(symbol: $symbol) {
    price
    time
    levels(maxDistancePct: 6) {
      price
      kind
      side
      strength
      note
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashKeyLevelsSubscription, DashKeyLevelsSubscriptionVariables>;
export const DashVolumeDocument = new TypedDocumentString(`
    subscription DashVolume($symbol: String!) {
  volumeUpdated(symbol: $symbol) {
    time
    close
    series {
      time
      sessionVwap
      anchoredVwap
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashVolumeSubscription, DashVolumeSubscriptionVariables>;
export const DashVolumeProfileDocument = new TypedDocumentString(`
    subscription DashVolumeProfile($symbol: String!) {
  volumeProfileUpdated(symbol: $symbol) {
    valueAreaHigh
    valueAreaLow
    poc {
      price
    }
    position
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashVolumeProfileSubscription, DashVolumeProfileSubscriptionVariables>;
export const DashStructureDocument = new TypedDocumentString(`
    subscription DashStructure($symbol: String!) {
  marketStructureUpdated(symbol: $symbol) {
    trend
    events(limit: 30) {
      time
      kind
      direction
      level
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashStructureSubscription, DashStructureSubscriptionVariables>;
export const DashTrapsDocument = new TypedDocumentString(`
    subscription DashTraps($symbol: String!) {
  trapsUpdated(symbol: $symbol) {
    traps {
      id
      time
      type
      direction
      level
      confidence
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashTrapsSubscription, DashTrapsSubscriptionVariables>;
export const DashConfirmationDocument = new TypedDocumentString(`
    subscription DashConfirmation($symbol: String!) {
  confirmationUpdated(symbol: $symbol) {
    score
    signal
    strength
    quality
    coverage
    recommendation
    distribution {
      bullish
      bearish
      neutral
      unavailable
    }
    layers {
      name
      available
      direction
      score
      confidence
      weight
      reading
      missingInputs
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashConfirmationSubscription, DashConfirmationSubscriptionVariables>;
export const DashScenariosDocument = new TypedDocumentString(`
    subscription DashScenarios($symbol: String!) {
  scenariosUpdated(symbol: $symbol) {
    price
    atr
    notes
    scenarios {
      name
      kind
      bias
      confidence
      horizon
      invalidation
      entry {
        type
        priceMin
        priceMax
      }
      stopLoss {
        price
        reason
      }
      targets {
        level
        price
        rr
        reason
      }
      leverage {
        recommended
        maxSafe
        liquidationPrice
      }
      why {
        bullishFactors
        bearishFactors
        risks
      }
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashScenariosSubscription, DashScenariosSubscriptionVariables>;
export const DashFundingDocument = new TypedDocumentString(`
    subscription DashFunding($symbol: String!) {
  fundingUpdated(symbol: $symbol) {
    rate
    annualizedRate
    predictedRate
    zScore
    signal
    trend
    isExtreme
    nextFundingTime
    warmingUp
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashFundingSubscription, DashFundingSubscriptionVariables>;
export const DashOpenInterestDocument = new TypedDocumentString(`
    subscription DashOpenInterest($symbol: String!) {
  openInterestUpdated(symbol: $symbol) {
    openInterest
    openInterestValue
    quadrant
    score
    warmingUp
    changes {
      horizon
      oiChangePct
      priceChangePct
    }
    divergences {
      kind
      note
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashOpenInterestSubscription, DashOpenInterestSubscriptionVariables>;
export const DashLongShortDocument = new TypedDocumentString(`
    subscription DashLongShort($symbol: String!) {
  longShortUpdated(symbol: $symbol) {
    signal
    contrarianBias
    score
    warmingUp
    globalAccounts {
      ratio
      longShare
    }
    topAccounts {
      ratio
      longShare
    }
    topPositions {
      ratio
      longShare
    }
    takerBuySell {
      ratio
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashLongShortSubscription, DashLongShortSubscriptionVariables>;
export const DashBasisDocument = new TypedDocumentString(`
    subscription DashBasis($symbol: String!) {
  basisUpdated(symbol: $symbol) {
    basisPct
    annualizedBasisPct
    premiumPct
    structure
    structureReference
    markPrice
    indexPrice
    spotPrice
    warmingUp
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashBasisSubscription, DashBasisSubscriptionVariables>;
export const DashEmergencyDocument = new TypedDocumentString(`
    subscription DashEmergency($symbol: String!) {
  emergencyUpdated(symbol: $symbol) {
    level
    interval
    advice
    volatilityRatio
    premium
    funding8h
    triggers {
      type
      level
      value
      threshold
      windowMinutes
      note
    }
    unavailable {
      check
      reason
    }
    staleInputs {
      type
      interval
      lastAt
    }
    time
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashEmergencySubscription, DashEmergencySubscriptionVariables>;
export const DashCascadeEventsDocument = new TypedDocumentString(`
    subscription DashCascadeEvents($symbol: String!) {
  cascadeDetected(symbol: $symbol) {
    level
    severity
    dominance
    notionalUsd
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashCascadeEventsSubscription, DashCascadeEventsSubscriptionVariables>;
export const DashTrapEventsDocument = new TypedDocumentString(`
    subscription DashTrapEvents($symbol: String!) {
  trapDetected(symbol: $symbol) {
    id
    type
    direction
    level
    time
    meta {
      ...DashEventMeta
    }
  }
}
    fragment DashEventMeta on EventMeta {
  source
  asOf
  venue
}`) as unknown as TypedDocumentString<DashTrapEventsSubscription, DashTrapEventsSubscriptionVariables>;
export const DashWhaleEventsDocument = new TypedDocumentString(`
    subscription DashWhaleEvents($symbol: String!) {
  whaleTrade(symbol: $symbol) {
    side
    notional
    price
    time
    meta {
      ...DashEventMeta
    }
  }
}
    fragment DashEventMeta on EventMeta {
  source
  asOf
  venue
}`) as unknown as TypedDocumentString<DashWhaleEventsSubscription, DashWhaleEventsSubscriptionVariables>;
export const DashRegimeEventsDocument = new TypedDocumentString(`
    subscription DashRegimeEvents($symbol: String!) {
  volatilityRegimeChanged(symbol: $symbol) {
    from
    to
    time
    atrPct
    meta {
      ...DashEventMeta
    }
  }
}
    fragment DashEventMeta on EventMeta {
  source
  asOf
  venue
}`) as unknown as TypedDocumentString<DashRegimeEventsSubscription, DashRegimeEventsSubscriptionVariables>;
export const DashAlertEventsDocument = new TypedDocumentString(`
    subscription DashAlertEvents($symbols: [String!]) {
  alertFired(symbols: $symbols) {
    id
    event
    severity
    title
    summary
    symbol
    firedAt
    source
    venue
    asOf
    test
  }
}
    `) as unknown as TypedDocumentString<DashAlertEventsSubscription, DashAlertEventsSubscriptionVariables>;
export const DashHeatmapDocument = new TypedDocumentString(`
    subscription DashHeatmap($symbol: String!) {
  liquidationHeatmapUpdated(symbol: $symbol) {
    price
    signal
    pressure
    warmingUp
    timeline {
      prices
      maxNotional
      slices {
        time
        notional
      }
    }
    whaleTargets {
      side
      price
      notional
      distancePct
      risk
    }
    cascade {
      direction
      upProbability
      downProbability
      reach
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashHeatmapSubscription, DashHeatmapSubscriptionVariables>;
export const DashboardSymbolsDocument = new TypedDocumentString(`
    query DashboardSymbols {
  symbols {
    symbol
  }
}
    `) as unknown as TypedDocumentString<DashboardSymbolsQuery, DashboardSymbolsQueryVariables>;
export const DashboardCandlesDocument = new TypedDocumentString(`
    query DashboardCandles($symbol: String!) {
  market(symbol: $symbol) {
    symbol
    data {
      candles(interval: I15M, limit: 300) {
        openTime
        open
        high
        low
        close
        volume
      }
      meta {
        ...DashMeta
      }
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashboardCandlesQuery, DashboardCandlesQueryVariables>;
export const DashVolatilityDocument = new TypedDocumentString(`
    subscription DashVolatility($symbol: String!) {
  volatilityUpdated(symbol: $symbol) {
    regime
    atrPct
    atrPctPercentile
    realizedVol
    riskMultiplier
    warmingUp
    bollinger {
      bandwidthPct
      percentB
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashVolatilitySubscription, DashVolatilitySubscriptionVariables>;
export const DashRegimeDocument = new TypedDocumentString(`
    subscription DashRegime($symbol: String!) {
  regimeUpdated(symbol: $symbol) {
    primaryRegime
    phase
    confidence
    agreement
    tendency
    hurst
    warmingUp
    timeframes {
      timeframe
      regime
      adx
      hasData
      note
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashRegimeSubscription, DashRegimeSubscriptionVariables>;
export const DashCorrelationsDocument = new TypedDocumentString(`
    subscription DashCorrelations {
  correlationsUpdated {
    symbols
    averageCorrelation
    warmingUp
    pearson {
      symbol
      values
    }
    regime {
      regime
    }
    breaks {
      a
      b
      severity
      note
    }
    meta {
      ...DashMeta
    }
  }
}
    fragment DashMeta on AnalysisMeta {
  source
  stale
  asOf
  ageMs
  venue
}`) as unknown as TypedDocumentString<DashCorrelationsSubscription, DashCorrelationsSubscriptionVariables>;