import { startFakeHttpServer, statusFaultResponse, type FakeHttpServer } from './fake-http.js';
import { startFakeSubscribeWs, type FakeSubscribeWs } from './fake-subscribe-ws.js';

/**
 * A local stand-in for Bybit v5 (linear USDT perpetuals): REST `/v5/market/*` in the `{retCode, retMsg,
 * result, retExtInfo, time}` envelope with decimals as strings and lists newest first, and the public
 * linear stream (`/v5/public/linear`: `op:"subscribe"` acks, `op:"ping"` pongs, `publicTrade`,
 * `tickers` snapshot then deltas, `kline.1`, `allLiquidation`). Data are smooth functions of the real
 * clock, like the fake Binance but with their own phase: one trade every 250 ms (trade k at k·250 ms, the
 * same on REST and WS, so a gap backfill can be checked), funding every 8 h, statistics every 5 min.
 * Faults: 429, 500, slow, 403 (Bybit's IP ban answer), retCode 10006 (HTTP 200), malformed decimals.
 */

export type FakeBybitFault = (
  | { kind: '429' }
  | { kind: '500' }
  | { kind: 'slow'; delayMs: number }
  | { kind: '403' }
  | { kind: 'retCode'; retCode: number; retMsg?: string; resetInMs?: number }
  | { kind: 'malformed' }
) & { path?: string; times?: number };

export interface FakeBybit {
  url: string;
  wsUrl: string;
  http: FakeHttpServer<FakeBybitFault>;
  ws: FakeSubscribeWs;
  setFault(fault: FakeBybitFault | null): void;
  priceAt(symbol: string, t: number): number;
  openInterestAt(symbol: string, t: number): number;
  fundingRateAt(symbol: string, fundingTime: number): number;
  tradeAt(symbol: string, k: number): { T: number; s: string; S: 'Buy' | 'Sell'; v: string; p: string; i: string };
  /** Pushes an `allLiquidation` message (S = position side). */
  liquidate(symbol: string, side: 'Buy' | 'Sell', qty: number, price: number): number;
  close(): Promise<void>;
}

