import type { RateLimitGroup } from '../http.js';

/**
 * Binance published request limits, the weights of the endpoints we call, and the polling schedule's
 * arithmetic. The source and the API read their numbers from here, and a unit test checks that the
 * steady-state schedule stays within our share of every published limit.
 *
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/general-info (limits)
 * @see https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits
 */

/** Share of every published limit perpgraph allows itself (the rest is headroom for other tools on the IP). */
export const BINANCE_BUDGET_SHARE = 0.25;

export const BinanceGroups = {
  /** REQUEST_WEIGHT: every call, by its weight. */
  WEIGHT: 'weight',
  /** `/fapi/v1/fundingRate` + `/fapi/v1/fundingInfo`: 500 requests / 5 min / IP. */
  FUNDING: 'funding',
  /** `/futures/data/*` (statistics, basis): 1000 requests / 5 min / IP. */
  FUTURES_DATA: 'futuresData',
} as const;
export type BinanceGroup = (typeof BinanceGroups)[keyof typeof BinanceGroups];

/** USD-M futures published limits (`rateLimits` of exchangeInfo plus the per-endpoint-group notes). */
export const BINANCE_FUTURES_LIMITS: Readonly<Record<BinanceGroup, RateLimitGroup>> = {
  weight: { limit: 2400, windowMs: 60_000 },
  funding: { limit: 500, windowMs: 300_000 },
  futuresData: { limit: 1000, windowMs: 300_000 },
};

/** Spot REQUEST_WEIGHT (raised from 1200 to 6000 per minute in 2023). */
export const BINANCE_SPOT_LIMITS: Readonly<Record<'weight', RateLimitGroup>> = {
  weight: { limit: 6000, windowMs: 60_000 },
};

/**
 * Request weights (EXCHANGE-APIS.md §1). `/futures/data/*` is documented with weight 0 by Binance and 1
 * by ccxt: we count 1 (erring on the safe side) besides its own request group.
 */
export const BINANCE_WEIGHTS = {
  ping: 1,
  exchangeInfo: 1,
  premiumIndexOne: 1,
  premiumIndexAll: 10,
  fundingRate: 1,
  fundingInfo: 1,
  aggTrades: 20,
  openInterest: 1,
  futuresData: 1,
  ticker24hOne: 1,
  ticker24hAll: 40,
} as const;

/** `/fapi/v1/depth` weight by `limit`: 5/10/20/50 → 2, 100 → 5, 500 → 10, 1000 → 20. */
export function depthWeight(limit: number): number {
  return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
}

export const BINANCE_SPOT_WEIGHTS = {
  tickerPriceOne: 2,
  /** Without `symbol`, or with `symbols=[...]`. */
  tickerPriceMany: 4,
  klines: 2,
} as const;

/** Futures klines weight by `limit` (default 500): <100 → 1, <500 → 2, ≤1000 → 5, else 10. */
export function klinesWeight(limit = 500): number {
  return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
}

/** Cheapest form of premiumIndex for n symbols: n single-symbol requests (weight n) below 10, else one for all. */
export const premiumIndexPerSymbol = (n: number): boolean => n * BINANCE_WEIGHTS.premiumIndexOne < BINANCE_WEIGHTS.premiumIndexAll;
/** Same for the 24 h ticker (40 for all). */
export const ticker24hPerSymbol = (n: number): boolean => n * BINANCE_WEIGHTS.ticker24hOne < BINANCE_WEIGHTS.ticker24hAll;

// --- Polling schedule ---

/** How often the live source polls each kind of statistic (ms). */
export interface StatsPollMs {
  /** `/fapi/v1/openInterest` per symbol. Default 60 s. */
  openInterest: number;
  /** `/futures/data/*` long/short ratios (3 kinds), taker volume and basis per symbol. Default 5 min (their period). */
  statistics: number;
  /** `/fapi/v1/ticker/24hr`. Default 60 s. */
  ticker24h: number;
  /** Spot `/api/v3/ticker/price`. Default 60 s. */
  spotPrice: number;
}

export const DEFAULT_STATS_POLL_MS: Readonly<StatsPollMs> = {
  openInterest: 60_000,
  statistics: 300_000,
  ticker24h: 60_000,
  spotPrice: 60_000,
};

/** `/futures/data/*` requests per symbol per statistics poll: 3 long/short kinds, taker volume, basis. */
export const STATISTICS_REQUESTS_PER_SYMBOL = 5;

/** Worst case of fundingRate checks per symbol around one settlement: the first, then 5, 10, 20, 40, 80, 160 s back-off. */
export const FUNDING_CHECKS_PER_SETTLEMENT = 7;

