import { readFileSync } from 'node:fs';
import { startFakeHttpServer, statusFaultResponse, type FakeFaultTimes, type FakeHttpFault, type FakeHttpRequest, type FakeHttpResponse } from './fake-http.js';

/**
 * A local stand-in for Deribit's public JSON-RPC-over-HTTP API (`GET /api/v2/public/<method>`), serving
 * `get_instruments`, `get_book_summary_by_currency`, `get_index_price` and `get_volatility_index_data` (DVOL
 * candles) in the wire format: JSON-RPC
 * 2.0 envelopes with `usIn`/`usOut`/`usDiff`/`testnet`, errors as `{"error":{"code","message","data"}}`
 * with HTTP 400 (as Deribit does, e.g. -32602 for an unknown currency).
 *
 * Instruments are generated (BTC and ETH by default: four expiries at 08:00 UTC, strikes around the
 * index, calls and puts) or read from a recorded `get_instruments` file. Book summaries are priced with
 * Black-76 (no rates) on an IV smile, so prices are coherent: premium in the base coin, puts dearer
 * on the downside, OTM wings cheaper.
 */

export type FakeDeribitFault = (
  | FakeHttpFault
  /** Valid JSON-RPC with one required field corrupted (e.g. a book-summary `mark_price: "abc"`). */
  | { kind: 'malformed' }
  /** A JSON-RPC error envelope, by default with HTTP 400 like Deribit (10028 too_many_requests, ...). */
  | { kind: 'rpcError'; code: number; message: string; data?: unknown; status?: number }
) & FakeFaultTimes & {
  /** Only requests whose path starts with this are affected (e.g. `/api/v2/public/get_instruments`). Default: all. */
  path?: string;
};

export interface FakeDeribitOptions {
  /**
   * Serve these recorded instruments instead of generated ones (cryptofeed format, one
   * `URL -> ts: {json}` line per currency; the JSON starts at the first `{`). Book summaries are
   * priced as of the recording time.
   */
  chainFile?: string;
  /** Generated currencies. Default `['BTC', 'ETH']`. */
  currencies?: readonly string[];
  /** Index levels. Default BTC 60000, ETH 3000; recorded currencies otherwise use their median strike. */
  indexPrices?: Readonly<Record<string, number>>;
  /** Strikes each side of the at-the-money one, per generated expiry. Default 8. */
  strikesEachSide?: number;
  now?: () => number;
}

/** `path` e.g. `/api/v2/public/get_instruments`. */
export type FakeDeribitRequest = FakeHttpRequest;

/** The instrument fields the fake prices from (the served JSON has more). */
export interface FakeInstrument {
  instrument_name: string;
  kind: string;
  option_type?: 'call' | 'put';
  strike?: number;
  expiration_timestamp: number;
  base_currency: string;
  quote_currency: string;
  [key: string]: unknown;
}

export interface FakeDeribit {
  url: string;
  requests: FakeDeribitRequest[];
  setFault(fault: FakeDeribitFault | null): void;
  setIndexPrice(currency: string, price: number): void;
  indexPrice(currency: string): number;
  /** Everything `get_instruments` lists for the currency (options and, when recorded, futures). */
  instruments(currency: string): FakeInstrument[];
  /** IV (percent) the fake marks a strike at, for a forward `forward` and `years` to expiry. */
  ivAt(currency: string, strike: number, forward: number, years: number): number;
  /** The DVOL close (volatility points) the fake publishes for the 1-minute candle at `t`. */
  dvolAt(currency: string, t: number): number;
  /** Requests to one method, e.g. `get_instruments`. */
  calls(method: string): FakeDeribitRequest[];
  close(): Promise<void>;
}

const YEAR_MS = 365 * 86_400_000;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DEFAULT_INDEX: Readonly<Record<string, number>> = { BTC: 60_000, ETH: 3_000 };
const ATM_IV: Readonly<Record<string, number>> = { BTC: 55, ETH: 65 };
const STRIKE_STEP: Readonly<Record<string, number>> = { BTC: 1_000, ETH: 50 };
/** Annualised carry of the forward over the index. */
const CARRY = 0.05;

