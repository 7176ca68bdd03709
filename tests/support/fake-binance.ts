import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Binance USD-M futures REST API (`/fapi/v1/*`), speaking the wire formats
 * (decimals as strings, `{code,msg}` errors, `X-MBX-USED-WEIGHT-1M`, `Retry-After`) with deterministic
 * generated data on the real clock: funding settles at multiples of the funding interval since the
 * epoch (00:00/08:00/16:00 UTC for 8 h), prices follow smooth functions of time, candles are aligned to
 * their interval and the newest one is still forming. Faults can be injected per path prefix.
 */

export type FakeFault = (
  | { kind: '429'; retryAfterSec: number }
  | { kind: '418'; retryAfterSec: number }
  | { kind: '500' }
  | { kind: 'slow'; delayMs: number }
  /** Valid JSON with a corrupted field (e.g. premiumIndex `markPrice: "abc"`). */
  | { kind: 'malformed' }
  /** The first half of the JSON body. */
  | { kind: 'truncated' }
) & {
  /** Only requests whose path starts with this are affected (default: all). */
  path?: string;
  /** Affect this many requests, then clear (default: until `setFault(null)`). */
  times?: number;
};

export interface FakeSymbol {
  symbol: string;
  /** Price level around which prices move. Default from the symbol (BTC 60000, ETH 3000, else 100). */
  basePrice?: number;
  /** Listed in `/fapi/v1/fundingInfo` when set (Binance lists only adjusted symbols). */
  fundingIntervalHours?: number;
}

export interface FakeBinanceOptions {
  symbols: ReadonlyArray<string | FakeSymbol>;
  /**
   * Serve this recorded exchangeInfo (cryptofeed format: `URL -> ts: {json}`; the first line is used,
   * stripped up to its first `{`). Configured symbols missing from it are appended.
   */
  exchangeInfoFile?: string;
  /** Spacing of generated settlements for every symbol; short values let tests watch live settlements. */
  fundingIntervalMs?: number;
  now?: () => number;
}

export interface FakeRequest {
  path: string;
  query: Record<string, string>;
  /** Epoch ms when the request arrived. */
  at: number;
  status: number;
}

export interface FakeBinance {
  url: string;
  requests: FakeRequest[];
  setFault(fault: FakeFault | null): void;
  /** Generated settlement rate for `symbol` at `fundingTime` (a multiple of its funding interval). */
  fundingRateAt(symbol: string, fundingTime: number): number;
  /** The symbol's settlement spacing in ms. */
  fundingIntervalMs(symbol: string): number;
  close(): Promise<void>;
}

const INTERVALS: Record<string, number> = {
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '1w': 604_800_000,
};

/** Small stable hash of a symbol, for per-symbol phase offsets. */
function seedOf(symbol: string): number {
  let h = 2166136261;
  for (const c of symbol) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return (h % 1000) / 100;
}

const defaultBase = (symbol: string) => (symbol.startsWith('BTC') ? 60_000 : symbol.startsWith('ETH') ? 3_000 : 100);

class HttpFail extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

const badParam = (name: string) => new HttpFail(400, -1130, `Data sent for parameter '${name}' is not valid.`);

function intParam(query: Record<string, string>, name: string, min: number, max: number): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw badParam(name);
  return n;
}

/**
 * Indexes k of a series at times k*step (k*step <= newest) selected the Binance way: with startTime the
 * first `limit` at or after it (bounded by endTime/newest); otherwise the newest `limit` up to endTime.
 */
function selectSteps(step: number, newest: number, limit: number, startTime?: number, endTime?: number): number[] {
  const lastK = Math.floor(Math.min(newest, endTime ?? newest) / step);
  if (startTime !== undefined) {
    const firstK = Math.ceil(startTime / step);
    const out: number[] = [];
    for (let k = firstK; k <= lastK && out.length < limit; k++) out.push(k);
    return out;
  }
  const out: number[] = [];
  for (let k = Math.max(0, lastK - limit + 1); k <= lastK; k++) out.push(k);
  return out;
}

