/**
 * Worker thread of the on-demand pool (engine/on-demand-pool.ts): keeps a replica of the main thread's
 * market store, fed with the events it applied, and computes non-default-argument analyses with the same
 * definitions as the engine. Messages arrive in order on one port: event batches, then the jobs that
 * must see them.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { MarketEvent } from '../domain/market.js';
import { ANALYSES, MARKET_ANALYSES } from './analyses.js';
import type { AnalysisSettings } from './definition.js';
import { createMarketStore, type MarketStore } from './market-store.js';
import type { PoolJob, ReplicaInit } from './on-demand-pool.js';

const init = (workerData as { init: ReplicaInit }).init;
const live = createMarketStore(init.symbols, init.limits);

/** This thread's Linux thread id (undefined elsewhere). */
function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

const tid = threadId();
if (tid !== undefined && init.nice !== undefined && init.nice !== 0) {
  // Linux: setpriority on a thread id changes that thread only. Best effort (a refusal keeps the default).
  try {
    setPriority(tid, init.nice);
  } catch {
    // keep the default priority
  }
}
parentPort!.postMessage({ type: 'ready', tid });

type Message =
  | { type: 'events'; events: MarketEvent[] }
  | { type: 'job'; id: number; job: PoolJob }
  | { type: 'replica'; id: string; init: ReplicaInit; events: MarketEvent[] }
  | { type: 'dropReplica'; id: string };

/** Point-in-time stores (time travel), by id: built once from the restored events, read by jobs naming them. */
const replicas = new Map<string, MarketStore>();

function compute(job: PoolJob): { result: unknown; asOf: number } | null {
  const store = job.replica === undefined ? live : replicas.get(job.replica);
  if (!store) throw new Error(`no point-in-time replica ${job.replica}`);
  const settings: AnalysisSettings = {
    fundingHistoryWindow: job.fundingHistoryWindow,
    fundingIntervalHours: (symbol) => job.fundingIntervalHours[symbol] ?? 8,
    macroEvents: job.macroEvents,
  };
  const def = ANALYSES.find((d) => d.kind === job.kind);
  if (def) {
    const market = store.get(job.symbol);
    if (!market) throw new Error(`unknown symbol ${job.symbol}`);
    if (job.params === null) return def.compute(market, job.now, settings);
    if (def.computeWith) return def.computeWith(market, job.now, settings, job.params);
  }
  const marketDef = MARKET_ANALYSES.find((d) => d.kind === job.kind);
  if (marketDef && job.params === null) return marketDef.compute(store, job.symbol, job.now, settings);
  if (marketDef?.computeWith) return marketDef.computeWith(store, job.symbol, job.now, settings, job.params);
  throw new Error(`${job.kind} takes no arguments`);
}

parentPort!.on('message', (message: Message) => {
  if (message.type === 'events') {
    for (const event of message.events) live.apply(event);
    return;
  }
  if (message.type === 'replica') {
    const replica = createMarketStore(message.init.symbols, message.init.limits);
    for (const event of message.events) replica.apply(event);
    replicas.set(message.id, replica);
    return;
  }
  if (message.type === 'dropReplica') {
    replicas.delete(message.id);
    return;
  }
  const started = performance.now();
  try {
    const output = compute(message.job);
    parentPort!.postMessage({ id: message.id, ok: true, output, computeMs: performance.now() - started });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort!.postMessage({ id: message.id, ok: false, name: e.name, message: e.message, computeMs: performance.now() - started });
  }
});