class RpcFail extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

const invalidParam = (param: string) => new RpcFail(400, -32602, 'Invalid params', { reason: 'wrong format', param });

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): plenty for a fake. */
function normCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Black-76 premium in USD, zero rates. */
function black76(kind: 'call' | 'put', forward: number, strike: number, years: number, vol: number): number {
  const sd = vol * Math.sqrt(years);
  const d1 = (Math.log(forward / strike) + (sd * sd) / 2) / sd;
  const d2 = d1 - sd;
  return kind === 'call' ? forward * normCdf(d1) - strike * normCdf(d2) : strike * normCdf(-d2) - forward * normCdf(-d1);
}

function hash(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/** `BTC`, 2025-03-28 -> `28MAR25` (day without a leading zero, as Deribit names them). */
function expiryCode(t: number): string {
  const d = new Date(t);
  return `${d.getUTCDate()}${MONTHS[d.getUTCMonth()]}${String(d.getUTCFullYear() % 100).padStart(2, '0')}`;
}

const round = (x: number, decimals: number) => Number(x.toFixed(decimals));

function readRecorded(file: string): { byCurrency: Map<string, FakeInstrument[]>; pricedAt: number } {
  const byCurrency = new Map<string, FakeInstrument[]>();
  let pricedAt = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const currency = line.match(/get_instruments\?currency=([A-Z]+)/)?.[1];
    const brace = line.indexOf('{');
    if (!currency || brace < 0) continue;
    const ts = Number(line.match(/-> ([\d.]+):/)?.[1]);
    if (pricedAt === 0 && Number.isFinite(ts)) pricedAt = Math.round(ts * 1000);
    byCurrency.set(currency, (JSON.parse(line.slice(brace)) as { result: FakeInstrument[] }).result);
  }
  return { byCurrency, pricedAt };
}

