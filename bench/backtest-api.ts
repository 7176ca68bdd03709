/**
 * The API while a backtest job runs vs idle (issue 13 §3, "the API stays responsive while a backtest runs").
 * One server process (tsx src/main.ts, simulated market, embedded PGlite, in-process job queue, response cache
 * off so every query does its work) and this process as the client: sequential light queries
 * (`market(symbol: "BTCUSDT") { price markPrice }`) first with nothing else running (idle), then while a job
 * runs (busy; samples counted only while the job is RUNNING), then idle again. The job: a walk-forward
 * optimisation of STRUCTURE on the recorded BTCUSDT 5 m (30 days + 300 warm-up bars from ../shared/data,
 * REPLAY data source), 5 candidates × (4 windows + 1) + 4 = 29 backtests in one worker thread.
 * Prints p50/p99 of each phase and the ratio busy p99 / idle p99, idle being both idle phases pooled (same run,
 * same machine).
 *
 *   npm run bench:backtest-api              (--job backtest: one TRAP backtest instead of the optimisation;
 *                                           --nice 0: the worker thread at the default priority, default 10)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateApiKey } from '../src/auth/keys.js';

const { values: args } = parseArgs({ options: { job: { type: 'string', default: 'optimization' }, nice: { type: 'string', default: '10' } } });
const RECORDING = 'binance-futures/klines/multi-5m-15m-1h-2025-12-26_2026-01-29/BTCUSDT-5m.freqtrade.feather';
const ROOT = fileURLToPath(new URL('../../shared/data', import.meta.url));
const TO = Date.UTC(2026, 0, 29);
const FROM = TO - 30 * 86_400_000;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const dir = await mkdtemp(join(tmpdir(), 'perpgraph-bench-bt-'));
const admin = generateApiKey().plaintext;
const port = await freePort();
const url = `http://127.0.0.1:${port}/graphql`;
const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  env: {
    ...process.env,
    MARKET_SOURCE: 'simulated',
    SYMBOLS: 'BTCUSDT,ETHUSDT,SOLUSDT',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dir,
    DATABASE_URL: '',
    REDIS_URL: '',
    ADMIN_API_KEY: admin,
    RESPONSE_CACHE_TTL_MS: '0',
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    BACKTEST_REPLAY_ROOT: ROOT,
    BACKTEST_WORKER_NICE: args.nice!,
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const kill = () => child.kill('SIGKILL');
process.on('exit', kill);

async function gql(query: string, variables: Record<string, unknown> = {}, key?: string): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify({ query, variables }) });
  return res.json();
}
const LIGHT = '{ market(symbol: "BTCUSDT") { price markPrice } }';
async function light(): Promise<number> {
  const t = performance.now();
  const r = await gql(LIGHT);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return performance.now() - t;
}
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const phase = (name: string, xs: number[]) => `${name}: ${xs.length} queries, p50 ${quantile(xs, 0.5).toFixed(2)} ms, p99 ${quantile(xs, 0.99).toFixed(2)} ms`;

try {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const r = await gql(LIGHT);
      if (r.data?.market?.price != null) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('server not ready within 120 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  // The first seconds after ready compute every analysis for the first time: let them pass, then warm up.
  await new Promise((r) => setTimeout(r, 20_000));
  for (let i = 0; i < 500; i++) await light();
  const idle: number[] = [];
  for (let i = 0; i < 3_000; i++) idle.push(await light());

  const input = { strategy: args.job === 'backtest' ? 'TRAP' : 'STRUCTURE', symbol: 'BTCUSDT', interval: 'I5M', from: new Date(FROM).toISOString(), to: new Date(TO).toISOString(), data: { source: 'REPLAY', recording: RECORDING } };
  const started =
    args.job === 'backtest'
      ? await gql('mutation($i: BacktestInput!) { job: startBacktest(input: $i) { id } }', { i: input }, admin)
      : await gql(
          'mutation($i: BacktestInput!, $o: OptimizationInput!) { job: startOptimization(input: $i, optimization: $o) { id } }',
          { i: input, o: { method: 'GRID', ranges: [{ parameter: 'STOP_ATR', min: 1, max: 3, step: 0.5 }], objective: 'SHARPE', windows: 4 } },
          admin,
        );
  if (started.errors) throw new Error(JSON.stringify(started.errors));
  const id = started.data.job.id as string;
  const t0 = performance.now();
  let status = 'QUEUED';
  const poll = setInterval(() => {
    void gql('query($id: ID!) { backtest(id: $id) { status } }', { id }, admin).then((r) => (status = r.data?.backtest?.status ?? status));
  }, 100);
  const busy: number[] = [];
  while (status === 'QUEUED' || status === 'RUNNING') {
    const ms = await light();
    if (status === 'RUNNING') busy.push(ms);
  }
  clearInterval(poll);
  const jobMs = performance.now() - t0;
  const after: number[] = [];
  for (let i = 0; i < 3_000; i++) after.push(await light());

  console.log(`job: ${args.job} (${input.strategy}, 30 days of 5 m from the recording, worker nice ${args.nice}), ${status} after ${(jobMs / 1000).toFixed(1)} s`);
  console.log(phase('idle before', idle));
  console.log(phase('while the job runs', busy));
  console.log(phase('idle after', after));
  // The baseline is every idle sample of the run, before and after (the machine is shared: one phase alone is noisier).
  const pooled = [...idle, ...after];
  console.log(phase('idle, both phases', pooled));
  console.log(`API p99 while a backtest runs / idle p99: ${(quantile(busy, 0.99) / quantile(pooled, 0.99)).toFixed(2)}× (p50 ${(quantile(busy, 0.5) / quantile(pooled, 0.5)).toFixed(2)}×)`);
} finally {
  kill();
  await new Promise((r) => setTimeout(r, 300));
  await rm(dir, { recursive: true, force: true });
}
