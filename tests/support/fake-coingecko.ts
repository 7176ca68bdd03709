import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for CoinGecko's `GET /api/v3/global`, in its wire format (per-currency maps with
 * many keys, dominance in percent, `updated_at` in Unix seconds). Values move smoothly with time and
 * change every 10 minutes, as CoinGecko refreshes them; 429s carry CoinGecko's `status` error body.
 */

export type FakeCoinGeckoFault = (
  | { kind: '429'; retryAfterSec?: number }
  | { kind: '500' }
  | { kind: 'slow'; delayMs: number }
  /** `data.total_market_cap.usd` becomes `"abc"`. */
  | { kind: 'malformed' }
) & {
  /** Affect this many requests, then clear. Default: until `setFault(null)`. */
  times?: number;
};

export interface FakeCoinGeckoOptions {
  now?: () => number;
}

export interface FakeCoinGeckoRequest {
  path: string;
  query: Record<string, string>;
  at: number;
  status: number;
}

export interface FakeCoinGecko {
  url: string;
  requests: FakeCoinGeckoRequest[];
  setFault(fault: FakeCoinGeckoFault | null): void;
  /** The `/api/v3/global` body served at time `t` (epoch ms). */
  globalAt(t: number): GlobalBody;
  close(): Promise<void>;
}

export interface GlobalBody {
  data: {
    active_cryptocurrencies: number;
    upcoming_icos: number;
    ongoing_icos: number;
    ended_icos: number;
    markets: number;
    total_market_cap: Record<string, number>;
    total_volume: Record<string, number>;
    market_cap_percentage: Record<string, number>;
    market_cap_change_percentage_24h_usd: number;
    updated_at: number;
  };
}

const REFRESH_S = 600;
const round = (x: number, decimals: number) => Number(x.toFixed(decimals));

export function coinGeckoGlobalAt(t: number): GlobalBody {
  const updatedAt = Math.floor(t / 1000 / REFRESH_S) * REFRESH_S;
  const k = updatedAt / 86_400;
  const capUsd = round(2.5e12 * (1 + 0.03 * Math.sin(k)), 2);
  const volUsd = round(9e10 * (1 + 0.2 * Math.sin(3 * k)), 2);
  const btcUsd = 60_000 * (1 + 0.03 * Math.sin(k));
  const btc = round(56.3 + 1.5 * Math.sin(k / 7), 4);
  const eth = round(9.1 + 0.8 * Math.cos(k / 5), 4);
  return {
    data: {
      active_cryptocurrencies: 17_452,
      upcoming_icos: 0,
      ongoing_icos: 49,
      ended_icos: 3_376,
      markets: 1_262,
      total_market_cap: { btc: round(capUsd / btcUsd, 4), eth: round(capUsd / 3_000, 4), eur: round(capUsd * 0.92, 2), usd: capUsd },
      total_volume: { btc: round(volUsd / btcUsd, 4), eth: round(volUsd / 3_000, 4), eur: round(volUsd * 0.92, 2), usd: volUsd },
      market_cap_percentage: { btc, eth, usdt: 4.95, xrp: 4.1, bnb: 3.2, sol: 2.9 },
      market_cap_change_percentage_24h_usd: round(1.8 * Math.sin(2 * k), 6),
      updated_at: updatedAt,
    },
  };
}

export async function startFakeCoinGecko(options: FakeCoinGeckoOptions = {}): Promise<FakeCoinGecko> {
  const now = options.now ?? Date.now;
  const requests: FakeCoinGeckoRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let fault: FakeCoinGeckoFault | null = null;

  function takeFault(): FakeCoinGeckoFault | null {
    const f = fault;
    if (f?.times !== undefined) {
      f.times -= 1;
      if (f.times <= 0) fault = null;
    }
    return f;
  }

  function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const entry: FakeCoinGeckoRequest = { path: url.pathname, query: Object.fromEntries(url.searchParams), at: now(), status: 0 };
    requests.push(entry);
    const known = url.pathname === '/api/v3/global';
    const f = known ? takeFault() : null;

    const respond = () => {
      let status = 200;
      let body: string;
      const headers: Record<string, string> = {};
      if (!known) {
        status = 404;
        body = JSON.stringify({ error: 'Incorrect path. Please check https://www.coingecko.com/api/' });
      } else if (f?.kind === '429') {
        status = 429;
        if (f.retryAfterSec !== undefined) headers['retry-after'] = String(f.retryAfterSec);
        body = JSON.stringify({
          status: { error_code: 429, error_message: "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits." },
        });
      } else if (f?.kind === '500') {
        status = 500;
        body = JSON.stringify({ error: 'Internal Server Error' });
      } else {
        const payload = coinGeckoGlobalAt(now()) as unknown as { data: { total_market_cap: Record<string, unknown> } };
        if (f?.kind === 'malformed') payload.data.total_market_cap.usd = 'abc';
        body = JSON.stringify(payload);
      }
      entry.status = status;
      send(res, status, body, headers);
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
      send(res, 500, JSON.stringify({ error: String(error) }));
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
    globalAt: coinGeckoGlobalAt,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
