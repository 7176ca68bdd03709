import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readRecords } from '../../src/datasources/replay/replay-readers.js';
import type { Candle } from '../../src/domain/market.js';

/** Binance USD-M BTCUSDT 5 m, 2025-12-26 22:35 → 2026-01-29 17:05 (../shared/data SOURCES.md §8; read in place, never copied). */
export const FUTURES_BTC_5M = new URL('../../../shared/data/binance-futures/klines/multi-5m-15m-1h-2025-12-26_2026-01-29/BTCUSDT-5m.freqtrade.feather', import.meta.url);
export const recorded5mPresent = (): boolean => existsSync(FUTURES_BTC_5M);

const M5 = 300_000;

/** The recording as closed candles (no taker-buy volume: freqtrade does not record it). */
export function loadFuturesBtc5m(): Candle[] {
  const out: Candle[] = [];
  for (const { fields } of readRecords(fileURLToPath(FUTURES_BTC_5M), 'freqtrade-feather')) {
    const [t, o, h, l, c, v] = fields.map(Number) as [number, number, number, number, number, number];
    out.push({ symbol: 'BTCUSDT', interval: '5m', openTime: t, closeTime: t + M5 - 1, open: o, high: h, low: l, close: c, volume: v, quoteVolume: null, takerBuyVolume: null, trades: null, closed: true });
  }
  return out;
}
