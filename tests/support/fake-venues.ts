import { startFakeBinance, type FakeBinance } from './fake-binance.js';
import { startFakeBinanceWs, type FakeBinanceWs } from './fake-binance-ws.js';
import { startFakeCoinGecko, type FakeCoinGecko } from './fake-coingecko.js';
import { startFakeDeribit, type FakeDeribit } from './fake-deribit.js';
import { startFakeFng, type FakeFng } from './fake-fng.js';

/** Every fake venue at once, and the environment that points perpgraph's real adapters at them. */
export interface FakeVenues {
  binance: FakeBinance;
  ws: FakeBinanceWs;
  deribit: FakeDeribit;
  fng: FakeFng;
  coingecko: FakeCoinGecko;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startFakeVenues(options: { symbols: readonly string[]; exchangeInfoFile?: string; enforceWeightLimit?: boolean; banOnViolation?: boolean }): Promise<FakeVenues> {
  const [binance, ws, deribit, fng, coingecko] = await Promise.all([
    startFakeBinance({ symbols: options.symbols, exchangeInfoFile: options.exchangeInfoFile, enforceWeightLimit: options.enforceWeightLimit, banOnViolation: options.banOnViolation }),
    startFakeBinanceWs(),
    startFakeDeribit(),
    startFakeFng({ days: 60 }),
    startFakeCoinGecko(),
  ]);
  return {
    binance,
    ws,
    deribit,
    fng,
    coingecko,
    env: {
      MARKET_SOURCE: 'binance',
      BINANCE_FAPI_URL: binance.url,
      BINANCE_SPOT_URL: binance.url,
      BINANCE_FSTREAM_URL: ws.url,
      DERIBIT_URL: deribit.url,
      FNG_URL: fng.url,
      COINGECKO_URL: coingecko.url,
    },
    async close() {
      await Promise.allSettled([binance.close(), ws.close(), deribit.close(), fng.close(), coingecko.close()]);
    },
  };
}

/** Wire-format stream payloads, as Binance sends them inside `{stream, data}`. */
export const wire = {
  aggTrade: (symbol: string, id: number, price: number, qty: number, time: number, buyerIsMaker: boolean) => ({
    e: 'aggTrade', E: time, s: symbol, a: id, p: String(price), q: String(qty), f: id, l: id, T: time, m: buyerIsMaker,
  }),
  markPrice: (symbol: string, mark: number, index: number, rate: number, nextFundingTime: number, time: number) => ({
    e: 'markPriceUpdate', E: time, s: symbol, p: String(mark), i: String(index), P: String(mark), r: String(rate), T: nextFundingTime,
  }),
  forceOrder: (symbol: string, side: 'BUY' | 'SELL', price: number, qty: number, time: number) => ({
    e: 'forceOrder',
    E: time,
    o: { s: symbol, S: side, o: 'LIMIT', f: 'IOC', q: String(qty), p: String(price), ap: String(price), X: 'FILLED', l: String(qty), z: String(qty), T: time },
  }),
  bookTicker: (symbol: string, bid: number, ask: number, time: number) => ({
    e: 'bookTicker', u: time, E: time, T: time, s: symbol, b: String(bid), B: '1.5', a: String(ask), A: '2.5',
  }),
};