export async function startFakeBinance(options: FakeBinanceOptions): Promise<FakeBinance> {
  const now = options.now ?? Date.now;
  const symbols = options.symbols.map((s) => (typeof s === 'string' ? { symbol: s } : s));
  const bySymbol = new Map(symbols.map((s) => [s.symbol, s]));
  const requests: FakeRequest[] = [];
  const weights: Array<{ at: number; weight: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let fault: FakeFault | null = null;

  let recorded: { text: string; symbols: Set<string> } | null = null;
  if (options.exchangeInfoFile) {
    const firstLine = readFileSync(options.exchangeInfoFile, 'utf8').split('\n')[0] ?? '';
    const text = firstLine.slice(firstLine.indexOf('{'));
    const parsed = JSON.parse(text) as { symbols: Array<{ symbol: string }> };
    recorded = { text, symbols: new Set(parsed.symbols.map((s) => s.symbol)) };
  }
  const known = (symbol: string) => bySymbol.has(symbol) || (recorded?.symbols.has(symbol) ?? false);

  const intervalOf = (symbol: string) => options.fundingIntervalMs ?? (bySymbol.get(symbol)?.fundingIntervalHours ?? 8) * 3_600_000;
  const baseOf = (symbol: string) => bySymbol.get(symbol)?.basePrice ?? defaultBase(symbol);
  const decimalsOf = (symbol: string) => (baseOf(symbol) >= 10 ? 2 : 4);

  function fundingRateAt(symbol: string, fundingTime: number): number {
    const k = Math.round(fundingTime / intervalOf(symbol));
    return Number((0.0001 + 0.0002 * Math.sin(k * 0.7 + seedOf(symbol))).toFixed(8));
  }

  function priceAt(symbol: string, t: number): number {
    const s = seedOf(symbol);
    const p = baseOf(symbol) * (1 + 0.02 * Math.sin(t / 3_600_000 + s) + 0.002 * Math.sin(t / 97_000 + 2 * s));
    return Number(p.toFixed(decimalsOf(symbol)));
  }

  const px = (symbol: string, p: number) => p.toFixed(decimalsOf(symbol));

  function requireSymbol(query: Record<string, string>): string {
    const symbol = query.symbol;
    if (symbol === undefined) throw new HttpFail(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    if (!known(symbol)) throw new HttpFail(400, -1121, 'Invalid symbol.');
    return symbol;
  }

  function exchangeInfo(): unknown {
    const generated = (s: FakeSymbol) => {
      const quoteAsset = s.symbol.match(/(USDT|USDC|BUSD)$/)?.[1] ?? 'USDT';
      const tick = decimalsOf(s.symbol) === 2 ? '0.01' : '0.0001';
      return {
        symbol: s.symbol,
        pair: s.symbol,
        contractType: 'PERPETUAL',
        deliveryDate: 4133404800000,
        onboardDate: 1569398400000,
        status: 'TRADING',
        baseAsset: s.symbol.slice(0, -quoteAsset.length),
        quoteAsset,
        marginAsset: quoteAsset,
        pricePrecision: decimalsOf(s.symbol),
        quantityPrecision: 3,
        filters: [
          { minPrice: tick, maxPrice: '1000000', filterType: 'PRICE_FILTER', tickSize: tick },
          { stepSize: '0.001', filterType: 'LOT_SIZE', maxQty: '1000', minQty: '0.001' },
          { stepSize: '0.001', filterType: 'MARKET_LOT_SIZE', maxQty: '1000', minQty: '0.001' },
          { notional: '5', filterType: 'MIN_NOTIONAL' },
        ],
        orderTypes: ['LIMIT', 'MARKET'],
        timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
      };
    };
    if (recorded) {
      const info = JSON.parse(recorded.text) as { symbols: unknown[] };
      for (const s of symbols) if (!recorded.symbols.has(s.symbol)) info.symbols.push(generated(s));
      return info;
    }
    return {
      timezone: 'UTC',
      serverTime: now(),
      futuresType: 'U_MARGINED',
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
        { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
      ],
      exchangeFilters: [],
      assets: [],
      symbols: symbols.map(generated),
    };
  }

  function premiumIndexOf(symbol: string, t: number) {
    const step = intervalOf(symbol);
    const next = (Math.floor(t / step) + 1) * step;
    const progress = 1 - (next - t) / step;
    const mark = priceAt(symbol, t);
    return {
      symbol,
      markPrice: px(symbol, mark),
      indexPrice: px(symbol, mark * 0.9998),
      estimatedSettlePrice: px(symbol, mark * 0.9999),
      // The running estimate drifts towards the rate that will settle at `next`.
      lastFundingRate: (fundingRateAt(symbol, next) * (0.5 + 0.5 * progress)).toFixed(8),
      interestRate: '0.00010000',
      nextFundingTime: next,
      time: t,
    };
  }

  function fundingRows(query: Record<string, string>): unknown[] {
    const symbol = requireSymbol(query);
    const limit = intParam(query, 'limit', 1, 1000) ?? 100;
    const step = intervalOf(symbol);
    const ks = selectSteps(step, now(), limit, intParam(query, 'startTime', 0, Number.MAX_SAFE_INTEGER), intParam(query, 'endTime', 0, Number.MAX_SAFE_INTEGER));
    return ks.map((k) => ({
      symbol,
      fundingTime: k * step,
      fundingRate: fundingRateAt(symbol, k * step).toFixed(8),
      markPrice: priceAt(symbol, k * step).toFixed(8),
    }));
  }

  function klineRows(query: Record<string, string>): unknown[] {
    const symbol = requireSymbol(query);
    const interval = query.interval;
    const step = interval === undefined ? undefined : INTERVALS[interval];
    if (step === undefined) throw new HttpFail(400, -1120, 'Invalid interval.');
    const limit = intParam(query, 'limit', 1, 1500) ?? 500;
    const t = now();
    const ks = selectSteps(step, t, limit, intParam(query, 'startTime', 0, Number.MAX_SAFE_INTEGER), intParam(query, 'endTime', 0, Number.MAX_SAFE_INTEGER));
    return ks.map((k) => {
      const openTime = k * step;
      const closeTime = openTime + step - 1;
      const open = priceAt(symbol, openTime);
      const close = priceAt(symbol, Math.min(t, closeTime + 1));
      const high = Math.max(open, close) * 1.001;
      const low = Math.min(open, close) * 0.999;
      const volume = 100 + (k % 17) * 3.5;
      const takerBuy = volume * (0.4 + (k % 5) * 0.05);
      const avg = (open + close) / 2;
      return [
        openTime,
        px(symbol, open),
        px(symbol, high),
        px(symbol, low),
        px(symbol, close),
        volume.toFixed(3),
        closeTime,
        (volume * avg).toFixed(5),
        1000 + (k % 300),
        takerBuy.toFixed(3),
        (takerBuy * avg).toFixed(5),
        '0',
      ];
    });
  }

  /** Returns [payload, weight]. */
  function route(path: string, query: Record<string, string>): [unknown, number] {
    switch (path) {
      case '/fapi/v1/ping':
        return [{}, 1];
      case '/fapi/v1/exchangeInfo':
        return [exchangeInfo(), 1];
      case '/fapi/v1/premiumIndex': {
        const t = now();
        if (query.symbol === undefined) return [symbols.map((s) => premiumIndexOf(s.symbol, t)), 10];
        return [premiumIndexOf(requireSymbol(query), t), 1];
      }
      case '/fapi/v1/fundingRate':
        return [fundingRows(query), 1];
      case '/fapi/v1/fundingInfo':
        return [
          symbols
            .filter((s) => s.fundingIntervalHours !== undefined)
            .map((s) => ({
              symbol: s.symbol,
              adjustedFundingRateCap: '0.02000000',
              adjustedFundingRateFloor: '-0.02000000',
              fundingIntervalHours: s.fundingIntervalHours,
              disclaimer: false,
            })),
          1,
        ];
      case '/fapi/v1/klines': {
        const rows = klineRows(query);
        const limit = Number(query.limit ?? 500);
        return [rows, limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10];
      }
      default:
        throw new HttpFail(404, -5000, `Path ${path}, Method GET is invalid`);
    }
  }

  /** A field our schemas require, made invalid, per endpoint. */
  function corrupt(path: string, payload: unknown): unknown {
    const first = (v: unknown) => (Array.isArray(v) ? (v[0] as Record<string, unknown> | unknown[] | undefined) : (v as Record<string, unknown>));
    switch (path) {
      case '/fapi/v1/premiumIndex':
      case '/fapi/v1/fundingRate': {
        const item = first(payload) as Record<string, unknown> | undefined;
        if (item) item[path.endsWith('premiumIndex') ? 'markPrice' : 'fundingRate'] = 'abc';
        return payload;
      }
      case '/fapi/v1/klines': {
        const row = first(payload) as unknown[] | undefined;
        if (row) row[1] = 'abc';
        return payload;
      }
      case '/fapi/v1/exchangeInfo': {
        const info = payload as { symbols: Array<{ filters: Array<Record<string, unknown>> }> };
        const filter = info.symbols[0]?.filters.find((f) => f.filterType === 'PRICE_FILTER');
        if (filter) filter.tickSize = 'abc';
        return payload;
      }
      case '/fapi/v1/fundingInfo':
        return [{ symbol: 'BTCUSDT', adjustedFundingRateCap: '0.02', adjustedFundingRateFloor: '-0.02', fundingIntervalHours: 'eight' }];
      default:
        return [];
    }
  }

  function usedWeight(add: number): number {
    const t = now();
    weights.push({ at: t, weight: add });
    while (weights.length > 0 && weights[0]!.at <= t - 60_000) weights.shift();
    return weights.reduce((sum, w) => sum + w.weight, 0);
  }

  function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  function takeFault(path: string): FakeFault | null {
    const f = fault;
    if (!f || (f.path !== undefined && !path.startsWith(f.path))) return null;
    if (f.times !== undefined) {
      f.times -= 1;
      if (f.times <= 0) fault = null;
    }
    return f;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const entry: FakeRequest = { path: url.pathname, query, at: now(), status: 0 };
    requests.push(entry);
    const f = takeFault(url.pathname);

    const respond = () => {
      let status = 200;
      let weight = 1;
      let body: string;
      const extra: Record<string, string> = {};
      try {
        if (f?.kind === '429') {
          status = 429;
          extra['retry-after'] = String(f.retryAfterSec);
          body = JSON.stringify({ code: -1003, msg: 'Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute.' });
        } else if (f?.kind === '418') {
          status = 418;
          extra['retry-after'] = String(f.retryAfterSec);
          const until = now() + f.retryAfterSec * 1000;
          body = JSON.stringify({ code: -1003, msg: `Way too much request weight used; IP banned until ${until}. Please use the websocket for live updates to avoid bans.` });
        } else if (f?.kind === '500') {
          status = 500;
          body = JSON.stringify({ code: -1000, msg: 'An unknown error occured while processing the request.' });
        } else {
          const [payload, w] = route(url.pathname, query);
          weight = w;
          body = JSON.stringify(f?.kind === 'malformed' ? corrupt(url.pathname, payload) : payload);
          if (f?.kind === 'truncated') body = body.slice(0, Math.floor(body.length / 2));
        }
      } catch (error) {
        if (!(error instanceof HttpFail)) throw error;
        status = error.status;
        body = JSON.stringify({ code: error.code, msg: error.message });
      }
      entry.status = status;
      send(res, status, body, { 'x-mbx-used-weight-1m': String(usedWeight(weight)), ...extra });
    };

    if (f?.kind === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, f.delayMs);
      timers.add(timer);
    } else {
      respond();
    }
  }

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      send(res, 500, JSON.stringify({ code: -1000, msg: String(error) }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFault(next) {
      fault = next ? { ...next } : null;
    },
    fundingRateAt,
    fundingIntervalMs: intervalOf,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
