import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { generateApiKey } from '../../src/auth/keys.js';
import { runBacktestSpec, type BacktestSpec } from '../../src/backtest/backtest-job.js';
import { runOptimizationSpec } from '../../src/backtest/optimize-job.js';
import type { BacktestResult } from '../../src/backtest/backtest.types.js';
import { loadBacktestSpec } from '../../src/jobs/backtest-data.js';
import { startTestApp, tempDir, testEnv, waitFor, type TestApp } from '../support/harness.js';
import { FIXTURE_VENUE, H, JOB, post, seedArchive, START, T0, walk } from '../support/backtest-fixtures.js';

/**
 * Backtest jobs end to end on the embedded database (PGlite, in-process queue): the real server over HTTP,
 * an admin key, crafted candles and settlements in the archive, backtestProgress over a real graphql-ws
 * client, results compared with the pure core on the same bars, and a restart that picks up a running job.
 */

const REPLAY_ROOT = new URL('../../../shared/data', import.meta.url).pathname;
const iso = (t: number) => new Date(t).toISOString();
/** from/to as the DateTime scalar reads them (ISO-8601). */
const W = (i: Record<string, unknown>) => ({ ...i, ...(typeof i.from === 'number' ? { from: iso(i.from) } : {}), ...(typeof i.to === 'number' ? { to: iso(i.to) } : {}) });

/** The API's result in the core's shape (DateTime fields back to epoch ms). */
function asCore(r: any): Omit<BacktestResult, never> & { warmUpBars: number } {
  return {
    ...r,
    from: Date.parse(r.from),
    to: Date.parse(r.to),
    trades: r.trades.map((t: any) => ({ ...t, entryTime: Date.parse(t.entryTime), exitTime: Date.parse(t.exitTime) })),
    equityCurve: r.equityCurve.map((p: any) => ({ time: Date.parse(p.time), equity: p.equity })),
  };
}