export interface PollPlan {
  symbols: number;
  /** premiumIndex poll period (REST mark price). */
  pollMs: number;
  statsPollMs: StatsPollMs;
  /** True while the WebSocket stream is connected: premiumIndex is then not polled. */
  streaming: boolean;
  /** Spot prices polled (a spot URL is configured). */
  spot: boolean;
}

export interface ScheduledRequest {
  task: string;
  endpoint: string;
  client: 'futures' | 'spot';
  /** One run every `everyMs`. */
  everyMs: number;
  /** Requests per run. */
  requests: number;
  /** Weight of one request. */
  weight: number;
  /** Extra request group charged one per request, if any. */
  group: BinanceGroup | null;
}

/** What the live source sends in steady state (after the start-up backfill). */
export function binancePollSchedule(plan: PollPlan): ScheduledRequest[] {
  const n = plan.symbols;
  const out: ScheduledRequest[] = [];
  if (!plan.streaming) {
    const perSymbol = premiumIndexPerSymbol(n);
    out.push({
      task: 'markPrice',
      endpoint: 'premiumIndex',
      client: 'futures',
      everyMs: plan.pollMs,
      requests: perSymbol ? n : 1,
      weight: perSymbol ? BINANCE_WEIGHTS.premiumIndexOne : BINANCE_WEIGHTS.premiumIndexAll,
      group: null,
    });
  }
  out.push({
    task: 'funding',
    endpoint: 'fundingRate',
    client: 'futures',
    // Settlements are 8 h apart; the checks of one settlement fall within 5 min. Counted as if every
    // 5 min window held a settlement, which overstates the real rate ~100-fold.
    everyMs: 300_000,
    requests: n * FUNDING_CHECKS_PER_SETTLEMENT,
    weight: BINANCE_WEIGHTS.fundingRate,
    group: BinanceGroups.FUNDING,
  });
  out.push({
    task: 'openInterest',
    endpoint: 'openInterest',
    client: 'futures',
    everyMs: plan.statsPollMs.openInterest,
    requests: n,
    weight: BINANCE_WEIGHTS.openInterest,
    group: null,
  });
  out.push({
    task: 'statistics',
    endpoint: 'futures/data',
    client: 'futures',
    everyMs: plan.statsPollMs.statistics,
    requests: n * STATISTICS_REQUESTS_PER_SYMBOL,
    weight: BINANCE_WEIGHTS.futuresData,
    group: BinanceGroups.FUTURES_DATA,
  });
  const tickerPerSymbol = ticker24hPerSymbol(n);
  out.push({
    task: 'ticker24h',
    endpoint: 'ticker/24hr',
    client: 'futures',
    everyMs: plan.statsPollMs.ticker24h,
    requests: tickerPerSymbol ? n : 1,
    weight: tickerPerSymbol ? BINANCE_WEIGHTS.ticker24hOne : BINANCE_WEIGHTS.ticker24hAll,
    group: null,
  });
  if (plan.spot)
    out.push({
      task: 'spotPrice',
      endpoint: 'ticker/price',
      client: 'spot',
      everyMs: plan.statsPollMs.spotPrice,
      requests: 1,
      weight: n === 1 ? BINANCE_SPOT_WEIGHTS.tickerPriceOne : BINANCE_SPOT_WEIGHTS.tickerPriceMany,
      group: null,
    });
  return out;
}

export interface GroupUsage {
  client: 'futures' | 'spot';
  group: string;
  /** Steady-state units per window of the group. */
  perWindow: number;
  limit: number;
  windowMs: number;
  /** perWindow / limit. */
  fraction: number;
}

/** Steady-state use of every limit group, per that group's window. */
export function steadyStateUsage(
  schedule: readonly ScheduledRequest[],
  limits: { futures: Readonly<Record<string, RateLimitGroup>>; spot: Readonly<Record<string, RateLimitGroup>> } = {
    futures: BINANCE_FUTURES_LIMITS,
    spot: BINANCE_SPOT_LIMITS,
  },
): GroupUsage[] {
  const out: GroupUsage[] = [];
  for (const client of ['futures', 'spot'] as const) {
    for (const [group, limit] of Object.entries(limits[client])) {
      let perWindow = 0;
      for (const s of schedule) {
        if (s.client !== client) continue;
        const runsPerWindow = limit.windowMs / s.everyMs;
        if (group === BinanceGroups.WEIGHT) perWindow += runsPerWindow * s.requests * s.weight;
        else if (s.group === group) perWindow += runsPerWindow * s.requests;
      }
      out.push({ client, group, perWindow, limit: limit.limit, windowMs: limit.windowMs, fraction: perWindow / limit.limit });
    }
  }
  return out;
}
