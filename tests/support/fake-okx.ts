import { startFakeHttpServer, statusFaultResponse, type FakeHttpServer } from './fake-http.js';
import { startFakeSubscribeWs, type FakeSubscribeWs } from './fake-subscribe-ws.js';

/**
 * A local stand-in for OKX v5 USDT swaps: REST `/api/v5/*` in the `{code:"0", msg, data}` envelope
 * (decimals as strings, candles and rubik rows as arrays, newest first, sizes in CONTRACTS of `ctVal`
 * base units) and the public stream (`{"op":"subscribe","args":[{channel,instId}]}` acks as
 * `{"event":"subscribe","arg":…}`, the text `ping` answered `pong`, pushes `{"arg":…,"data":[…]}`).
 * Smooth functions of the real clock; one trade every 250 ms (trade k at k·250 ms, tradeId k, the same
 * on REST and WS). Faults: 429 (code 50011), 500, slow, 50011 with HTTP 200, malformed decimals.
 */

export type FakeOkxFault = ({ kind: '429' } | { kind: '500' } | { kind: 'slow'; delayMs: number } | { kind: 'code'; code: string; status?: number } | { kind: 'malformed' }) & { path?: string; times?: number };

export interface FakeOkx {
  url: string;
  wsUrl: string;
  http: FakeHttpServer<FakeOkxFault>;
  ws: FakeSubscribeWs;
  setFault(fault: FakeOkxFault | null): void;
  ctVal(symbol: string): number;
  priceAt(symbol: string, t: number): number;
  /** Open interest in contracts. */
  contractsAt(symbol: string, t: number): number;
  fundingRateAt(symbol: string, fundingTime: number): number;
  tradeAt(instId: string, k: number): { instId: string; tradeId: string; px: string; sz: string; side: 'buy' | 'sell'; ts: string };
  liquidate(instId: string, side: 'buy' | 'sell', posSide: string, contracts: number, bkPx: number): number;
  close(): Promise<void>;
}

const TRADE_MS = 250;
const FUNDING_MS = 8 * 3_600_000;
const BAR: Readonly<Record<string, number>> = { '1m': 60_000, '3m': 180_000, '5m': 300_000, '15m': 900_000, '30m': 1_800_000, '1H': 3_600_000, '2H': 7_200_000, '4H': 14_400_000, '6Hutc': 21_600_000, '12Hutc': 43_200_000, '1Dutc': 86_400_000, '1Wutc': 604_800_000 };
const WEEK_OFFSET = 4 * 86_400_000;