describe('backtest jobs over GraphQL (embedded database)', () => {
  const admin = generateApiKey().plaintext;
  const dir = { path: '', remove: async () => {} };
  let app: TestApp;
  // 100 bars with an extreme settlement (the FUNDING_EXTREME case of backtest-simulate.test.ts), then a long walk.
  const candles = walk(8_100, 3);
  const funding = Array.from({ length: 13 }, (_, i) => ({ fundingTime: T0 + i * 8 * H, rate: i === 7 ? 0.003 : 0.0001 }));
  const env = () =>
    testEnv({ DATA_DIR: dir.path, DATABASE_URL: undefined, ADMIN_API_KEY: admin, BACKTEST_PROGRESS_EVERY_MS: '50', BACKTEST_REPLAY_ROOT: REPLAY_ROOT, BACKTEST_CONCURRENCY: '2' });
  const base = { symbol: 'BTCUSDT', interval: 'I1H', data: { source: 'ARCHIVE', venue: FIXTURE_VENUE } };

  beforeAll(async () => {
    Object.assign(dir, await tempDir());
    await seedArchive({ dataDir: dir.path }, candles, funding);
    app = await startTestApp(env());
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await dir.remove();
  });

  it('refuses an unauthenticated startBacktest with UNAUTHENTICATED before its input is looked at', async () => {
    const reply = await post(app.url, START, { input: { strategy: 'NOPE', from: 'x' } });
    expect(reply.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const query = await post(app.url, 'query($id: ID!) { backtest(id: $id) { id } }', { id: 'x' });
    expect(query.errors?.[0]?.extensions?.code, 'reading jobs needs the key too').toBe('UNAUTHENTICATED');
  });

  it('refuses a key without the backtests scope with FORBIDDEN, and keeps jobs private to the key that started them', async () => {
    const key = async (scopes: string[]) =>
      (await post(app.url, 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }', { i: { name: `bt ${scopes.join(',')}`, scopes } }, admin)).data!.createApiKey.key as string;
    const reader = await key(['READ']);
    const refused = await post(app.url, START, { input: W({ ...base, strategy: 'TRAP', from: T0, to: T0 + 10 * H }) }, reader);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const a = await key(['BACKTESTS']);
    const b = await key(['BACKTESTS']);
    const started = await post(app.url, START, { input: W({ ...base, strategy: 'STRUCTURE', params: { historyBars: 60 }, from: T0 + 100 * H, to: T0 + 200 * H, warmUpBars: 50 }) }, a);
    expect(started.errors).toBeUndefined();
    const id = started.data!.startBacktest.id as string;
    expect((await post(app.url, '{ backtests { id } }', {}, a)).data!.backtests).toEqual([{ id }]);
    expect((await post(app.url, '{ backtests { id } }', {}, b)).data!.backtests, 'another key sees none of them').toEqual([]);
    expect((await post(app.url, 'query($id: ID!) { backtest(id: $id) { id } }', { id }, b)).data!.backtest).toBeNull();
    expect((await post(app.url, 'query($id: ID!) { backtest(id: $id) { id } }', { id }, admin)).data!.backtest, 'an admin key sees every job').toEqual({ id });
    await waitFor(async () => (await post(app.url, 'query($id: ID!) { backtest(id: $id) { status } }', { id }, a)).data?.backtest.status === 'SUCCEEDED', 30_000);
  });

  it('refuses bad input with BAD_USER_INPUT and a range the archive does not hold with NOT_READY', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ from: T0 + 10 * H, to: T0 }, 'BAD_USER_INPUT', /from \(.*\) must be before to/],
      [{ symbol: 'DOGEUSDT', from: T0, to: T0 + 10 * H }, 'BAD_USER_INPUT', /symbol DOGEUSDT is not configured/],
      [{ from: T0, to: T0 + 10 * H, params: { historyBars: 10 } }, 'BAD_USER_INPUT', /historyBars must be an integer ≥ 50, got 10/],
      [{ from: T0 - 1_000 * H, to: T0 + 10 * H }, 'NOT_READY', /covers BTCUSDT 1h only from 2026-01-01T00:00:00.000Z/],
      [{ from: T0, to: T0 + 10 * H, interval: 'I5M' }, 'NOT_READY', /holds no 5m candles of BTCUSDT/],
      [{ from: T0, to: T0 + 10 * H, data: { source: 'REPLAY', recording: '../../etc' } }, 'BAD_USER_INPUT', /inside BACKTEST_REPLAY_ROOT/],
      [{ from: T0, to: Date.now() + 30 * 86_400_000 }, 'BAD_USER_INPUT', /is in the future/],
    ];
    for (const [over, code, message] of cases) {
      const reply = await post(app.url, START, { input: W({ ...base, strategy: 'TRAP', ...over }) }, admin);
      expect(reply.errors?.[0]?.extensions?.code, JSON.stringify(over)).toBe(code);
      expect(reply.errors?.[0]?.message).toMatch(message);
    }
  });

  it('runs FUNDING_EXTREME on archived bars: the hand-checked trade, and everything equal to the pure core', async () => {
    const input = { ...base, strategy: 'FUNDING_EXTREME', params: { fundingWindow: 5, holdBars: 10, stopAtr: null }, from: T0, to: T0 + 100 * H, feeBps: 0, slippageBps: 0, warmUpBars: 0 };
    const started = await post(app.url, START, { input: W(input) }, admin);
    expect(started.errors).toBeUndefined();
    expect(started.data!.startBacktest.kind).toBe('BACKTEST');
    const id = started.data!.startBacktest.id as string;
    const done = await waitFor(async () => {
      const r = await post(app.url, JOB, { id }, admin);
      return r.data?.backtest.status === 'SUCCEEDED' && r.data.backtest;
    }, 30_000);
    const got = asCore(done.result);
    // The hand values of backtest-simulate.test.ts: one short from bar 57 to bar 67, receiving the 0.01 % settlement at bar 64.
    expect(got.trades).toHaveLength(1);
    const t = got.trades[0]!;
    expect([t.side, t.entryTime, t.entryPrice, t.exitReason, t.exitTime]).toEqual(['SHORT', candles[57]!.openTime, candles[57]!.open, 'TIME', candles[67]!.openTime]);
    expect(t.funding).toBeCloseTo(t.quantity * candles[64]!.open * 0.0001, 10);
    const spec: BacktestSpec = { strategy: 'FUNDING_EXTREME', params: { fundingWindow: 5, holdBars: 10, stopAtr: null }, costs: { feeBps: 0, slippageBps: 0 }, initialEquity: 10_000, positionFraction: 1, warmUpBars: 0, candles: candles.slice(0, 100), funding };
    const core = runBacktestSpec(spec);
    expect(got, 'the job result is the pure core result of the same bars').toEqual({ ...core, warmUpBars: 0 });
    expect(done.progressPct).toBe(100);
    expect(done.attempts).toBe(1);
  });

  it('streams backtestProgress over graphql-ws: percent and ETA while it runs, then the final state, then completes', async () => {
    const input = { ...base, strategy: 'STRUCTURE', params: { historyBars: 120 }, from: T0 + 200 * H, to: T0 + 4_200 * H, warmUpBars: 100 };
    const started = await post(app.url, START, { input: W(input) }, admin);
    const id = started.data!.startBacktest.id as string;
    const client = createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${admin}` } });
    try {
      const events = await new Promise<any[]>((resolve, reject) => {
        const got: any[] = [];
        const timer = setTimeout(() => reject(new Error(`no completion after ${got.length} events`)), 60_000);
        client.subscribe(
          { query: 'subscription($id: ID!) { backtestProgress(id: $id) { id status progressPct done total etaMs at } }', variables: { id } },
          {
            next: (r) => (r.errors ? reject(new Error(JSON.stringify(r.errors))) : got.push(r.data!.backtestProgress)),
            error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
            complete: () => {
              clearTimeout(timer);
              resolve(got);
            },
          },
        );
      });
      expect(events.at(-1)).toMatchObject({ id, status: 'SUCCEEDED', progressPct: 100 });
      const running = events.filter((e) => e.status === 'RUNNING' && e.done !== null);
      expect(running.length, 'progress reports while running').toBeGreaterThan(0);
      for (const e of running) {
        expect(e.total, 'bars simulated: 4000').toBe(4_000);
        expect(e.progressPct).toBeCloseTo((100 * e.done) / e.total, 1);
        expect(e.etaMs).toBeGreaterThanOrEqual(0);
      }
      const pcts = running.map((e) => e.progressPct);
      expect(pcts, 'percent only grows').toEqual([...pcts].sort((a, b) => a - b));
    } finally {
      await client.dispose();
    }
    const done = await post(app.url, JOB, { id }, admin);
    const core = runBacktestSpec({ strategy: 'STRUCTURE', params: { historyBars: 120 }, costs: { feeBps: 4, slippageBps: 2 }, initialEquity: 10_000, positionFraction: 1, warmUpBars: 100, candles: candles.slice(100, 4_200), funding: [] });
    expect(asCore(done.data!.backtest.result)).toEqual({ ...core, warmUpBars: 100 });
  }, 90_000);

  it('cancels a running job: CANCELLED and listed with its input; NOT_FOUND for an unknown job', async () => {
    const started = await post(app.url, START, { input: W({ ...base, strategy: 'TRAP', params: { historyBars: 200 }, from: T0 + 200 * H, to: T0 + 8_000 * H }) }, admin);
    const id = started.data!.startBacktest.id as string;
    await waitFor(async () => (await post(app.url, JOB, { id }, admin)).data?.backtest.status === 'RUNNING', 20_000);
    const cancelled = await post(app.url, 'mutation($id: ID!) { cancelBacktest(id: $id) { id status finishedAt } }', { id }, admin);
    expect(cancelled.data!.cancelBacktest).toMatchObject({ id, status: 'CANCELLED' });
    await new Promise((r) => setTimeout(r, 300));
    const after = await post(app.url, JOB, { id }, admin);
    expect(after.data!.backtest).toMatchObject({ status: 'CANCELLED', result: null });
    const missing = await post(app.url, 'mutation { cancelBacktest(id: "00000000-0000-0000-0000-000000000000") { id } }', {}, admin);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const list = await post(app.url, '{ backtests(first: 10) { id status strategy symbol interval from to dataSource } }', {}, admin);
    expect(list.data!.backtests.find((j: any) => j.id === id)).toEqual({ id, status: 'CANCELLED', strategy: 'TRAP', symbol: 'BTCUSDT', interval: 'I1H', from: iso(T0 + 200 * H), to: iso(T0 + 8_000 * H), dataSource: 'ARCHIVE' });
  }, 60_000);

  it('optimizes with walk-forward windows: the same report as the pure optimizer on the same bars', async () => {
    const input = { ...base, strategy: 'STRUCTURE', params: { historyBars: 120 }, from: T0 + 200 * H, to: T0 + 1_200 * H, warmUpBars: 100 };
    const optimization = { method: 'GRID', ranges: [{ parameter: 'STOP_ATR', min: 1, max: 3, step: 1 }], objective: 'TOTAL_RETURN', windows: 2, inSampleFraction: 0.6 };
    const started = await post(app.url, 'mutation($input: BacktestInput!, $o: OptimizationInput!) { startOptimization(input: $input, optimization: $o) { id kind } }', { input: W(input), o: optimization }, admin);
    expect(started.errors).toBeUndefined();
    const id = started.data!.startOptimization.id as string;
    const q = `query($id: ID!) { backtest(id: $id) { status error optimization { method objective candidates meanInSampleScore meanOutOfSampleScore degradation efficiency bestScore bestParameters { parameter value }
      windows { index inSampleFrom inSampleTo outOfSampleFrom outOfSampleTo inSampleScore outOfSampleScore degradation bestParameters { parameter value } } } } }`;
    const done = await waitFor(async () => {
      const r = await post(app.url, q, { id }, admin);
      return ['SUCCEEDED', 'FAILED'].includes(r.data?.backtest.status) && r.data!.backtest;
    }, 60_000);
    expect(done.error).toBeNull();
    const bars = candles.slice(100, 1_200);
    const core = runOptimizationSpec({
      backtest: { strategy: 'STRUCTURE', params: { historyBars: 120 }, costs: { feeBps: 4, slippageBps: 2 }, initialEquity: 10_000, positionFraction: 1, warmUpBars: 100, candles: bars, funding: [] },
      settings: { method: 'GRID', ranges: [{ name: 'stopAtr', min: 1, max: 3, step: 1 }], objective: 'TOTAL_RETURN', samples: 20, seed: 1, windows: 2, inSampleFraction: 0.6 },
    });
    const o = done.optimization;
    expect([o.candidates, o.meanInSampleScore, o.meanOutOfSampleScore, o.degradation, o.bestScore]).toEqual([3, core.meanInSampleScore, core.meanOutOfSampleScore, core.degradation, core.bestScore]);
    expect(o.bestParameters).toEqual([{ parameter: 'STOP_ATR', value: core.bestParams.stopAtr }]);
    // 1000 bars, 2 folds at 0.6: b = floor(1000 / (2 + 1.5)) = 285, a = 430.
    expect(o.windows.map((w: any) => [w.inSampleFrom, w.inSampleTo, w.outOfSampleFrom, w.outOfSampleTo])).toEqual([
      [iso(T0 + 200 * H), iso(T0 + 630 * H), iso(T0 + 630 * H), iso(T0 + 915 * H)],
      [iso(T0 + 485 * H), iso(T0 + 915 * H), iso(T0 + 915 * H), iso(T0 + 1_200 * H)],
    ]);
    expect(o.windows.map((w: any) => [w.inSampleScore, w.outOfSampleScore, w.degradation, w.bestParameters[0].value])).toEqual(
      core.windows.map((w) => [w.inSampleScore, w.outOfSampleScore, w.degradation, w.bestParams.stopAtr]),
    );
  }, 90_000);

  it.skipIf(!existsSync(`${REPLAY_ROOT}/binance-futures/klines/BTCUSDT-1h.freqtrade.json`))('backtests a recording of ../shared/data through the replay readers', async () => {
    const recording = 'binance-futures/klines/BTCUSDT-1h.freqtrade.json';
    const probe = await post(app.url, START, { input: W({ ...base, strategy: 'TRAP', data: { source: 'REPLAY', recording }, from: Date.UTC(2020, 0, 1), to: Date.UTC(2020, 0, 5) }) }, admin);
    expect(probe.errors?.[0]?.extensions?.code, 'a range before the recording').toBe('NOT_READY');
    const input = { strategy: 'TRAP' as const, params: { historyBars: 200 }, symbol: 'BTCUSDT', interval: '1h' as const, data: { source: 'REPLAY' as const, recording }, feeBps: 4, slippageBps: 2, funding: true, initialEquity: 10_000, positionFraction: 1, warmUpBars: 300 };
    // 20 days after the first 300 bars of the recording (838 bars, 2025-09-19 .. 2025-10-23).
    const all = await loadBacktestSpec({ ...input, from: 0, to: Date.UTC(2100, 0, 1), warmUpBars: 0 }, { sql: null as never, replayRoot: REPLAY_ROOT });
    const from = all.candles[300]!.openTime;
    const to = from + 20 * 24 * H;
    const started = await post(app.url, START, { input: W({ ...input, interval: 'I1H', from, to }) }, admin);
    expect(started.errors).toBeUndefined();
    const id = started.data!.startBacktest.id as string;
    const done = await waitFor(async () => {
      const r = await post(app.url, JOB, { id }, admin);
      return ['SUCCEEDED', 'FAILED'].includes(r.data?.backtest.status) && r.data!.backtest;
    }, 60_000);
    expect(done.error).toBeNull();
    const bars = all.candles.filter((c) => c.openTime < to);
    const core = runBacktestSpec({ strategy: 'TRAP', params: { historyBars: 200 }, costs: { feeBps: 4, slippageBps: 2 }, initialEquity: 10_000, positionFraction: 1, warmUpBars: 300, candles: bars, funding: [] });
    expect(asCore(done.result)).toEqual({ ...core, warmUpBars: 300 });
    expect(done.result.bars).toBe(480);
  }, 90_000);

  it('picks a job interrupted by a restart up again (in-process queue over the persisted table)', async () => {
    const input = { ...base, strategy: 'TRAP', params: { historyBars: 200 }, from: T0 + 200 * H, to: T0 + 6_200 * H, warmUpBars: 100 };
    const started = await post(app.url, START, { input: W(input) }, admin);
    const id = started.data!.startBacktest.id as string;
    await waitFor(async () => {
      const r = await post(app.url, JOB, { id }, admin);
      return r.data?.backtest.status === 'RUNNING' && r.data.backtest.progressPct > 0;
    }, 20_000);
    await app.stop();
    app = await startTestApp(env());
    const done = await waitFor(async () => {
      const r = await post(app.url, JOB, { id }, admin);
      return ['SUCCEEDED', 'FAILED'].includes(r.data?.backtest.status) && r.data!.backtest;
    }, 60_000);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempts, 'one run before the restart, one after').toBe(2);
    const core = runBacktestSpec({ strategy: 'TRAP', params: { historyBars: 200 }, costs: { feeBps: 4, slippageBps: 2 }, initialEquity: 10_000, positionFraction: 1, warmUpBars: 100, candles: candles.slice(100, 6_200), funding: [] });
    expect(asCore(done.result)).toEqual({ ...core, warmUpBars: 100 });
  }, 120_000);
});
