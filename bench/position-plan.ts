/**
 * Per-request cost of `positionPlan` (and of `portfolioRisk` with 10 and 50 positions) through real HTTP GraphQL,
 * against a trivial query measured in the same run, on the simulated market (3 symbols, response cache off
 * so every request executes). Requests are sequential and interleaved round by round (baseline, plan,
 * portfolio, portfolio of 50, baseline, ...), so machine load hits all three alike; the figure to read is the ratio and
 * the difference of medians, i.e. what the plan adds on top of any request. The analyzers alone (no
 * GraphQL) are timed as well.
 *
 *   npx tsx bench/position-plan.ts      (env: BENCH_ROUNDS=400)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BTCUSDT_BRACKETS } from '../src/analyzers/liquidation-brackets.js';
import { computePortfolioRisk } from '../src/analyzers/portfolio-risk.js';
import { computePositionPlan } from '../src/analyzers/position-plan.js';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 400);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;

// --- Analyzers alone ---
function timeIt(fn: () => unknown, n: number): number {
  for (let i = 0; i < 200; i++) fn();
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t) / n) * 1_000;
}
const planInput = {
  symbol: 'BTCUSDT',
  side: 'LONG' as const,
  equity: 10_000,
  riskPct: 1,
  entry: 50_000,
  entrySource: 'INPUT' as const,
  stop: 49_000,
  targets: [52_000, 53_500],
  volatility: { riskMultiplier: 0.8, regime: 'HIGH_VOL', atr: 400, stale: false },
  bracketTable: BTCUSDT_BRACKETS,
};
const positions10 = Array.from({ length: 10 }, (_, i) => ({ symbol: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'][i % 3]!, side: i % 2 ? ('SHORT' as const) : ('LONG' as const), quantity: 1 + i, price: 100, priceSource: 'INPUT' as const, stop: i % 2 ? 103 : 97 }));
const correlations = { symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], pearson: [[1, 0.8, 0.7], [0.8, 1, 0.75], [0.7, 0.75, 1]] };
const planUs = timeIt(() => computePositionPlan(planInput), 20_000);
const portfolioUs = timeIt(() => computePortfolioRisk({ positions: positions10, equity: 10_000, correlations }), 20_000);

// --- Through HTTP ---
const dir = await mkdtemp(join(tmpdir(), 'perpgraph-bench-plan-'));
const config = loadConfig({
  MARKET_SOURCE: 'simulated',
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: dir,
  DATABASE_URL: '',
  REDIS_URL: '',
  LOG_LEVEL: 'silent',
  SYMBOLS: 'BTCUSDT,ETHUSDT,SOLUSDT',
  RESPONSE_CACHE_TTL_MS: '0',
});
const app = createApp({ config, logger: createLogger('silent') });
const port = await app.start(0);
const url = `http://127.0.0.1:${port}/graphql`;
const post = async (query: string, variables?: Record<string, unknown>) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body;
};

const baseline = '{ market(symbol: "BTCUSDT") { symbol } }';
const plan = `query($input: PositionPlanInput!) { positionPlan(input: $input) {
  entry quantity notional riskAmount maxSafeLeverage volatilityMultiplier volatilityNote liquidationBuffer
  bracket { bracket maintenanceMarginRate } leverages { leverage margin liquidationPrice beyondStop affordable }
  targets { price rMultiple } factors { name value formula note } notes priceMeta { asOf stale } volatilityMeta { asOf stale } } }`;
const portfolio = `query($positions: [PositionInput!]!) { portfolioRisk(positions: $positions, equity: 10000, peakEquity: 11000) {
  totalRisk heatPct correlatedRisk correlatedHeatPct pairs { correlation source } positions { risk correlatedRiskShare priceMeta { asOf } }
  concentration { longShare dominantSide } drawdown { multiplier } factors { name value formula } notes } }`;

try {
  // Ready: a price and a volatility result.
  for (let i = 0; ; i++) {
    const r = (await post('{ market(symbol: "BTCUSDT") { price volatility { riskMultiplier } } }').catch(() => null)) as { data?: { market?: { price?: number; volatility?: { riskMultiplier: number | null } } } } | null;
    if (r?.data?.market?.price && r.data.market.volatility?.riskMultiplier != null) break;
    if (i > 600) throw new Error('simulated market not ready after 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const price = ((await post('{ market(symbol: "BTCUSDT") { price } }')) as { data: { market: { price: number } } }).data.market.price;
  const times = { baseline: [] as number[], plan: [] as number[], portfolio: [] as number[], portfolio50: [] as number[] };
  const pos = positions10.map(({ priceSource: _, ...p }, i) => (i < 3 ? { ...p, price: undefined, stop: p.side === 'LONG' ? price * 0.9 : price * 1.1, symbol: 'BTCUSDT' } : p));
  for (let r = 0; r < rounds + 20; r++) {
    const stop = price * (0.97 - (r % 10) / 1_000);
    const steps: [keyof typeof times, () => Promise<unknown>][] = [
      ['baseline', () => post(baseline)],
      ['plan', () => post(plan, { input: { symbol: 'BTCUSDT', side: 'LONG', equity: 10_000, riskPct: 1, stop, targets: [price * 1.05] } })],
      ['portfolio', () => post(portfolio, { positions: pos })],
      ['portfolio50', () => post(portfolio, { positions: [...pos, ...pos, ...pos, ...pos, ...pos] })],
    ];
    for (const [name, step] of steps) {
      const t = performance.now();
      await step();
      if (r >= 20) times[name].push(performance.now() - t);
    }
  }
  const b = median(times.baseline);
  const rows = (['baseline', 'plan', 'portfolio', 'portfolio50'] as const).map((k) => ({ k, m: median(times[k]), p: p90(times[k]) }));
  console.log(`position plan bench, ${rounds} interleaved rounds, load average ${loadavg()[0]!.toFixed(1)} (2 cores)`);
  console.log(`analyzer alone: computePositionPlan ${planUs.toFixed(1)} µs, computePortfolioRisk (10 positions) ${portfolioUs.toFixed(1)} µs`);
  console.log('| request | median ms | p90 ms | vs trivial query | added ms |');
  console.log('|---|---|---|---|---|');
  for (const { k, m, p } of rows) console.log(`| ${k} | ${m.toFixed(3)} | ${p.toFixed(3)} | ${(m / b).toFixed(2)} | ${(m - b).toFixed(3)} |`);
} finally {
  await app.stop();
  await rm(dir, { recursive: true, force: true });
}
