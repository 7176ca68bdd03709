import type { BracketTable, MaintenanceBracket } from './liquidation-heatmap.types.js';

/**
 * Binance USDⓈ-M maintenance-margin brackets ("leverage and margin tiers") used by the liquidation
 * heatmap. Each row: positions with `notionalFloor < notional ≤ notionalCap` (quote currency) may use at
 * most `maxLeverage`, and are maintained at `maintenanceMarginRate` with the `maintenanceAmount` ("cum")
 * deduction, where cum(n) = cum(n − 1) + floor(n) × (rate(n) − rate(n − 1)) keeps the maintenance margin
 * continuous across brackets (tests/unit/liquidation-heatmap.test.ts checks that recurrence).
 *
 * These are public default tables, copied as of their `asOf`. Binance revises tiers often (see its
 * announcements), and a venue can assign an account a different table; the current values are served by
 * `GET /fapi/v1/leverageBracket`. The heatmap only needs their shape to be about right: liquidation
 * distance is dominated by 1/leverage, the rate moves it by tenths of a percent.
 *
 * @see https://www.binance.com/en/futures/trading-rules/perpetual/leverage-margin — the tier tables per symbol.
 * @see https://www.binance.com/en/support/faq/360033162192 — Binance: leverage and margin of USDⓈ-M futures (tax-bracket maintenance margin).
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Notional-and-Leverage-Brackets — `notionalCap`, `notionalFloor`, `maintMarginRatio`, `cum`.
 */

function row(bracket: number, maxLeverage: number, notionalFloor: number, notionalCap: number, maintenanceMarginRate: number, maintenanceAmount: number): MaintenanceBracket {
  return { bracket, maxLeverage, notionalFloor, notionalCap, maintenanceMarginRate, maintenanceAmount };
}

/** BTCUSDT, as returned by `/fapi/v1/leverageBracket` (125x tier up to 50 000 USDT). */
export const BTCUSDT_BRACKETS: BracketTable = {
  name: 'Binance BTCUSDT',
  asOf: 'leverageBracket snapshot (125x ≤ 50k USDT)',
  brackets: [
    row(1, 125, 0, 50_000, 0.004, 0),
    row(2, 100, 50_000, 250_000, 0.005, 50),
    row(3, 50, 250_000, 3_000_000, 0.01, 1_300),
    row(4, 20, 3_000_000, 20_000_000, 0.025, 46_300),
    row(5, 10, 20_000_000, 40_000_000, 0.05, 546_300),
    row(6, 5, 40_000_000, 100_000_000, 0.1, 2_546_300),
    row(7, 4, 100_000_000, 120_000_000, 0.125, 5_046_300),
    row(8, 3, 120_000_000, 200_000_000, 0.15, 8_046_300),
    row(9, 2, 200_000_000, 300_000_000, 0.25, 28_046_300),
    row(10, 1, 300_000_000, 500_000_000, 0.5, 103_046_300),
  ],
};

/**
 * ETHUSDT (100x tier up to 50 000 USDT). A public snapshot whose maintenance amounts satisfy the cum
 * recurrence; verify against `/fapi/v1/leverageBracket?symbol=ETHUSDT` before relying on an exact rate.
 */
export const ETHUSDT_BRACKETS: BracketTable = {
  name: 'Binance ETHUSDT',
  asOf: 'public tier snapshot (100x ≤ 50k USDT)',
  brackets: [
    row(1, 100, 0, 50_000, 0.005, 0),
    row(2, 75, 50_000, 250_000, 0.0065, 75),
    row(3, 50, 250_000, 1_000_000, 0.01, 950),
    row(4, 25, 1_000_000, 7_500_000, 0.02, 10_950),
    row(5, 10, 7_500_000, 22_500_000, 0.05, 235_950),
    row(6, 5, 22_500_000, 75_000_000, 0.1, 1_360_950),
    row(7, 4, 75_000_000, 150_000_000, 0.125, 3_235_950),
    row(8, 3, 150_000_000, 225_000_000, 0.15, 6_985_950),
    row(9, 2, 225_000_000, 375_000_000, 0.25, 29_485_950),
    row(10, 1, 375_000_000, 750_000_000, 0.5, 123_235_950),
  ],
};

/**
 * Every other symbol: the 50x mid-cap table Binance published for many USDⓈ-M perpetuals (e.g. STBLUSDT,
 * DRIFTUSDT, ZETAUSDT in the 2025-11-28 tier update), with the maintenance amounts from the cum recurrence
 * (16.67 % taken as 1/6, as Binance states the 3x rate).
 *
 * @see https://www.binance.com/en/support/announcement — "Updates on the Leverage & Margin Tiers of USDⓈ-M Perpetual Contract (2025-11-28)".
 */
export const GENERIC_BRACKETS: BracketTable = {
  name: 'Binance generic 50x mid-cap',
  asOf: '2025-11-28 tier table',
  brackets: [
    row(1, 50, 0, 5_000, 0.015, 0),
    row(2, 25, 5_000, 10_000, 0.02, 25),
    row(3, 20, 10_000, 25_000, 0.025, 75),
    row(4, 10, 25_000, 62_500, 0.05, 700),
    row(5, 5, 62_500, 125_000, 0.1, 3_825),
    row(6, 4, 125_000, 250_000, 0.125, 6_950),
    row(7, 3, 250_000, 500_000, 1 / 6, 6_950 + 250_000 * (1 / 6 - 0.125)),
    row(8, 2, 500_000, 7_500_000, 0.25, 6_950 + 250_000 * (1 / 6 - 0.125) + 500_000 * (0.25 - 1 / 6)),
    row(9, 1, 7_500_000, 12_500_000, 0.5, 6_950 + 250_000 * (1 / 6 - 0.125) + 500_000 * (0.25 - 1 / 6) + 7_500_000 * 0.25),
  ],
};

/** The bracket table the heatmap uses for a symbol: BTCUSDT and ETHUSDT have their own, the rest the generic one. */
export function bracketTableFor(symbol: string): BracketTable {
  switch (symbol.toUpperCase()) {
    case 'BTCUSDT':
      return BTCUSDT_BRACKETS;
    case 'ETHUSDT':
      return ETHUSDT_BRACKETS;
    default:
      return GENERIC_BRACKETS;
  }
}
