import type { SymbolInfo } from '../../domain/market.js';
import { clamp, roundToStep } from './numeric.js';
import { hashString } from './random.js';
import { FUNDING_INTERVAL_HOURS } from './time.js';

/**
 * Static per-symbol parameters of the simulated market: where the price starts, how volatile it is,
 * how strongly it follows the common market factor, venue increments and trading activity.
 */
export interface SymbolProfile {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  /** Price the simulation starts from (and the backfilled history ends at). */
  startPrice: number;
  /** Annualised volatility (fraction) the GARCH process reverts to. */
  annualVol: number;
  /** Loading on the common market factor, 0..1; the return correlation of two symbols is ≈ βa·βb. */
  beta: number;
  tickSize: number;
  stepSize: number;
  /** Mean aggregate trades per second in a normal-volatility regime. */
  tradesPerSecond: number;
  /** Median taker trade size in base units (sizes are lognormal around it). */
  medianTradeQty: number;
}

type ProfileParams = Omit<SymbolProfile, 'symbol' | 'baseAsset' | 'quoteAsset'>;

const KNOWN_PROFILES: Readonly<Record<string, ProfileParams>> = {
  BTCUSDT: { startPrice: 95_000, annualVol: 0.55, beta: 0.9, tickSize: 0.1, stepSize: 0.001, tradesPerSecond: 8, medianTradeQty: 0.05 },
  ETHUSDT: { startPrice: 3_500, annualVol: 0.7, beta: 0.85, tickSize: 0.01, stepSize: 0.001, tradesPerSecond: 6, medianTradeQty: 1 },
  SOLUSDT: { startPrice: 180, annualVol: 0.9, beta: 0.75, tickSize: 0.01, stepSize: 0.01, tradesPerSecond: 4, medianTradeQty: 15 },
  BNBUSDT: { startPrice: 650, annualVol: 0.5, beta: 0.7, tickSize: 0.01, stepSize: 0.01, tradesPerSecond: 2, medianTradeQty: 2 },
  XRPUSDT: { startPrice: 2.3, annualVol: 0.85, beta: 0.65, tickSize: 0.0001, stepSize: 0.1, tradesPerSecond: 3, medianTradeQty: 1_000 },
  DOGEUSDT: { startPrice: 0.35, annualVol: 0.95, beta: 0.7, tickSize: 0.00001, stepSize: 1, tradesPerSecond: 3, medianTradeQty: 5_000 },
};

/** Symbols with hand-tuned profiles; the default universe of the simulated venue. */
export const DEFAULT_SIMULATED_SYMBOLS: readonly string[] = Object.keys(KNOWN_PROFILES);

const QUOTE_ASSETS = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'USD'] as const;

/** Split `BTCUSDT` into `BTC` / `USDT`; unknown quotes default to USDT. */
export function splitSymbol(symbol: string): { baseAsset: string; quoteAsset: string } {
  for (const quote of QUOTE_ASSETS) {
    if (symbol.length > quote.length && symbol.endsWith(quote)) {
      return { baseAsset: symbol.slice(0, -quote.length), quoteAsset: quote };
    }
  }
  return { baseAsset: symbol, quoteAsset: 'USDT' };
}

/**
 * Profile for an unknown symbol, derived from a hash of its name so it is stable across runs:
 * a price between 0.01 and 1000 (five significant digits), 80-120 % annual volatility, β 0.5-0.7.
 */
function derivedProfile(symbol: string): ProfileParams {
  const h = hashString(symbol);
  const exponent = (h % 50_000) / 10_000 - 2;
  const magnitude = Math.floor(exponent);
  const tickSize = 10 ** (magnitude - 4);
  const startPrice = roundToStep(10 ** exponent, tickSize);
  const stepSize = clamp(10 ** Math.floor(Math.log10(1 / startPrice)), 0.001, 1_000);
  return {
    startPrice,
    annualVol: 0.8 + ((h >>> 8) % 41) / 100,
    beta: 0.5 + ((h >>> 16) % 21) / 100,
    tickSize: roundToStep(tickSize, tickSize),
    stepSize,
    tradesPerSecond: 1 + ((h >>> 4) % 3),
    medianTradeQty: Math.max(stepSize, roundToStep(300 / startPrice, stepSize)),
  };
}

/** The simulation profile of a symbol (hand-tuned for the majors, hash-derived otherwise). */
export function symbolProfile(symbol: string): SymbolProfile {
  const params = KNOWN_PROFILES[symbol] ?? derivedProfile(symbol);
  return { symbol, ...splitSymbol(symbol), ...params };
}

/** Venue metadata for a simulated perpetual. */
export function simulatedSymbolInfo(symbol: string): SymbolInfo {
  const p = symbolProfile(symbol);
  return {
    symbol,
    baseAsset: p.baseAsset,
    quoteAsset: p.quoteAsset,
    contractType: 'PERPETUAL',
    status: 'TRADING',
    tickSize: p.tickSize,
    stepSize: p.stepSize,
    fundingIntervalHours: FUNDING_INTERVAL_HOURS,
  };
}

/** `meta.venue` of everything the simulated market produces. */
export const SIMULATED_VENUE = 'simulated';
