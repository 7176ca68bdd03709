import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startIsolatedTestApp, waitFor, type IsolatedTestApp } from '../support/harness.js';

type Heatmap = { price: number; rangePct: number; buckets: Array<{ price: number }>; meta: { source: string; methodologyVersion: string } };

describe('on-demand computations in worker threads (simulated market)', () => {
  let app: IsolatedTestApp;

  beforeAll(async () => {
    app = await startIsolatedTestApp({ SYMBOLS: 'BTCUSDT,ETHUSDT', ONDEMAND_WORKERS: '1' });
  });
  afterAll(() => app?.teardown());

  it('answers non-default arguments from the worker, and app.stop() terminates the worker thread', async () => {
    const query = '{ market(symbol: "BTCUSDT") { liquidationHeatmap(buckets: 37, rangePct: 7) { price rangePct buckets { price } meta { source methodologyVersion } } } }';
    const res = await waitFor(async () => {
      const r = await gql<{ market: { liquidationHeatmap: Heatmap | null } }>(app.url, query);
      return r.data?.market.liquidationHeatmap ? r : undefined;
    }, 20_000);
    const heatmap = res.data!.market.liquidationHeatmap!;
    expect(heatmap.buckets, 'requested bucket count').toHaveLength(37);
    expect(heatmap.rangePct).toBe(7);
    expect(heatmap.price).toBeGreaterThan(0);
    expect(heatmap.meta).toEqual({ source: 'SIMULATED', methodologyVersion: 'liquidation-heatmap/1.1.1' });
    const stats = app.app.onDemandStats()!;
    expect(stats.workers).toBe(1);
    expect(stats.computed, 'computed in the worker').toBeGreaterThanOrEqual(1);
    expect(stats.eventsForwarded, 'the replica is fed with the store events').toBeGreaterThan(0);
    const [tid] = stats.threadIds;
    expect(tid).toBeGreaterThan(0);
    expect(existsSync(`/proc/self/task/${tid}`), 'worker thread alive while serving').toBe(true);

    await app.app.stop();
    expect(app.app.onDemandStats(), 'no pool after stop').toBeUndefined();
    expect(existsSync(`/proc/self/task/${tid}`), 'worker thread terminated by app.stop()').toBe(false);
  });
});
