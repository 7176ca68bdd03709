/**
 * Event-loop delay while a time-travel query computes (market(symbol, at): every analysis at a past instant),
 * with the point-in-time computations on the main thread (no pool: as before) and in the on-demand worker
 * pool (one worker holding a replica of the point-in-time store). Same archive, same instant, same run.
 *
 *   npm run bench:time-travel        (under flock /work/bench.lock; env ROUNDS=5, WORKERS=1)
 *
 * Archive: the simulated market (2 symbols, seeded, 2 000 bars per interval) written into an embedded PGlite
 * in a temporary directory (removed at the end). Per round and mode, a fresh TimeTravel (nothing cached):
 * phase 1 builds the view (archive restore: PGlite reads, on this thread in both modes), phase 2 asks for
 * every analysis of BTCUSDT and the market-wide ones, as `market(symbol, at)` with every field does. A 1 ms
 * timer measures how late the loop serves it (max and p99 per phase) — what a concurrent request waits —
 * and event-loop utilisation gives the main thread's busy time. Round 1 of each mode runs cold (JIT).
 */
import { monitorEventLoopDelay, performance as perf } from 'node:perf_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedSource } from '../src/datasources/simulated/simulated-source.js';
import { createDatabase } from '../src/db/database.js';
import { createArchiveRepository } from '../src/db/archive-repository.js';
import type { MarketEvent } from '../src/domain/market.js';
import { parseArchiveRetention } from '../src/domain/retention.js';
import { ANALYSES, DERIVED_ANALYSES, MARKET_ANALYSES } from '../src/engine/analyses.js';
import { createMarketArchive } from '../src/engine/market-archive.js';
import { DEFAULT_STORE_LIMITS } from '../src/engine/market-store.js';
import { createOnDemandScheduler } from '../src/engine/on-demand.js';
import { createOnDemandPool, type OnDemandPool } from '../src/engine/on-demand-pool.js';
import { createTimeTravel } from '../src/engine/time-travel.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const WORKERS = Number(process.env.WORKERS ?? 1);
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const AT = NOW - 3 * 3_600_000 - 17 * 60_000;

