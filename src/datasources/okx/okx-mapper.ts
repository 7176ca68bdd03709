import { z } from 'zod';
import type { Candle, CandleInterval, FundingRate, Liquidation, LongShortRatio, OpenInterest, StatPeriod, SymbolEvent, SymbolInfo, TakerVolume, Trade } from '../../domain/market.js';
import { INTERVAL_MS, LongShortKinds } from '../../domain/market.js';
import { decimalString } from '../binance/schemas.js';
import { BadResponseError } from '../errors.js';
import { formatIssues } from '../http.js';

/**
 * OKX v5 (USDT-margined swaps) schemas and pure wire -> domain mapping. Canonical symbols are Binance's
 * (`BTCUSDT`); OKX names the swap `BTC-USDT-SWAP`. OKX counts sizes in CONTRACTS: every size (trade
 * `sz`, liquidation `sz`, `oi`, candle `vol`) is converted with the instrument's `ctVal` (× `ctMult`) so
 * quantities reach the store in base units; values are in USDT (`oiUsd`, `volCcyQuote`, px × base).
 * Liquidation `side` is the closing order (`sell` = a long liquidated); OKX documents the feed as not
 * complete (`complete: false`).
 *
 * @see /work/shared/docs/EXCHANGE-APIS.md §3 and §7
 */

export const OKX_VENUE = 'okx-swap';

const msString = z.string().regex(/^\d{1,16}$/, 'expected epoch milliseconds as a string').transform(Number);
export const okxEnvelope = <T extends z.ZodType>(data: T) => z.looseObject({ code: z.literal('0'), msg: z.string(), data });

/** `BTCUSDT` -> `BTC-USDT-SWAP`. */
export function toInstId(symbol: string): string {
  if (!symbol.endsWith('USDT')) throw new RangeError(`not a USDT perpetual symbol: ${symbol}`);
  return `${symbol.slice(0, -4)}-USDT-SWAP`;
}
/** `BTC-USDT-SWAP` -> `BTCUSDT`; null for anything that is not a USDT swap. */
export function fromInstId(instId: string): string | null {
  const m = /^([A-Z0-9]+)-USDT-SWAP$/.exec(instId);
  return m ? `${m[1]}USDT` : null;
}

export const okxInstrumentSchema = z.looseObject({
  instId: z.string().min(1),
  instType: z.string(),
  ctType: z.string(),
  ctVal: decimalString,
  ctMult: decimalString.optional(),
  ctValCcy: z.string(),
  settleCcy: z.string(),
  tickSz: decimalString,
  lotSz: decimalString,
  state: z.string(),
});
export type OkxInstrument = z.infer<typeof okxInstrumentSchema>;
export const okxInstrumentsSchema = okxEnvelope(z.array(okxInstrumentSchema));

/** Base units per contract (`ctVal × ctMult`). */
export const contractSize = (i: OkxInstrument): number => i.ctVal * (i.ctMult ?? 1);

/** Linear USDT swaps only, keyed by canonical symbol; OKX funding settles every 8 h on these swaps. */
export function toSymbolInfos(list: readonly OkxInstrument[]): SymbolInfo[] {
  return list.flatMap((i) => {
    const symbol = fromInstId(i.instId);
    if (!symbol || i.instType !== 'SWAP' || i.ctType !== 'linear' || i.settleCcy !== 'USDT') return [];
    return [{ symbol, baseAsset: i.ctValCcy, quoteAsset: 'USDT', contractType: 'PERPETUAL', status: i.state === 'live' ? 'TRADING' : i.state.toUpperCase(), tickSize: i.tickSz, stepSize: i.lotSz * contractSize(i), fundingIntervalHours: 8 }];
  });
}

