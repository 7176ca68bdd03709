import { startFakeHttpServer, statusFaultResponse, type FakeFaultTimes, type FakeHttpFault, type FakeHttpRequest } from './fake-http.js';

/**
 * A local stand-in for CoinGecko's `GET /api/v3/global`, in its wire format (per-currency maps with
 * many keys, dominance in percent, `updated_at` in Unix seconds). Values move smoothly with time and
 * change every 10 minutes, as CoinGecko refreshes them; 429s carry CoinGecko's `status` error body.
 */

export type FakeCoinGeckoFault = (
  | FakeHttpFault
  /** `data.total_market_cap.usd` becomes `"abc"`. */
  | { kind: 'malformed' }
) & FakeFaultTimes;

export interface FakeCoinGeckoOptions {
  now?: () => number;
}

export type FakeCoinGeckoRequest = FakeHttpRequest;

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

const GLOBAL_PATH = '/api/v3/global';
const RATE_LIMITED = {
  status: { error_code: 429, error_message: "You've exceeded the Rate Limit. Please visit https://www.coingecko.com/en/api/pricing to subscribe to our API plans for higher rate limits." },
};

export async function startFakeCoinGecko(options: FakeCoinGeckoOptions = {}): Promise<FakeCoinGecko> {
  const now = options.now ?? Date.now;
  const server = await startFakeHttpServer<FakeCoinGeckoFault>({
    now,
    affects: (path) => path === GLOBAL_PATH,
    respond({ path, fault: f }) {
      if (path !== GLOBAL_PATH) return { status: 404, json: { error: 'Incorrect path. Please check https://www.coingecko.com/api/' } };
      const failed = statusFaultResponse(f, (status) => (status === 429 ? RATE_LIMITED : { error: 'Internal Server Error' }));
      if (failed) return failed;
      const payload = coinGeckoGlobalAt(now()) as unknown as { data: { total_market_cap: Record<string, unknown> } };
      if (f?.kind === 'malformed') payload.data.total_market_cap.usd = 'abc';
      return { status: 200, json: payload };
    },
    crashBody: (error) => ({ error: String(error) }),
  });
  return { ...server, globalAt: coinGeckoGlobalAt };
}