const dir = await mkdtemp(join(tmpdir(), 'perpgraph-bench-tt-'));
const db = await createDatabase({ dataDir: dir });
const pools: OnDemandPool[] = [];
try {
  const archive = createMarketArchive({
    store: createArchiveRepository(db),
    venue: 'simulated',
    origin: 'SIMULATED',
    flushEveryMs: 60_000,
    maxBuffered: 1_000_000,
    sampleMs: 60_000,
    optionsSampleMs: 900_000,
    tradeMinUsd: 100_000,
    fillable: { candleBars: 1_000, statRows: 500, fundingRows: 1_000 },
    retention: parseArchiveRetention('default=forever'),
    pruneEveryMs: 3_600_000,
    now: () => NOW,
  });
  const source = createSimulatedSource({ seed: 5, tickMs: 3_600_000, symbols: SYMBOLS, now: () => NOW });
  const events: MarketEvent[] = [];
  await source.start(SYMBOLS, (event) => events.push(event));
  await source.stop();
  for (const event of events) archive.record(event);
  await archive.flush();
  await archive.stop();

  const kinds: Array<[string, string]> = [
    ...ANALYSES.map((d) => [d.kind, 'BTCUSDT'] as [string, string]),
    ...DERIVED_ANALYSES.map((d) => [d.kind, 'BTCUSDT'] as [string, string]),
    ...MARKET_ANALYSES.flatMap((d) => (d.kind === 'CORRELATION' ? [[d.kind, 'ALL'] as [string, string]] : [])),
  ];
  console.log(`archive: ${events.length} simulated events of ${SYMBOLS.join(', ')}; at = ${new Date(AT).toISOString()}; ${kinds.length} analyses asked for; ${ROUNDS} rounds`);

  /** Lag of a 1 ms timer: how late the loop served it, per phase. */
  function lagProbe(): { stop(): { max: number; p99: number } } {
    const lags: number[] = [];
    let expected = performance.now() + 1;
    const timer = setInterval(() => {
      const t = performance.now();
      lags.push(Math.max(0, t - expected));
      expected = t + 1;
    }, 1);
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    return {
      stop() {
        clearInterval(timer);
        h.disable();
        // The stretch since the last tick counts too (a phase that never yields shows its whole length).
        lags.push(Math.max(0, performance.now() - expected));
        const sorted = lags.sort((a, b) => a - b);
        return { max: Math.max(sorted.at(-1) ?? 0, h.max / 1e6), p99: sorted[Math.floor(sorted.length * 0.99)] ?? 0 };
      },
    };
  }

  // One pool for the whole run, as the server keeps one: started and ready (modules loaded) before round 1.
  const shared = createOnDemandPool({ workers: WORKERS, symbols: SYMBOLS });
  pools.push(shared);
  while (shared.stats().threadIds.length < WORKERS) await new Promise((resolve) => setTimeout(resolve, 50));
  const rows: Record<string, { build: number[]; buildMax: number[]; compute: number[]; computeMax: number[]; computeP99: number[]; cpu: number[] }> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['main thread', 'worker pool'] as const) {
      const pool = mode === 'worker pool' ? shared : undefined;
      const jobsBefore = shared.stats().computed;
      const travel = createTimeTravel({
        archive,
        ...(pool ? { pool } : {}),
        origin: 'SIMULATED',
        venue: 'simulated',
        definitions: ANALYSES,
        marketDefinitions: MARKET_ANALYSES,
        derivedDefinitions: DERIVED_ANALYSES,
        settings: { fundingHistoryWindow: 30, fundingIntervalHours: () => 8 },
        onDemand: createOnDemandScheduler({ maxQueued: 256, budgetMs: 600_000, concurrency: Math.max(1, WORKERS) }),
        limits: DEFAULT_STORE_LIMITS,
        minIntervalMs: 200,
        staleAfterMs: 30_000,
        maxEntries: 4,
        ttlMs: 600_000,
        now: () => NOW,
        flushWindowMs: 0,
      });
      let probe = lagProbe();
      let t0 = performance.now();
      const view = await travel.view(AT, SYMBOLS);
      const build = performance.now() - t0;
      const buildLag = probe.stop();
      probe = lagProbe();
      // Event-loop utilisation is the main thread's own busy time (process.cpuUsage would add the workers').
      const elu0 = perf.eventLoopUtilization();
      t0 = performance.now();
      let defined = 0;
      for (const [kind, key] of kinds) if (await view.latest(kind as never, key)) defined++;
      const compute = performance.now() - t0;
      const elu = perf.eventLoopUtilization(elu0);
      const lag = probe.stop();
      const r = (rows[mode] ??= { build: [], buildMax: [], compute: [], computeMax: [], computeP99: [], cpu: [] });
      r.build.push(build);
      r.buildMax.push(buildLag.max);
      r.compute.push(compute);
      r.computeMax.push(lag.max);
      r.computeP99.push(lag.p99);
      r.cpu.push(elu.active);
      if (round === 0) console.log(`${mode}: ${defined} of ${kinds.length} analyses defined at \`at\`; worker jobs ${shared.stats().computed - jobsBefore}`);
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`\nmedian of ${ROUNDS} rounds (ms)`);
  console.log('| mode | view build (restore) | its max loop delay | all analyses | their max loop delay | their p99 loop delay | main thread busy during the analyses |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [mode, r] of Object.entries(rows)) {
    console.log(`| ${mode} | ${median(r.build).toFixed(0)} | ${median(r.buildMax).toFixed(1)} | ${median(r.compute).toFixed(0)} | ${median(r.computeMax).toFixed(1)} | ${median(r.computeP99).toFixed(1)} | ${median(r.cpu).toFixed(0)} |`);
  }
} finally {
  for (const pool of pools) await pool.stop();
  await db.close();
  await rm(dir, { recursive: true, force: true });
}