export const okxFundingRateSchema = okxEnvelope(z.array(z.looseObject({ instId: z.string(), fundingRate: decimalString, fundingTime: msString, nextFundingTime: msString })));
export const okxFundingHistorySchema = okxEnvelope(z.array(z.looseObject({ instId: z.string(), fundingRate: decimalString, realizedRate: decimalString.optional(), fundingTime: msString })));
export const okxOpenInterestSchema = okxEnvelope(z.array(z.looseObject({ instId: z.string(), oi: decimalString, oiCcy: decimalString, oiUsd: decimalString, ts: msString })));
export const okxMarkPriceSchema = okxEnvelope(z.array(z.looseObject({ instId: z.string(), markPx: decimalString, ts: msString })));
export const okxIndexSchema = okxEnvelope(z.array(z.looseObject({ instId: z.string(), idxPx: decimalString, ts: msString })));
/** `[ts, o, h, l, c, vol (contracts), volCcy (base), volCcyQuote (USDT), confirm]`, newest first. */
export const okxCandleRowSchema = z.tuple([msString, decimalString, decimalString, decimalString, decimalString, decimalString, decimalString, decimalString, z.enum(['0', '1'])], z.unknown());
export const okxCandlesSchema = okxEnvelope(z.array(okxCandleRowSchema));
export const okxTradesSchema = okxEnvelope(z.array(z.looseObject({ instId: z.string(), tradeId: z.string().regex(/^\d+$/), px: decimalString, sz: decimalString, side: z.enum(['buy', 'sell']), ts: msString })));
/** rubik `[ts, ratio]` (accounts net long ÷ accounts net short). */
export const okxRatioRowSchema = z.tuple([msString, decimalString], z.unknown());
export const okxRatiosSchema = okxEnvelope(z.array(okxRatioRowSchema));
/** rubik `[ts, sellVol, buyVol]`. */
export const okxTakerRowSchema = z.tuple([msString, decimalString, decimalString], z.unknown());
export const okxTakerSchema = okxEnvelope(z.array(okxTakerRowSchema));
/** rubik open-interest-history `[ts, oi (contracts), oiCcy (base), oiUsd]`. */
export const okxOiHistoryRowSchema = z.tuple([msString, decimalString, decimalString, decimalString], z.unknown());
export const okxOiHistorySchema = okxEnvelope(z.array(okxOiHistoryRowSchema));

export const OKX_BARS: Readonly<Partial<Record<CandleInterval, string>>> = { '1m': '1m', '3m': '3m', '5m': '5m', '15m': '15m', '30m': '30m', '1h': '1H', '2h': '2H', '4h': '4H', '6h': '6Hutc', '12h': '12Hutc', '1d': '1Dutc', '1w': '1Wutc' };
export const OKX_STAT_PERIODS: Readonly<Partial<Record<StatPeriod, string>>> = { '5m': '5m', '15m': '15m', '30m': '30m', '1h': '1H', '2h': '2H', '4h': '4H', '1d': '1Dutc' };
export function okxBar(interval: CandleInterval): string {
  const bar = OKX_BARS[interval];
  if (bar === undefined) throw new RangeError(`OKX has no ${interval} candles`);
  return bar;
}

export function toFundingRate(symbol: string, row: { fundingRate: number; realizedRate?: number | undefined; fundingTime: number }): FundingRate {
  return { symbol, rate: row.realizedRate ?? row.fundingRate, fundingTime: row.fundingTime, markPrice: null };
}

export function toCandle(symbol: string, interval: CandleInterval, row: z.infer<typeof okxCandleRowSchema>, now: number): Candle {
  const [openTime, open, high, low, close, , volCcy, volCcyQuote, confirm] = row;
  const closeTime = openTime + INTERVAL_MS[interval] - 1;
  return { symbol, interval, openTime, closeTime, open, high, low, close, volume: volCcy, quoteVolume: volCcyQuote, takerBuyVolume: null, trades: null, closed: confirm === '1' || closeTime < now };
}

export function toOpenInterest(symbol: string, row: { oiCcy: number; oiUsd: number; ts: number }): OpenInterest {
  return { symbol, openInterest: row.oiCcy, openInterestValue: row.oiUsd, time: row.ts };
}

export function toLongShortRatio(symbol: string, [time, ratio]: z.infer<typeof okxRatioRowSchema>, period: StatPeriod): LongShortRatio {
  return { symbol, kind: LongShortKinds.GLOBAL_ACCOUNTS, period, longShortRatio: ratio, longShare: ratio / (1 + ratio), shortShare: 1 / (1 + ratio), time };
}

/** `unit=0`: volumes in the base coin. */
export function toTakerVolume(symbol: string, [time, sellVolume, buyVolume]: z.infer<typeof okxTakerRowSchema>, period: StatPeriod): TakerVolume {
  return { symbol, period, buyVolume, sellVolume, buySellRatio: sellVolume > 0 ? buyVolume / sellVolume : Number.POSITIVE_INFINITY, time };
}

export function toTrade(symbol: string, t: { tradeId: string; px: number; sz: number; side: 'buy' | 'sell'; ts: number }, ctSize: number): Trade {
  return { symbol, id: Number(t.tradeId), price: t.px, qty: t.sz * ctSize, time: t.ts, side: t.side === 'buy' ? 'BUY' : 'SELL' };
}

