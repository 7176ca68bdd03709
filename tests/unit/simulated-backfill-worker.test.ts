import { describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/domain/market.js';
import { createSimulatedSource, type SimulatedSourceOptions } from '../../src/datasources/simulated/simulated-source.js';

const T0 = Date.UTC(2025, 2, 10, 11, 59, 30);
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const options: SimulatedSourceOptions = { seed: 42, tickMs: 60_000, now: () => T0, candleHistoryCount: 100, fundingHistoryCount: 30 };
/** The TypeScript worker, run through tsx as the build's dist/history-worker.js runs under plain node. */
const worker = { url: new URL('../../src/datasources/simulated/history-worker.ts', import.meta.url), execArgv: ['--import', 'tsx'] };

async function backfill(extra: Partial<SimulatedSourceOptions>, prepareFirst = false): Promise<MarketEvent[]> {
  const source = createSimulatedSource({ ...options, ...extra });
  const events: MarketEvent[] = [];
  if (prepareFirst) void source.prepare!(SYMBOLS);
  await source.start(SYMBOLS, (e) => events.push(e));
  await source.stop();
  return events;
}

describe('simulated backfill in a worker thread', () => {
  it('delivers exactly the in-thread backfill (same events, same order), whether prepared ahead or not', async () => {
    const inThread = await backfill({});
    const viaWorker = await backfill({ historyWorker: worker });
    const prepared = await backfill({ historyWorker: worker }, true);
    expect(inThread.length).toBeGreaterThan(1_000);
    expect(viaWorker).toEqual(inThread);
    expect(prepared).toEqual(inThread);
  }, 60_000);

  it('falls back to the in-thread backfill when the worker cannot run, and says so in lastError', async () => {
    const source = createSimulatedSource({ ...options, historyWorker: { url: new URL('file:///nonexistent/history-worker.js') } });
    const events: MarketEvent[] = [];
    await source.start(SYMBOLS, (e) => events.push(e));
    expect(events).toEqual(await backfill({}));
    expect(source.status().state).toBe('OK');
    expect(source.status().lastError).toMatch(/backfill worker/);
    await source.stop();
  }, 60_000);

  it('a stop while the worker runs leaves the source stopped (no late start)', async () => {
    const source = createSimulatedSource({ ...options, historyWorker: worker });
    const events: MarketEvent[] = [];
    const started = source.start(SYMBOLS, (e) => events.push(e));
    await source.stop();
    await started;
    expect(events).toEqual([]);
    expect(source.status().state).toBe('STOPPED');
  }, 60_000);
});
