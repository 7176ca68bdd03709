-- Market-data archive (README "Archive"): the raw inputs the engine consumes, so a restart restores the
-- market store from here and asks the venue only for the gap. Times are epoch milliseconds (bigint): exact,
-- cheap to compare, and what the domain types carry. Written in multi-row batches (src/db/archive-repository.ts).

-- Closed candles: the largest series (1m bars of 20 symbols are 28 800 rows a day). The primary key is the
-- range-scan index (venue, symbol, interval, open_time); the second index serves retention by interval.
CREATE TABLE "market_candle" (
    "venue" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "interval" TEXT NOT NULL,
    "open_time" BIGINT NOT NULL,
    "close_time" BIGINT NOT NULL,
    "open" DOUBLE PRECISION NOT NULL,
    "high" DOUBLE PRECISION NOT NULL,
    "low" DOUBLE PRECISION NOT NULL,
    "close" DOUBLE PRECISION NOT NULL,
    "volume" DOUBLE PRECISION NOT NULL,
    "quote_volume" DOUBLE PRECISION,
    "taker_buy_volume" DOUBLE PRECISION,
    "trades" INTEGER,
    "source" TEXT NOT NULL,

    CONSTRAINT "market_candle_pkey" PRIMARY KEY ("venue", "symbol", "interval", "open_time")
);
CREATE INDEX "market_candle_interval_open_time_idx" ON "market_candle"("interval", "open_time");

-- Every other input, one row per observation: funding settlements, sampled mark/index prices, open interest,
-- long/short ratios, taker volume, basis, liquidations, large trades, options-chain samples, Fear & Greed,
-- global market. `symbol` is '' for market-wide data (the options currency goes in `series`); `series`
-- separates several series of one type (long/short kind and period); `key` separates observations sharing
-- a millisecond (a trade id, a liquidation's side/price/quantity).
CREATE TABLE "market_record" (
    "venue" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "series" TEXT NOT NULL DEFAULT '',
    "time" BIGINT NOT NULL,
    "key" TEXT NOT NULL DEFAULT '',
    "source" TEXT NOT NULL,
    "payload" JSONB NOT NULL,

    CONSTRAINT "market_record_pkey" PRIMARY KEY ("venue", "type", "symbol", "series", "time", "key")
);
CREATE INDEX "market_record_type_time_idx" ON "market_record"("type", "time");