export function toLiquidation(symbol: string, d: { side: 'buy' | 'sell'; sz: number; bkPx: number; ts: number }, ctSize: number): Liquidation {
  const qty = d.sz * ctSize;
  const longLiquidated = d.side === 'sell';
  return { symbol, side: longLiquidated ? 'SELL' : 'BUY', liquidatedSide: longLiquidated ? 'LONG' : 'SHORT', price: d.bkPx, averagePrice: d.bkPx, qty, notional: qty * d.bkPx, time: d.ts, complete: false };
}

// --- WebSocket (public) ---

const wsTrade = z.looseObject({ instId: z.string(), tradeId: z.string().regex(/^\d+$/), px: decimalString, sz: decimalString, side: z.enum(['buy', 'sell']), ts: msString });
const wsMark = z.looseObject({ instId: z.string(), markPx: decimalString, ts: msString });
const wsFunding = z.looseObject({ instId: z.string(), fundingRate: decimalString, nextFundingTime: msString, fundingTime: msString, ts: msString.optional() });
const wsIndex = z.looseObject({ instId: z.string(), idxPx: decimalString, ts: msString });
const wsLiquidation = z.looseObject({ instId: z.string(), details: z.array(z.looseObject({ side: z.enum(['buy', 'sell']), posSide: z.string().optional(), sz: decimalString, bkPx: decimalString, ts: msString })) });
const wsPush = z.looseObject({ arg: z.looseObject({ channel: z.string(), instId: z.string().optional() }), data: z.array(z.unknown()) });
const wsEvent = z.looseObject({ event: z.string(), code: z.string().optional(), msg: z.string().optional() });

function parseAs<T>(schema: z.ZodType<T>, channel: string, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new BadResponseError(OKX_VENUE, `ws ${channel}`, formatIssues(parsed.error.issues));
  return parsed.data;
}

/**
 * Stateful parser of the public stream: `mark-price`, `funding-rate` and `index-tickers` are joined into
 * one mark event per symbol (mark with the latest funding and index); sizes use `ctSize(symbol)`.
 */
export function createOkxStreamParser(ctSize: (symbol: string) => number | undefined) {
  const state = new Map<string, { index: number | null; rate: number | null; next: number | null }>();
  const of = (symbol: string) => state.get(symbol) ?? (state.set(symbol, { index: null, rate: null, next: null }), state.get(symbol)!);
  return function parse(msg: unknown): SymbolEvent[] {
    const ev = wsEvent.safeParse(msg);
    if (ev.success) {
      if (ev.data.event === 'error') throw new BadResponseError(OKX_VENUE, 'ws', [`${ev.data.code ?? ''} ${ev.data.msg ?? ''}`.trim()]);
      return [];
    }
    const push = parseAs(wsPush, '(push)', msg);
    const channel = push.arg.channel;
    const sizeOf = (symbol: string) => {
      const size = ctSize(symbol);
      if (size === undefined) throw new BadResponseError(OKX_VENUE, `ws ${channel}`, [`no contract size for ${symbol}`]);
      return size;
    };
    switch (channel) {
      case 'trades':
        return parseAs(z.array(wsTrade), channel, push.data).flatMap((t) => {
          const symbol = fromInstId(t.instId);
          return symbol ? [{ type: 'trade' as const, trade: toTrade(symbol, t, sizeOf(symbol)) }] : [];
        });
      case 'liquidation-orders':
        return parseAs(z.array(wsLiquidation), channel, push.data).flatMap((l) => {
          const symbol = fromInstId(l.instId);
          if (!symbol || ctSize(symbol) === undefined) return []; // the channel carries every swap; keep the tracked ones
          return l.details.map((d) => ({ type: 'liquidation' as const, liquidation: toLiquidation(symbol, d, sizeOf(symbol)) }));
        });
      case 'funding-rate':
        for (const f of parseAs(z.array(wsFunding), channel, push.data)) {
          const symbol = fromInstId(f.instId);
          if (symbol) Object.assign(of(symbol), { rate: f.fundingRate, next: f.fundingTime });
        }
        return [];
      case 'index-tickers':
        for (const i of parseAs(z.array(wsIndex), channel, push.data)) {
          const symbol = fromInstId(`${i.instId}-SWAP`);
          if (symbol) of(symbol).index = i.idxPx;
        }
        return [];
      case 'mark-price':
        return parseAs(z.array(wsMark), channel, push.data).flatMap((m) => {
          const symbol = fromInstId(m.instId);
          if (!symbol) return [];
          const s = of(symbol);
          if (s.next === null) return []; // no funding time yet: the REST poll covers it
          return [{ type: 'markPrice' as const, mark: { symbol, markPrice: m.markPx, indexPrice: s.index, predictedFundingRate: s.rate, nextFundingTime: s.next, time: m.ts } }];
        });
      default:
        return [];
    }
  };
}