export async function startFakeDeribit(options: FakeDeribitOptions = {}): Promise<FakeDeribit> {
  const now = options.now ?? Date.now;
  const recorded = options.chainFile ? readRecorded(options.chainFile) : null;
  const indexOverrides = new Map(Object.entries(options.indexPrices ?? {}));
  const strikesEachSide = options.strikesEachSide ?? 8;

  /** Generated instruments are fixed at start (like a real listing), expiries relative to then. */
  const generated = new Map<string, FakeInstrument[]>();
  if (!recorded) {
    const t0 = now();
    const today = Date.UTC(new Date(t0).getUTCFullYear(), new Date(t0).getUTCMonth(), new Date(t0).getUTCDate(), 8);
    for (const currency of options.currencies ?? ['BTC', 'ETH']) {
      const index = indexOverrides.get(currency) ?? DEFAULT_INDEX[currency] ?? 100;
      const step = STRIKE_STEP[currency] ?? 10 ** (Math.floor(Math.log10(index)) - 1);
      const atm = Math.round(index / step) * step;
      const list: FakeInstrument[] = [];
      for (const days of [1, 7, 30, 90]) {
        const expiry = today + days * 86_400_000;
        for (let k = -strikesEachSide; k <= strikesEachSide; k++) {
          const strike = atm + k * step;
          for (const type of ['call', 'put'] as const) {
            const name = `${currency}-${expiryCode(expiry)}-${strike}-${type === 'call' ? 'C' : 'P'}`;
            list.push({
              instrument_name: name,
              kind: 'option',
              option_type: type,
              strike,
              expiration_timestamp: expiry,
              creation_timestamp: t0 - 86_400_000,
              settlement_period: days === 1 ? 'day' : days === 7 ? 'week' : 'month',
              base_currency: currency,
              quote_currency: currency,
              counter_currency: 'USD',
              settlement_currency: currency,
              price_index: `${currency.toLowerCase()}_usd`,
              contract_size: 1,
              tick_size: 0.0005,
              min_trade_amount: currency === 'BTC' ? 0.1 : 1,
              is_active: true,
              rfq: false,
              instrument_id: hash(name) % 1_000_000,
            });
          }
        }
      }
      generated.set(currency, list);
    }
  }

  const instrumentsOf = (currency: string): FakeInstrument[] | undefined => (recorded ? recorded.byCurrency.get(currency) : generated.get(currency));

  function indexPrice(currency: string): number {
    const set = indexOverrides.get(currency);
    if (set !== undefined) return set;
    if (!recorded) return DEFAULT_INDEX[currency] ?? 100;
    const strikes = (instrumentsOf(currency) ?? []).flatMap((i) => (i.strike === undefined ? [] : [i.strike])).sort((a, b) => a - b);
    return strikes[Math.floor(strikes.length / 2)] ?? 100;
  }

  /** The fake DVOL (volatility points): the 30-day ATM level of the fake smile plus a slow wave. */
  function dvolAt(currency: string, t: number): number {
    return round((ATM_IV[currency] ?? 80) * (1 + 0.05 * Math.sqrt(30 / 365)) + Math.sin(t / 3_600_000), 2);
  }

  function ivAt(currency: string, strike: number, forward: number, years: number): number {
    const m = Math.log(strike / forward);
    const atm = (ATM_IV[currency] ?? 80) * (1 + 0.05 * Math.sqrt(years));
    return round(atm * (1 + 10 * m * m - 0.4 * m), 2);
  }

  function bookSummary(currency: string): unknown[] {
    const options = (instrumentsOf(currency) ?? []).filter((i) => i.kind === 'option' && i.strike !== undefined && i.option_type);
    const index = indexPrice(currency);
    const pricedAt = recorded?.pricedAt ?? now();
    const stamp = now();
    return options.map((i) => {
      const years = Math.max(3_600_000, i.expiration_timestamp - pricedAt) / YEAR_MS;
      const forward = round(index * (1 + CARRY * years), 2);
      const iv = ivAt(currency, i.strike!, forward, years);
      const mark = round(Math.max(0.0001, black76(i.option_type!, forward, i.strike!, years, iv / 100) / forward), 8);
      const spread = Math.max(0.0005, mark * 0.05);
      const bid = round(Math.floor((mark - spread) / 0.0005) * 0.0005, 4);
      const ask = round(Math.ceil((mark + spread) / 0.0005) * 0.0005, 4);
      const h = hash(i.instrument_name);
      const volume = round((h % 500) / 10, 1);
      return {
        volume_usd: round(volume * mark * index, 2),
        volume,
        underlying_price: forward,
        underlying_index: `${currency}-${expiryCode(i.expiration_timestamp)}`,
        quote_currency: i.quote_currency,
        price_change: null,
        open_interest: round(((h >>> 9) % 20_000) / 10, 1),
        mid_price: bid > 0 ? round((bid + ask) / 2, 5) : null,
        mark_price: mark,
        mark_iv: iv,
        low: null,
        last: null,
        interest_rate: 0,
        instrument_name: i.instrument_name,
        high: null,
        estimated_delivery_price: index,
        creation_timestamp: stamp,
        bid_price: bid > 0 ? bid : null,
        base_currency: i.base_currency,
        ask_price: ask,
      };
    });
  }

  function requireCurrency(query: Record<string, string>): string {
    const currency = query.currency;
    if (currency === undefined || !instrumentsOf(currency)) throw invalidParam('currency');
    return currency;
  }

  function route(method: string, query: Record<string, string>): unknown {
    switch (method) {
      case 'get_instruments': {
        const currency = requireCurrency(query);
        if (query.expired === 'true') return [];
        const kind = query.kind;
        if (kind !== undefined && !['option', 'future', 'spot', 'future_combo', 'option_combo'].includes(kind)) throw invalidParam('kind');
        return (instrumentsOf(currency) ?? []).filter((i) => kind === undefined || i.kind === kind);
      }
      case 'get_book_summary_by_currency': {
        const currency = requireCurrency(query);
        if (query.kind !== undefined && query.kind !== 'option') return [];
        return bookSummary(currency);
      }
      case 'get_volatility_index_data': {
        // DVOL candles [ts, open, high, low, close] in volatility points, one per `resolution` seconds, aligned.
        const currency = query.currency?.toUpperCase();
        if (!currency || !instrumentsOf(currency)) throw invalidParam('currency');
        const start = Number(query.start_timestamp);
        const end = Number(query.end_timestamp);
        if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) throw invalidParam('end_timestamp');
        const step = query.resolution === '1D' ? 86_400_000 : Number(query.resolution ?? '60') * 1000;
        if (!(step >= 1000)) throw invalidParam('resolution');
        const rows: number[][] = [];
        for (let t = Math.ceil(start / step) * step; t <= end && rows.length < 1000; t += step) {
          const v = dvolAt(currency, t);
          rows.push([t, v, round(v + 0.3, 2), round(v - 0.3, 2), v]);
        }
        return { data: rows, continuation: null };
      }
      case 'get_index_price': {
        const match = query.index_name?.match(/^([a-z]+)_usd$/);
        const currency = match?.[1]?.toUpperCase();
        if (!currency || !instrumentsOf(currency)) throw invalidParam('index_name');
        const index = indexPrice(currency);
        return { index_price: index, estimated_delivery_price: index };
      }
      default:
        throw new RpcFail(400, -32601, 'Method not found');
    }
  }

  /** One field our schemas require, made invalid, per method. */
  function corrupt(method: string, result: unknown): unknown {
    if (method === 'get_index_price') return { ...(result as object), index_price: 'abc' };
    const rows = result as Array<Record<string, unknown>>;
    if (rows[0]) rows[0][method === 'get_instruments' ? 'expiration_timestamp' : 'mark_price'] = 'abc';
    return rows;
  }

  function envelope(usIn: number, body: { result: unknown } | { error: unknown }): unknown {
    const usOut = now() * 1000 + 150;
    return { jsonrpc: '2.0', ...body, usIn, usOut, usDiff: usOut - usIn, testnet: false };
  }

  const rpcError = (usIn: number, status: number, code: number, message: string, data: unknown): FakeHttpResponse => ({
    status,
    json: envelope(usIn, { error: { code, message, ...(data === undefined ? {} : { data }) } }),
  });

  const server = await startFakeHttpServer<FakeDeribitFault>({
    now,
    affects: (path, f) => f.path === undefined || path.startsWith(f.path),
    respond({ path, query, at, fault: f }) {
      const usIn = at * 1000;
      try {
        const method = path.match(/^\/api\/v2\/public\/([a-z_]+)$/)?.[1];
        if (!method) throw new RpcFail(404, -32601, 'Method not found');
        const failed = statusFaultResponse(f, (status) =>
          envelope(usIn, { error: status === 429 ? { code: 10028, message: 'too_many_requests' } : { code: 11094, message: 'internal_server_error' } }),
        );
        if (failed) return failed;
        if (f?.kind === 'rpcError') return rpcError(usIn, f.status ?? 400, f.code, f.message, f.data);
        const result = route(method, query);
        return { status: 200, json: envelope(usIn, { result: f?.kind === 'malformed' ? corrupt(method, result) : result }) };
      } catch (error) {
        if (!(error instanceof RpcFail)) throw error;
        return rpcError(usIn, error.status, error.code, error.message, error.data);
      }
    },
    crashBody: (error) => ({ jsonrpc: '2.0', error: { code: 11094, message: String(error) } }),
  });

  return {
    ...server,
    setIndexPrice(currency, price) {
      indexOverrides.set(currency, price);
    },
    indexPrice,
    instruments: (currency) => instrumentsOf(currency) ?? [],
    ivAt,
    dvolAt,
    calls: (method) => server.requests.filter((r) => r.path === `/api/v2/public/${method}`),
  };
}
