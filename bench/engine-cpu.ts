/**
 * CPU share of the analysis engine when every registered analysis runs in real time for many simulated
 * symbols. Two phases in one run, each ENGINE_SECONDS long:
 *   baseline: simulated market -> market store (no analyses);
 *   engine:   the same plus the engine recomputing every analysis at ANALYSIS_MIN_INTERVAL_MS.
 * Prints the process CPU time per wall second (share of one core) of each phase and the difference,
 * which is what the analyses cost. Target for the derivatives analyses: under 0.25 of one core.
 *
 *   npm run bench:engine        (env: ENGINE_SYMBOLS=20, ENGINE_SECONDS=20, ANALYSIS_MIN_INTERVAL_MS=1000)
 */
import { createPubSub } from 'graphql-yoga';
import { createSimulatedSource } from '../src/datasources/simulated/simulated-source.js';
import { ANALYSES, DERIVED_ANALYSES, MARKET_ANALYSES } from '../src/engine/analyses.js';
import { createAnalysisEngine } from '../src/engine/analysis-engine.js';
import { createMarketStore } from '../src/engine/market-store.js';
import { createResultCache } from '../src/engine/result-cache.js';
import type { Topics } from '../src/pubsub.js';

const symbolCount = Number(process.env.ENGINE_SYMBOLS ?? 20);
const seconds = Number(process.env.ENGINE_SECONDS ?? 20);
const minIntervalMs = Number(process.env.ANALYSIS_MIN_INTERVAL_MS ?? 1000);
const base = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT', 'DOGEUSDT'];
const symbols = Array.from({ length: symbolCount }, (_, i) => base[i] ?? `SIM${i}USDT`);

/** Time spent per analysis kind, to see where the engine's share goes. */
const perKind = new Map<string, { ms: number; runs: number }>();
/** `def` with its compute timed into perKind (per-symbol and derived definitions alike). */
function timed<D extends { kind: string; compute: (...args: never[]) => unknown }>(def: D): D {
  const compute = (...args: Parameters<D['compute']>) => {
    const t = performance.now();
    try {
      return def.compute(...args);
    } finally {
      const entry = perKind.get(def.kind) ?? { ms: 0, runs: 0 };
      entry.ms += performance.now() - t;
      entry.runs += 1;
      perKind.set(def.kind, entry);
    }
  };
  return { ...def, compute };
}
const timedDefinitions = ANALYSES.map(timed);
/** Derived analyses (confirmation, scenarios), timed the same way. */
const timedDerived = DERIVED_ANALYSES.map(timed);

async function phase(withEngine: boolean): Promise<{ cpuShare: number; computations: number }> {
  const source = createSimulatedSource({ seed: 7, tickMs: 250, symbols });
  const store = createMarketStore(symbols);
  const engine = withEngine
    ? createAnalysisEngine({
        store,
        definitions: timedDefinitions,
        marketDefinitions: MARKET_ANALYSES,
        derivedDefinitions: timedDerived,
        settings: { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 },
        cache: createResultCache(),
        pubsub: createPubSub<Topics>(),
        snapshots: { enqueue: () => {} },
        origin: 'SIMULATED',
        venue: 'simulated',
        minIntervalMs,
        snapshotEveryMs: 10_000,
      })
    : undefined;
  engine?.start();
  await source.start(symbols, (e) => store.apply(e));
  await new Promise((r) => setTimeout(r, 2_000)); // let start-up work settle
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const computations0 = engine?.stats().computations ?? 0;
  perKind.clear();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const computations = (engine?.stats().computations ?? 0) - computations0;
  engine?.stop();
  await source.stop();
  return { cpuShare: (cpu.user + cpu.system) / 1000 / wallMs, computations };
}

const baseline = await phase(false);
const withEngine = await phase(true);
console.log(`${symbols.length} simulated symbols, ${ANALYSES.length} per-symbol analyses (${ANALYSES.map((a) => a.kind).join(", ")}) + ${MARKET_ANALYSES.length} market-wide (${MARKET_ANALYSES.map((a) => a.kind).join(", ")}) + ${DERIVED_ANALYSES.length} derived (${DERIVED_ANALYSES.map((a) => a.kind).join(", ")}), recompute interval ${minIntervalMs} ms, ${seconds}s per phase`);
console.log(`baseline (market + store)    : ${baseline.cpuShare.toFixed(3)} of one core`);
console.log(`with engine (all analyses)   : ${withEngine.cpuShare.toFixed(3)} of one core, ${withEngine.computations} computations (${(withEngine.computations / seconds).toFixed(0)}/s)`);
console.log(`engine share (difference)    : ${(withEngine.cpuShare - baseline.cpuShare).toFixed(3)} of one core (target < 0.25)`);
for (const [kind, { ms, runs }] of [...perKind].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`  ${kind.padEnd(22)} ${((ms / 1000 / seconds) * 100).toFixed(1).padStart(5)} % of one core, ${runs} runs, ${(ms / runs).toFixed(2)} ms/run`);
}
process.exit(0);