function seedOf(s: string): number {
  let h = 2166136261;
  for (const c of `okx:${s}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return (h % 1000) / 100;
}
const baseOf = (s: string) => (s.startsWith('BTC') ? 60_000 : s.startsWith('ETH') ? 3_000 : 100);
const fix = (n: number, d: number) => n.toFixed(d);
const instOf = (symbol: string) => `${symbol.slice(0, -4)}-USDT-SWAP`;

export async function startFakeOkx(options: { symbols: readonly string[]; now?: () => number }): Promise<FakeOkx> {
  const now = options.now ?? Date.now;
  const byInst = new Map(options.symbols.map((s) => [instOf(s), s]));
  const ctVal = (symbol: string) => (symbol.startsWith('BTC') ? 0.01 : symbol.startsWith('ETH') ? 0.1 : 1);
  const priceAt = (symbol: string, t: number) => Number((baseOf(symbol) * (1 + 0.02 * Math.sin(t / 3_600_000 + seedOf(symbol)) + 0.002 * Math.sin(t / 83_000 + seedOf(symbol)))).toFixed(2));
  const contractsAt = (symbol: string, t: number) => Math.round((symbol.startsWith('BTC') ? 3_000_000 : 2_000_000) * (1 + 0.05 * Math.sin(t / 7_200_000 + seedOf(symbol))));
  const fundingRateAt = (symbol: string, ft: number) => Number((0.00008 + 0.0001 * Math.sin(ft / FUNDING_MS + seedOf(symbol))).toFixed(8));
  const tradeAt = (instId: string, k: number) => {
    const symbol = byInst.get(instId) ?? '';
    return { instId, tradeId: String(k), px: fix(priceAt(symbol, k * TRADE_MS), 2), sz: String(1 + (k % 9)), side: (k % 3 === 0 ? 'sell' : 'buy') as 'buy' | 'sell', ts: String(k * TRADE_MS), count: '1' };
  };
  const ok = (data: unknown) => ({ status: 200, json: { code: '0', msg: '', data } });
  const fail = (code: string, msg: string, status = 200) => ({ status, json: { code, msg, data: [] } });
  const lim = (q: Record<string, string>, def: number, max: number) => Math.min(max, Math.max(1, Number(q.limit ?? def)));

  function series<T>(q: Record<string, string>, step: number, def: number, max: number, row: (ts: number) => T): T[] {
    const last = Math.floor(now() / step) * step;
    return Array.from({ length: lim(q, def, max) }, (_, i) => row(last - i * step));
  }

  function respond(path: string, q: Record<string, string>, t: number) {
    const symbol = q.instId === undefined ? undefined : (byInst.get(q.instId) ?? byInst.get(`${q.instId}-SWAP`));
    if (q.instId !== undefined && symbol === undefined) return fail('51001', "Instrument ID doesn't exist");
    const s = symbol!;
    switch (path) {
      case '/api/v5/public/instruments':
        return ok([...byInst].map(([instId, sym]) => ({ instType: 'SWAP', instId, uly: instId.replace('-SWAP', ''), instFamily: instId.replace('-SWAP', ''), ctType: 'linear', ctVal: String(ctVal(sym)), ctMult: '1', ctValCcy: sym.slice(0, -4), settleCcy: 'USDT', tickSz: '0.1', lotSz: '1', minSz: '1', state: 'live' })));
      case '/api/v5/public/funding-rate': {
        const ft = Math.floor(t / FUNDING_MS) * FUNDING_MS + FUNDING_MS;
        return ok([{ instId: q.instId, instType: 'SWAP', fundingRate: fix(fundingRateAt(s, ft), 8), fundingTime: String(ft), nextFundingTime: String(ft + FUNDING_MS), ts: String(t) }]);
      }
      case '/api/v5/public/funding-rate-history': {
        const last = Math.floor(t / FUNDING_MS) * FUNDING_MS;
        return ok(Array.from({ length: lim(q, 400, 400) }, (_, i) => last - i * FUNDING_MS).map((ft) => ({ instId: q.instId, instType: 'SWAP', fundingRate: fix(fundingRateAt(s, ft), 8), realizedRate: fix(fundingRateAt(s, ft), 8), fundingTime: String(ft), method: 'current_period' })));
      }
      case '/api/v5/public/open-interest': {
        const oi = contractsAt(s, t);
        return ok([{ instId: q.instId, instType: 'SWAP', oi: String(oi), oiCcy: fix(oi * ctVal(s), 4), oiUsd: fix(oi * ctVal(s) * priceAt(s, t), 2), ts: String(t) }]);
      }
      case '/api/v5/public/mark-price':
        return ok([{ instId: q.instId, instType: 'SWAP', markPx: fix(priceAt(s, t), 2), ts: String(t) }]);
      case '/api/v5/market/index-tickers':
        return ok([{ instId: q.instId, idxPx: fix(priceAt(s, t) * 0.9998, 2), ts: String(t) }]);
      case '/api/v5/market/candles': {
        const ms = BAR[q.bar ?? ''];
        if (!ms) return fail('51000', 'Parameter bar error');
        const off = q.bar === '1Wutc' ? WEEK_OFFSET : 0;
        const end = q.after === undefined ? t : Number(q.after) - 1;
        const start = q.before === undefined ? -Infinity : Number(q.before) + 1;
        const rows: string[][] = [];
        for (let open = Math.floor((Math.min(end, t) - off) / ms) * ms + off; open >= start && rows.length < lim(q, 100, 300); open -= ms) {
          const o = priceAt(s, open);
          const c = priceAt(s, Math.min(t, open + ms - 1));
          const vol = 1000 + ((open / ms) % 13) * 10;
          rows.push([String(open), fix(o, 2), fix(Math.max(o, c) * 1.001, 2), fix(Math.min(o, c) * 0.999, 2), fix(c, 2), String(vol), fix(vol * ctVal(s), 4), fix(vol * ctVal(s) * c, 2), open + ms <= t ? '1' : '0']);
        }
        return ok(rows);
      }
      case '/api/v5/market/trades': {
        const last = Math.floor(t / TRADE_MS);
        return ok(Array.from({ length: lim(q, 100, 500) }, (_, i) => tradeAt(q.instId!, last - i)));
      }
      case '/api/v5/rubik/stat/contracts/open-interest-history': {
        const step = BAR[q.period ?? ''];
        if (!step) return fail('51000', 'Parameter period error');
        return ok(series(q, step, 100, 100, (ts) => { const oi = contractsAt(s, ts); return [String(ts), String(oi), fix(oi * ctVal(s), 4), fix(oi * ctVal(s) * priceAt(s, ts), 2)]; }));
      }
      case '/api/v5/rubik/stat/contracts/long-short-account-ratio-contract': {
        const step = BAR[q.period ?? ''];
        if (!step) return fail('51000', 'Parameter period error');
        return ok(series(q, step, 100, 100, (ts) => [String(ts), fix(1.5 + 0.5 * Math.sin(ts / 5_400_000 + seedOf(s)), 2)]));
      }
      case '/api/v5/rubik/stat/taker-volume-contract': {
        const step = BAR[q.period ?? ''];
        if (!step) return fail('51000', 'Parameter period error');
        return ok(series(q, step, 100, 100, (ts) => [String(ts), fix(300 + 100 * Math.sin(ts / 4_000_000 + seedOf(s)), 3), fix(320 + 90 * Math.sin(ts / 3_000_000 + seedOf(s)), 3)]));
      }
      default:
        return { status: 404, json: { code: '404', msg: 'Not Found' } };
    }
  }

  const http = await startFakeHttpServer<FakeOkxFault>({
    now,
    affects: (path, f) => f.path === undefined || path.startsWith(f.path),
    respond({ path, query, at, fault: f }) {
      const status = statusFaultResponse(f, (st) => (st === 429 ? { code: '50011', msg: 'Too Many Requests', data: [] } : { code: '50026', msg: 'System error', data: [] }));
      if (status) return status;
      if (f?.kind === 'code') return fail(f.code, f.code === '50011' ? 'Rate limit reached. Please refer to API documentation and throttle requests accordingly.' : 'error', f.status ?? 200);
      const answer = respond(path, query, at);
      if (f?.kind === 'malformed') {
        const first = (answer.json as { data?: unknown[] }).data?.[0];
        if (Array.isArray(first)) first[1] = 'abc';
        else if (first && typeof first === 'object') for (const k of ['markPx', 'fundingRate', 'oi', 'px']) if (k in first) (first as Record<string, unknown>)[k] = 'abc';
      }
      return answer;
    },
    crashBody: (error) => ({ code: '50026', msg: String(error), data: [] }),
  });

  const lastTrade = new Map<number, Map<string, number>>();
  const ws = await startFakeSubscribeWs({
    path: '/ws/v5/public',
    now,
    onText(client, text) {
      if (text === 'ping') {
        client.pings += 1;
        client.send('pong');
        return;
      }
      let msg: { id?: string; op?: string; args?: Array<Record<string, string>> };
      try {
        msg = JSON.parse(text) as typeof msg;
      } catch {
        client.send(JSON.stringify({ event: 'error', code: '60012', msg: `Invalid request: ${text}` }));
        return;
      }
      if (msg.op !== 'subscribe') return;
      for (const arg of msg.args ?? []) {
        if (arg.instId !== undefined && !byInst.has(arg.instId) && !byInst.has(`${arg.instId}-SWAP`)) {
          client.send(JSON.stringify({ id: msg.id, event: 'error', code: '60018', msg: `Wrong URL or channel:${arg.channel},instId:${arg.instId} doesn't exist.` }));
          continue;
        }
        client.topics.add(JSON.stringify(arg));
        client.send(JSON.stringify({ id: msg.id, event: 'subscribe', arg, connId: `c${client.id}` }));
      }
    },
    onTick(fake) {
      const t = now();
      for (const client of fake.openClients()) {
        const state = lastTrade.get(client.id) ?? new Map<string, number>();
        lastTrade.set(client.id, state);
        for (const topic of client.topics) {
          const arg = JSON.parse(topic) as { channel: string; instId?: string };
          const symbol = arg.instId ? (byInst.get(arg.instId) ?? byInst.get(`${arg.instId}-SWAP`)) : undefined;
          if (arg.channel === 'trades' && symbol) {
            const last = Math.floor(t / TRADE_MS);
            for (let k = (state.get(arg.instId!) ?? last - 1) + 1; k <= last; k++) client.send(JSON.stringify({ arg, data: [tradeAt(arg.instId!, k)] }));
            state.set(arg.instId!, last);
          } else if (arg.channel === 'mark-price' && symbol && Math.floor(t / 100) % 5 === 0) {
            client.send(JSON.stringify({ arg, data: [{ instId: arg.instId, instType: 'SWAP', markPx: fix(priceAt(symbol, t), 2), ts: String(t) }] }));
          } else if (arg.channel === 'funding-rate' && symbol && Math.floor(t / 100) % 10 === 0) {
            const ft = Math.floor(t / FUNDING_MS) * FUNDING_MS + FUNDING_MS;
            client.send(JSON.stringify({ arg, data: [{ instId: arg.instId, instType: 'SWAP', fundingRate: fix(fundingRateAt(symbol, ft), 8), fundingTime: String(ft), nextFundingTime: String(ft + FUNDING_MS), ts: String(t) }] }));
          } else if (arg.channel === 'index-tickers' && symbol && Math.floor(t / 100) % 10 === 0) {
            client.send(JSON.stringify({ arg, data: [{ instId: arg.instId, idxPx: fix(priceAt(symbol, t) * 0.9998, 2), ts: String(t) }] }));
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
    setFault: (f) => http.setFault(f),
    ctVal,
    priceAt,
    contractsAt,
    fundingRateAt,
    tradeAt,
    liquidate(instId, side, posSide, contracts, bkPx) {
      const arg = { channel: 'liquidation-orders', instType: 'SWAP' };
      const t = now();
      return ws.publish(JSON.stringify(arg), JSON.stringify({ arg, data: [{ instId, instFamily: instId.replace('-SWAP', ''), instType: 'SWAP', uly: instId.replace('-SWAP', ''), details: [{ side, posSide, sz: String(contracts), bkPx: String(bkPx), bkLoss: '0', ccy: '', ts: String(t) }] }] }));
    },
    close: async () => {
      await Promise.all([http.close(), ws.close()]);
    },
  };
}