const TRADE_MS = 250;
const FUNDING_MS = 8 * 3_600_000;
const KLINE: Readonly<Record<string, number>> = { '1': 60_000, '3': 180_000, '5': 300_000, '15': 900_000, '30': 1_800_000, '60': 3_600_000, '120': 7_200_000, '240': 14_400_000, '360': 21_600_000, '720': 43_200_000, D: 86_400_000, W: 604_800_000 };
const STAT: Readonly<Record<string, number>> = { '5min': 300_000, '15min': 900_000, '30min': 1_800_000, '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000 };
/** Bybit weeks start Monday 00:00 UTC (the epoch was a Thursday). */
const WEEK_OFFSET = 4 * 86_400_000;

function seedOf(symbol: string): number {
  let h = 2166136261;
  for (const c of `bybit:${symbol}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return (h % 1000) / 100;
}
const baseOf = (symbol: string) => (symbol.startsWith('BTC') ? 60_000 : symbol.startsWith('ETH') ? 3_000 : 100);
const fix = (n: number, d: number) => n.toFixed(d);
const uuid = (symbol: string, k: number) => `${(seedOf(symbol) * 1e6).toString(16).padStart(8, '0').slice(0, 8)}-0000-4000-8000-${k.toString(16).padStart(12, '0')}`;

export async function startFakeBybit(options: { symbols: readonly string[]; now?: () => number }): Promise<FakeBybit> {
  const now = options.now ?? Date.now;
  const listed = new Set(options.symbols);
  const priceAt = (symbol: string, t: number) => {
    const s = seedOf(symbol);
    return Number((baseOf(symbol) * (1 + 0.02 * Math.sin(t / 3_600_000 + s) + 0.002 * Math.sin(t / 91_000 + 2 * s))).toFixed(2));
  };
  const openInterestAt = (symbol: string, t: number) => Number(((baseOf(symbol) === 60_000 ? 50_000 : 400_000) * (1 + 0.05 * Math.sin(t / 7_200_000 + seedOf(symbol)))).toFixed(3));
  const fundingRateAt = (symbol: string, fundingTime: number) => Number((0.0001 + 0.00015 * Math.sin(fundingTime / FUNDING_MS + seedOf(symbol))).toFixed(8));
  const tradeAt = (symbol: string, k: number) => {
    const T = k * TRADE_MS;
    return { T, s: symbol, S: (k % 3 === 0 ? 'Sell' : 'Buy') as 'Buy' | 'Sell', v: fix(0.001 * (1 + (k % 40)), 3), p: fix(priceAt(symbol, T), 2), i: uuid(symbol, k), BT: false, L: 'PlusTick', seq: k };
  };
  let fault: FakeBybitFault | null = null;
  const ok = (result: unknown) => ({ status: 200, json: { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: now() } });
  const err = (retCode: number, retMsg: string) => ({ status: 200, json: { retCode, retMsg, result: {}, retExtInfo: {}, time: now() } });
  const limitOf = (q: Record<string, string>, def: number, max: number) => Math.min(max, Math.max(1, Number(q.limit ?? def)));

  function ticker(symbol: string, t: number) {
    const mark = priceAt(symbol, t);
    const oi = openInterestAt(symbol, t);
    const next = Math.floor(t / FUNDING_MS) * FUNDING_MS + FUNDING_MS;
    return {
      symbol,
      lastPrice: fix(mark, 2),
      markPrice: fix(mark, 2),
      indexPrice: fix(mark * 1.0002, 2),
      prevPrice24h: fix(priceAt(symbol, t - 86_400_000), 2),
      price24hPcnt: fix(mark / priceAt(symbol, t - 86_400_000) - 1, 6),
      highPrice24h: fix(mark * 1.03, 2),
      lowPrice24h: fix(mark * 0.97, 2),
      prevPrice1h: fix(priceAt(symbol, t - 3_600_000), 2),
      openInterest: fix(oi, 3),
      openInterestValue: fix(oi * mark, 2),
      singleOpenInterest: fix(oi / 2, 3),
      turnover24h: fix(oi * mark * 0.3, 4),
      volume24h: fix(oi * 0.3, 4),
      fundingRate: fix(fundingRateAt(symbol, next), 8),
      nextFundingTime: String(next),
      fundingIntervalHour: '8',
      fundingCap: '0.005',
      bid1Price: fix(mark - 0.1, 2),
      bid1Size: '1.000',
      ask1Price: fix(mark + 0.1, 2),
      ask1Size: '2.000',
    };
  }

  function kline(symbol: string, interval: string, openTime: number, t: number): string[] {
    const ms = KLINE[interval]!;
    const close = priceAt(symbol, Math.min(t, openTime + ms - 1));
    const open = priceAt(symbol, openTime);
    const vol = 10 + (openTime / ms) % 7;
    return [String(openTime), fix(open, 2), fix(Math.max(open, close) * 1.001, 2), fix(Math.min(open, close) * 0.999, 2), fix(close, 2), fix(vol, 3), fix(vol * close, 4)];
  }

  function respond(path: string, q: Record<string, string>, t: number) {
    if (q.category !== undefined && q.category !== 'linear') return err(10001, 'params error: category invalid');
    if (q.symbol !== undefined && !listed.has(q.symbol)) return err(10001, 'params error: symbol invalid');
    switch (path) {
      case '/v5/market/instruments-info':
        return ok({
          category: 'linear',
          list: [...listed].map((symbol) => ({
            symbol,
            contractType: 'LinearPerpetual',
            status: 'Trading',
            baseCoin: symbol.replace(/USDT$/, ''),
            quoteCoin: 'USDT',
            settleCoin: 'USDT',
            priceFilter: { minPrice: '0.10', maxPrice: '1999999.80', tickSize: '0.10' },
            lotSizeFilter: { qtyStep: '0.001', minOrderQty: '0.001', maxOrderQty: '1190.000', minNotionalValue: '5' },
            fundingInterval: 480,
            upperFundingRate: '0.005',
            lowerFundingRate: '-0.005',
          })),
          nextPageCursor: '',
        });
      case '/v5/market/tickers':
        return ok({ category: 'linear', list: (q.symbol ? [q.symbol] : [...listed]).map((s) => ticker(s, t)) });
      case '/v5/market/funding/history': {
        const end = Number(q.endTime ?? t);
        const limit = limitOf(q, 200, 200);
        const last = Math.floor(end / FUNDING_MS) * FUNDING_MS;
        const list = Array.from({ length: limit }, (_, i) => last - i * FUNDING_MS).map((ft) => ({ symbol: q.symbol, fundingRate: fix(fundingRateAt(q.symbol!, ft), 8), fundingRateTimestamp: String(ft) }));
        return ok({ category: 'linear', list });
      }
      case '/v5/market/open-interest': {
        const step = STAT[q.intervalTime ?? ''];
        if (!step) return err(10001, 'params error: intervalTime invalid');
        const last = Math.floor(t / step) * step;
        const list = Array.from({ length: limitOf(q, 50, 200) }, (_, i) => last - i * step).map((ts) => ({ openInterest: fix(openInterestAt(q.symbol!, ts), 8), timestamp: String(ts) }));
        return ok({ symbol: q.symbol, category: 'linear', list, nextPageCursor: '' });
      }
      case '/v5/market/account-ratio': {
        const step = STAT[q.period ?? ''];
        if (!step) return err(10001, 'params error: period invalid');
        const last = Math.floor(t / step) * step;
        const list = Array.from({ length: limitOf(q, 50, 500) }, (_, i) => last - i * step).map((ts) => {
          const buy = Number((0.5 + 0.1 * Math.sin(ts / 5_400_000 + seedOf(q.symbol!))).toFixed(4));
          return { symbol: q.symbol, buyRatio: fix(buy, 4), sellRatio: fix(1 - buy, 4), timestamp: String(ts) };
        });
        return ok({ list, nextPageCursor: '' });
      }
      case '/v5/market/kline': {
        const ms = KLINE[q.interval ?? ''];
        if (!ms) return err(10001, 'params error: interval invalid');
        const offset = q.interval === 'W' ? WEEK_OFFSET : 0;
        const align = (x: number) => Math.floor((x - offset) / ms) * ms + offset;
        const end = Math.min(Number(q.end ?? t), t);
        const start = q.start === undefined ? -Infinity : Number(q.start);
        const list: string[][] = [];
        for (let open = align(end); open >= start && list.length < limitOf(q, 200, 1000); open -= ms) list.push(kline(q.symbol!, q.interval!, open, t));
        return ok({ symbol: q.symbol, category: 'linear', list });
      }
      case '/v5/market/recent-trade': {
        const last = Math.floor(t / TRADE_MS);
        const list = Array.from({ length: limitOf(q, 500, 1000) }, (_, i) => tradeAt(q.symbol!, last - i)).map((tr) => ({
          execId: tr.i,
          symbol: tr.s,
          price: tr.p,
          size: tr.v,
          side: tr.S,
          time: String(tr.T),
          isBlockTrade: false,
        }));
        return ok({ category: 'linear', list });
      }
      default:
        return { status: 404, json: { retCode: 10404, retMsg: 'route not found' } };
    }
  }

  const http = await startFakeHttpServer<FakeBybitFault>({
    now,
    affects: (path, f) => f.path === undefined || path.startsWith(f.path),
    respond({ path, query, at, fault: f }) {
      const status = statusFaultResponse(f, (s) => ({ retCode: s === 429 ? 10429 : 10016, retMsg: s === 429 ? 'Too many requests' : 'Internal server error' }));
      if (status) return status;
      if (f?.kind === '403') return { status: 403, json: { retCode: 10403, retMsg: 'access too frequent' } };
      if (f?.kind === 'retCode')
        return {
          status: 200,
          json: { retCode: f.retCode, retMsg: f.retMsg ?? 'Too many visits!', result: {}, retExtInfo: {}, time: at },
          headers: f.resetInMs === undefined ? {} : { 'x-bapi-limit': '10', 'x-bapi-limit-status': '0', 'x-bapi-limit-reset-timestamp': String(at + f.resetInMs) },
        };
      const answer = respond(path, query, at);
      if (f?.kind === 'malformed') {
        const body = answer.json as { result?: { list?: Array<Record<string, unknown> | unknown[]> } };
        const first = body.result?.list?.[0];
        if (Array.isArray(first)) first[4] = 'abc';
        else if (first) for (const key of ['markPrice', 'fundingRate', 'openInterest', 'buyRatio', 'price']) if (key in first) first[key] = 'abc';
      }
      return answer;
    },
    crashBody: (error) => ({ retCode: 10016, retMsg: String(error) }),
  });

  /** Per client: the last trade index pushed, and whether the ticker snapshot went out. */
  const pushed = new Map<number, { trade: Map<string, number>; minute: Map<string, number> }>();
  const ws = await startFakeSubscribeWs({
    path: '/v5/public/linear',
    now,
    onText(client, text) {
      let msg: { op?: string; args?: string[]; req_id?: string };
      try {
        msg = JSON.parse(text) as typeof msg;
      } catch {
        return;
      }
      if (msg.op === 'ping') {
        client.pings += 1;
        client.send(JSON.stringify({ success: true, ret_msg: 'pong', conn_id: `c${client.id}`, op: 'ping' }));
        return;
      }
      if (msg.op === 'subscribe') {
        const bad = (msg.args ?? []).find((a) => !listed.has(a.split('.').at(-1) ?? ''));
        if (bad) {
          client.send(JSON.stringify({ success: false, ret_msg: `error:handler not found,topic:${bad}`, conn_id: `c${client.id}`, req_id: msg.req_id ?? '', op: 'subscribe' }));
          return;
        }
        for (const topic of msg.args ?? []) client.topics.add(topic);
        client.send(JSON.stringify({ success: true, ret_msg: '', conn_id: `c${client.id}`, req_id: msg.req_id ?? '', op: 'subscribe' }));
        const t = now();
        for (const topic of msg.args ?? [])
          if (topic.startsWith('tickers.')) {
            const symbol = topic.slice('tickers.'.length);
            client.send(JSON.stringify({ topic, type: 'snapshot', data: ticker(symbol, t), cs: 1, ts: t }));
          }
      }
    },
    onTick(fake) {
      const t = now();
      for (const client of fake.openClients()) {
        const state = pushed.get(client.id) ?? { trade: new Map(), minute: new Map() };
        pushed.set(client.id, state);
        for (const topic of client.topics) {
          const [channel, a, b] = topic.split('.');
          if (channel === 'publicTrade') {
            const symbol = a!;
            const last = Math.floor(t / TRADE_MS);
            const from = (state.trade.get(symbol) ?? last - 1) + 1;
            if (from <= last) {
              const data = Array.from({ length: last - from + 1 }, (_, i) => tradeAt(symbol, from + i));
              client.send(JSON.stringify({ topic, type: 'snapshot', ts: t, data }));
              state.trade.set(symbol, last);
            }
          } else if (channel === 'tickers') {
            const d = ticker(a!, t);
            client.send(JSON.stringify({ topic, type: 'delta', data: { symbol: a, markPrice: d.markPrice, indexPrice: d.indexPrice, openInterest: d.openInterest, openInterestValue: d.openInterestValue, bid1Price: d.bid1Price, ask1Price: d.ask1Price }, cs: 2, ts: t }));
          } else if (channel === 'kline' && a === '1') {
            const symbol = b!;
            const open = Math.floor(t / 60_000) * 60_000;
            const prev = state.minute.get(symbol);
            const row = (o: number, confirm: boolean) => {
              const [start, op, hi, lo, cl, vol, turn] = kline(symbol, '1', o, t);
              return { start: Number(start), end: o + 59_999, interval: '1', open: op, close: cl, high: hi, low: lo, volume: vol, turnover: turn, confirm, timestamp: t };
            };
            const data = prev !== undefined && prev < open ? [row(prev, true), row(open, false)] : [row(open, false)];
            client.send(JSON.stringify({ topic, type: 'snapshot', ts: t, data }));
            state.minute.set(symbol, open);
          }
        }
      }
    },
  });

  return {
    url: http.url,
    wsUrl: ws.url,
    http,
    ws,
    setFault(next) {
      fault = next;
      http.setFault(next);
    },
    priceAt,
    openInterestAt,
    fundingRateAt,
    tradeAt,
    liquidate(symbol, side, qty, price) {
      const t = now();
      return ws.publish(`allLiquidation.${symbol}`, JSON.stringify({ topic: `allLiquidation.${symbol}`, type: 'snapshot', ts: t, data: [{ T: t, s: symbol, S: side, v: String(qty), p: String(price) }] }));
    },
    async close() {
      void fault;
      await Promise.all([http.close(), ws.close()]);
    },
  };
}
