import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, isolatedDatabase, startTestApp, tempDir, testEnv, uniqueName, SHARED_REDIS_URL, type TestApp } from '../support/harness.js';
import { startMain, stopAllProcesses, type Started } from '../support/process.js';
import { collectEvents } from '../support/ws.js';

/**
 * Two server instances sharing Redis: A ingests and analyses (ROLE=all), B only serves (ROLE=api).
 * Whatever B's subscribers receive was computed by A and crossed Redis.
 */
describe.skipIf(!SHARED_REDIS_URL)('two instances sharing Redis', () => {
  let a: TestApp;
  let b: TestApp;
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = [];
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;

  beforeAll(async () => {
    db = await isolatedDatabase();
    const prefix = `${uniqueName('fanout')}:`;
    for (let i = 0; i < 2; i += 1) dirs.push(await tempDir());
    a = await startTestApp(testEnv({ DATA_DIR: dirs[0]!.path, DATABASE_URL: db.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: prefix, SIM_SEED: '7' }));
    b = await startTestApp(testEnv({ DATA_DIR: dirs[1]!.path, DATABASE_URL: db.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: prefix, ROLE: 'api' }));
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await db?.drop();
    for (const dir of dirs) await dir.remove();
  });

  it("delivers A's funding updates to B's graphql-ws subscribers", async () => {
    const client = createClient({ url: b.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    type Event = { fundingUpdated: { rate: number; meta: { source: string; venue: string } } };
    const events = (await collectEvents<Event>(client, 'subscription { fundingUpdated(symbol: "BTCUSDT") { rate meta { source venue } } }', {}, 2, 10_000)).map(
      (e) => e.fundingUpdated,
    );
    await client.dispose();
    expect(events[0]!.meta.source).toBe('SIMULATED');
    expect(events[0]!.meta.venue).toBe('simulated');
  });

  it('answers queries on B from the results A shares, with the same numbers', async () => {
    const query = '{ market(symbol: "ETHUSDT") { price funding { rate lastFundingTime meta { source } } } health { role marketSource { origin } } }';
    type R = { market: { price: number; funding: { rate: number; lastFundingTime: string; meta: { source: string } } }; health: { role: string; marketSource: { origin: string | null } } };
    const fromB = await gql<R>(b.url, query);
    const fromA = await gql<R>(a.url, query);
    expect(fromB.errors, JSON.stringify(fromB.errors)).toBeUndefined();
    expect(fromB.data!.health.role).toBe('api');
    expect(fromB.data!.health.marketSource.origin, 'B runs no source of its own').toBeNull();
    expect(fromB.data!.market.funding.meta.source).toBe('SIMULATED');
    expect(fromB.data!.market.funding.lastFundingTime, 'same settlement as A').toBe(fromA.data!.market.funding.lastFundingTime);
    expect(fromB.data!.market.funding.rate).toBe(fromA.data!.market.funding.rate);
  });
});

/** The same with two operating-system processes started as users start them (`src/main.ts`). */
describe.skipIf(!SHARED_REDIS_URL)('two server processes sharing Redis', () => {
  let a: Started;
  let b: Started;
  const dirs: Array<Awaited<ReturnType<typeof tempDir>>> = [];
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;

  beforeAll(async () => {
    db = await isolatedDatabase();
    for (let i = 0; i < 2; i += 1) dirs.push(await tempDir());
    const shared = { HOST: '127.0.0.1', PORT: '0', DATABASE_URL: db.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: `${uniqueName('procs')}:`, ANALYSIS_MIN_INTERVAL_MS: '300' };
    [a, b] = await Promise.all([
      startMain({ ...shared, DATA_DIR: dirs[0]!.path, MARKET_SOURCE: 'simulated', SIM_TICK_MS: '100' }),
      startMain({ ...shared, DATA_DIR: dirs[1]!.path, ROLE: 'api' }),
    ]);
  }, 60_000);
  afterAll(async () => {
    for (const p of [b, a]) {
      if (!p) continue;
      p.child.kill('SIGTERM');
      await p.exit;
    }
    // Also the one that started when the other failed (Promise.all rejected before assigning either).
    await stopAllProcesses();
    await db?.drop();
    for (const dir of dirs) await dir.remove();
  });

  it("delivers process A's updates to process B's graphql-ws subscribers", async () => {
    const client = createClient({ url: `ws://127.0.0.1:${b.port}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    type Event = { fundingUpdated: { symbol: string; meta: { source: string } } };
    const events = (await collectEvents<Event>(client, 'subscription { fundingUpdated(symbol: "ETHUSDT") { symbol meta { source } } }', {}, 2, 20_000)).map(
      (e) => e.fundingUpdated,
    );
    await client.dispose();
    expect(events.map((e) => e.symbol)).toEqual(['ETHUSDT', 'ETHUSDT']);
    expect(events[0]!.meta.source, 'computed by A, which runs the simulated market').toBe('SIMULATED');
    const health = await gql<{ health: { role: string; marketSource: { origin: string | null } } }>(`http://127.0.0.1:${b.port}/graphql`, '{ health { role marketSource { origin } } }');
    expect(health.data!.health, 'B ingests nothing itself').toEqual({ role: 'api', marketSource: { origin: null } });
  }, 40_000);
});
