import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { generateApiKey } from '../../src/auth/keys.js';
import { runBacktestSpec } from '../../src/backtest/backtest-job.js';
import { startTestApp, tempDir, testEnv, uniqueName, waitFor, type TestApp } from '../support/harness.js';
import { FIXTURE_VENUE, H, JOB, post, seedArchive, START, T0, walk } from '../support/backtest-fixtures.js';

/**
 * Backtest jobs on real Postgres go through pg-boss: two instances share the queue, and a job whose
 * instance stops mid-run is retried by pg-boss and finished by the next instance (the same result as the
 * pure core). Uses the machine's Postgres (DATABASE_URL, else the local server of PLATFORM.md).
 */

const SERVER = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/test';
const iso = (t: number) => new Date(t).toISOString();

describe('backtest jobs on Postgres (pg-boss)', () => {
  const admin = generateApiKey().plaintext;
  const name = uniqueName('perpgraph_bt');
  let url: string;
  const dirs: Array<{ path: string; remove(): Promise<void> }> = [];
  const apps: TestApp[] = [];
  const candles = walk(6_300, 3);

  const start = async (extra: Record<string, string> = {}) => {
    const dir = await tempDir();
    dirs.push(dir);
    const app = await startTestApp(testEnv({ DATA_DIR: dir.path, DATABASE_URL: url, ADMIN_API_KEY: admin, BACKTEST_PROGRESS_EVERY_MS: '50', BACKTEST_POLL_S: '0.5', ...extra }));
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: SERVER });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(SERVER);
    u.pathname = `/${name}`;
    url = u.toString();
    const dir = await tempDir();
    dirs.push(dir);
    await seedArchive({ url, dataDir: dir.path }, candles, []);
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
    for (const dir of dirs) await dir.remove();
    const client = new pg.Client({ connectionString: SERVER });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });

  it('runs a job on pg-boss, and a job interrupted by a stop is retried and finished by the next instance', async () => {
    const a = await start();
    const input = { symbol: 'BTCUSDT', interval: 'I1H', data: { source: 'ARCHIVE', venue: FIXTURE_VENUE }, strategy: 'TRAP', params: { historyBars: 200 }, from: iso(T0 + 200 * H), to: iso(T0 + 6_200 * H), warmUpBars: 100 };
    const started = await post(a.url, START, { input }, admin);
    expect(started.errors).toBeUndefined();
    const id = started.data!.startBacktest.id as string;
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      const boss = await check.query(`SELECT id, name FROM pgboss.job WHERE id = $1`, [id]);
      expect(boss.rows, 'the job is a pg-boss job with our id').toEqual([{ id, name: 'backtest' }]);
      await waitFor(async () => {
        const r = await post(a.url, JOB, { id }, admin);
        return r.data?.backtest.status === 'RUNNING' && r.data.backtest.progressPct > 0;
      }, 30_000);
      await a.stop();
      const state = await check.query(`SELECT state, retry_count FROM pgboss.job WHERE id = $1`, [id]);
      expect(state.rows[0], 'failed by the shutdown, waiting for its retry').toEqual({ state: 'retry', retry_count: 0 });
    } finally {
      await check.end();
    }
    const b = await start();
    const done = await waitFor(async () => {
      const r = await post(b.url, JOB, { id }, admin);
      return ['SUCCEEDED', 'FAILED'].includes(r.data?.backtest.status) && r.data!.backtest;
    }, 90_000);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempts).toBe(2);
    const core = runBacktestSpec({ strategy: 'TRAP', params: { historyBars: 200 }, costs: { feeBps: 4, slippageBps: 2 }, initialEquity: 10_000, positionFraction: 1, warmUpBars: 100, candles: candles.slice(100, 6_200), funding: [] });
    expect(done.result.metrics.finalEquity).toBe(core.metrics.finalEquity);
    expect(done.result.trades.length).toBe(core.trades.length);
    expect(done.result.bars).toBe(6_000);
  }, 180_000);

  it('fails a job whose last allowed run is interrupted (BACKTEST_MAX_ATTEMPTS), instead of leaving it queued', async () => {
    // The instances of the previous case work the same queue: stop them first.
    for (const app of apps.splice(0)) await app.stop();
    const a = await start({ BACKTEST_MAX_ATTEMPTS: '1' });
    const input = { symbol: 'BTCUSDT', interval: 'I1H', data: { source: 'ARCHIVE', venue: FIXTURE_VENUE }, strategy: 'TRAP', params: { historyBars: 200 }, from: iso(T0 + 200 * H), to: iso(T0 + 6_200 * H), warmUpBars: 100 };
    const id = (await post(a.url, START, { input }, admin)).data!.startBacktest.id as string;
    await waitFor(async () => {
      const r = await post(a.url, JOB, { id }, admin);
      return r.data?.backtest.status === 'RUNNING' && r.data.backtest.progressPct > 0;
    }, 30_000);
    await a.stop();
    const b = await start({ BACKTEST_MAX_ATTEMPTS: '1' });
    const r = await post(b.url, JOB, { id }, admin);
    expect(r.data!.backtest).toMatchObject({ status: 'FAILED', attempts: 1, error: 'interrupted by instance stops on each of its 1 runs (BACKTEST_MAX_ATTEMPTS)' });
  }, 120_000);

  it('fails a job whose instance died during its last run: RUNNING in the table, failed by pg-boss after its expiry', async () => {
    for (const app of apps.splice(0)) await app.stop();
    const a = await start({ BACKTEST_MAX_ATTEMPTS: '1' });
    const input = { symbol: 'BTCUSDT', interval: 'I1H', data: { source: 'ARCHIVE', venue: FIXTURE_VENUE }, strategy: 'TRAP', params: { historyBars: 200 }, from: iso(T0 + 200 * H), to: iso(T0 + 6_200 * H), warmUpBars: 100 };
    const id = (await post(a.url, START, { input }, admin)).data!.startBacktest.id as string;
    await waitFor(async () => (await post(a.url, JOB, { id }, admin)).data?.backtest.status === 'RUNNING', 30_000);
    await a.stop();
    // What a killed instance leaves once pg-boss's expiry (BACKTEST_JOB_EXPIRE_S) has failed its last run: the
    // table still says RUNNING (nobody wrote the end), the queue says failed and will not hand it out again.
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      await check.query(`UPDATE backtest_job SET status = 'RUNNING', error = NULL WHERE id = $1`, [id]);
      await check.query(`UPDATE pgboss.job SET state = 'failed' WHERE id = $1`, [id]);
    } finally {
      await check.end();
    }
    const b = await start({ BACKTEST_MAX_ATTEMPTS: '1' });
    const r = await waitFor(async () => {
      const job = (await post(b.url, JOB, { id }, admin)).data?.backtest;
      return job?.status !== 'RUNNING' && job;
    }, 10_000);
    expect(r).toMatchObject({ status: 'FAILED', error: 'its last allowed run ended without a result (the instance running it stopped without a word); the queue will not run it again' });
    expect(await b.app.services.backtests!.jobs.sweep(), 'nothing left to fail').toBe(0);
  }, 120_000);
});
