import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import { createArchiveRepository, type ArchiveStore } from '../../src/db/archive-repository.js';
import { createMarketArchive } from '../../src/engine/market-archive.js';
import { createMarketStore, DEFAULT_STORE_LIMITS } from '../../src/engine/market-store.js';
import { parseArchiveRetention } from '../../src/domain/retention.js';
import type { Candle, MarketEvent } from '../../src/domain/market.js';
import { startFakeVenues, type FakeVenues } from '../support/fake-venues.js';
import { gql, isolatedDatabase, SHARED_DATABASE_URL, startTestApp, tempDir, testEnv, waitFor, type TestApp } from '../support/harness.js';
import { createCuttableProxy } from '../support/cuttable-proxy.js';

/**
 * The market-data archive on the real database (PGlite, or Postgres when DATABASE_URL is set): rows written
 * in batches and read back per series; a restart restores the store from it and asks the (fake) venue only
 * for the gap; retention by type; a database outage buffers rows and writes them when it answers.
 */

const MIN = 60_000;
const candle = (symbol: string, interval: Candle['interval'], openTime: number, close: number, ms = MIN): Candle => ({
  symbol,
  interval,
  openTime,
  closeTime: openTime + ms - 1,
  open: close - 1,
  high: close + 2,
  low: close - 3,
  close,
  volume: 10,
  quoteVolume: 10 * close,
  takerBuyVolume: 4,
  trades: 7,
  closed: true,
});

describe('archive repository and restore (embedded or real database)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
  let db: Database;
  let repo: ArchiveStore;
  beforeAll(async () => {
    dir = await tempDir();
    isolated = await isolatedDatabase();
    db = await createDatabase({ dataDir: dir.path, ...(isolated.url ? { url: isolated.url } : {}) });
    repo = createArchiveRepository(db);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await isolated?.drop();
    await dir?.remove();
  });

  it('writes candles (a re-sent bar replaces the archived one, also within one batch) and records (once), and reads the newest per series oldest first', async () => {
    const t0 = Date.UTC(2026, 11, 7, 10, 0);
    const rows = [
      { table: 'candle' as const, row: { venue: 'v', source: 'LIVE', candle: candle('BTCUSDT', '1m', t0, 100) } },
      { table: 'candle' as const, row: { venue: 'v', source: 'LIVE', candle: candle('BTCUSDT', '1m', t0 + MIN, 101) } },
      { table: 'candle' as const, row: { venue: 'v', source: 'LIVE', candle: candle('BTCUSDT', '1m', t0 + MIN, 111) } },
      { table: 'candle' as const, row: { venue: 'v', source: 'LIVE', candle: candle('BTCUSDT', '1m', t0 + 2 * MIN, 102) } },
      { table: 'candle' as const, row: { venue: 'other', source: 'LIVE', candle: candle('BTCUSDT', '1m', t0 + 3 * MIN, 999) } },
      { table: 'record' as const, row: { venue: 'v', source: 'LIVE', type: 'longShortRatio', symbol: 'BTCUSDT', series: 'GLOBAL_ACCOUNTS:5m', time: t0, key: '', payload: { r: 1 } } },
      { table: 'record' as const, row: { venue: 'v', source: 'LIVE', type: 'longShortRatio', symbol: 'BTCUSDT', series: 'GLOBAL_ACCOUNTS:5m', time: t0 + 5 * MIN, key: '', payload: { r: 2 } } },
      { table: 'record' as const, row: { venue: 'v', source: 'LIVE', type: 'longShortRatio', symbol: 'BTCUSDT', series: 'TOP_ACCOUNTS:5m', time: t0 + 5 * MIN, key: '', payload: { r: 3 } } },
    ];
    await repo.insertMany(rows);
    // The same batch again (a retried flush) changes nothing; a corrected bar replaces the archived one.
    await repo.insertMany(rows);
    await repo.insertMany([{ table: 'candle', row: { venue: 'v', source: 'LIVE', candle: candle('BTCUSDT', '1m', t0 + 2 * MIN, 120) } }]);
    const candles = await repo.candles({ venue: 'v', source: 'LIVE', symbol: 'BTCUSDT', interval: '1m', limit: 2 });
    expect(candles.map((c) => [c.openTime - t0, c.close])).toEqual([
      [MIN, 111],
      [2 * MIN, 120],
    ]);
    expect(candles[0]).toMatchObject({ closeTime: t0 + 2 * MIN - 1, open: 110, high: 113, low: 108, volume: 10, quoteVolume: 1110, takerBuyVolume: 4, trades: 7, closed: true });
    const ratios = await repo.records({ venue: 'v', source: 'LIVE', type: 'longShortRatio', symbol: 'BTCUSDT', limit: 1 });
    expect(ratios.map((r) => [r.series, r.time - t0, r.payload])).toEqual([
      ['GLOBAL_ACCOUNTS:5m', 5 * MIN, { r: 2 }],
      ['TOP_ACCOUNTS:5m', 5 * MIN, { r: 3 }],
    ]);
    const stats = await repo.stats();
    expect(stats.find((s) => s.type === 'candle:1m')).toMatchObject({ rows: 4, oldest: t0, newest: t0 + 3 * MIN });
    expect(stats.find((s) => s.type === 'longShortRatio')).toMatchObject({ rows: 3 });
    expect(stats.every((s) => s.bytes > 0)).toBe(true);
  });

  it('taps events (closed candles only, marks sampled per minute, large trades only), restores them into a store and says where to resume; a series the venue cannot fill is left out', async () => {
    const now = Date.UTC(2026, 11, 7, 12, 0);
    const archive = createMarketArchive({
      store: repo,
      venue: 'tap',
      origin: 'LIVE',
      flushEveryMs: 60_000,
      maxBuffered: 1_000,
      sampleMs: MIN,
      optionsSampleMs: 15 * MIN,
      tradeMinUsd: 100_000,
      fillable: { candleBars: 1_000, statRows: 500, fundingRows: 1_000 },
      retention: parseArchiveRetention('default=forever'),
      pruneEveryMs: 60_000,
      now: () => now,
    });
    const events: MarketEvent[] = [];
    for (let i = 0; i < 30; i += 1) events.push({ type: 'candle', candle: candle('ETHUSDT', '1m', now - (30 - i) * MIN, 3000 + i) });
    events.push({ type: 'candle', candle: { ...candle('ETHUSDT', '1m', now, 3100), closed: false } });
    // A 1d series whose newest bar is 1 200 days old: more than the 1 000 bars the venue fills.
    events.push({ type: 'candle', candle: candle('ETHUSDT', '1d', now - 1_200 * 86_400_000, 50, 86_400_000) });
    for (let s = 0; s < 150; s += 1) {
      events.push({ type: 'markPrice', mark: { symbol: 'ETHUSDT', markPrice: 3000 + s, indexPrice: 2999 + s, predictedFundingRate: 0.0001, nextFundingTime: now + 3_600_000, time: now - 150_000 + s * 1_000 } });
    }
    events.push({ type: 'trade', trade: { symbol: 'ETHUSDT', id: 1, price: 3000, qty: 10, time: now - 1_000, side: 'BUY' } });
    events.push({ type: 'trade', trade: { symbol: 'ETHUSDT', id: 2, price: 3000, qty: 40, time: now - 900, side: 'SELL' } });
    events.push({ type: 'funding', funding: { symbol: 'ETHUSDT', rate: 0.0001, fundingTime: now - 4 * 3_600_000, markPrice: 3000 } });
    events.push({ type: 'liquidation', liquidation: { symbol: 'ETHUSDT', side: 'SELL', liquidatedSide: 'LONG', price: 2990, averagePrice: 2991, qty: 2, notional: 5982, time: now - 5_000, complete: true } });
    events.push({ type: 'fearGreed', fearGreed: { value: 40, classification: 'Fear', time: now - 86_400_000 }, history: [{ value: 55, classification: 'Greed', time: now - 2 * 86_400_000 }] });
    // Stats cover the whole archive (the first test's rows too): counted as growth.
    const before = await archive.refreshStats();
    for (const e of events) archive.record(e);
    await archive.flush();
    const types = await archive.refreshStats();
    const rowsOf = (list: typeof types, type: string) => list.filter((t) => t.type === type).reduce((s, t) => s + t.rows, 0);
    const count = (type: string) => rowsOf(types, type) - rowsOf(before, type);
    expect(count('candle:1m'), '30 closed 1m bars, the forming one not').toBe(30);
    expect(count('markPrice'), '150 s of marks in 3 minute slots').toBe(3);
    expect(count('trade'), 'only the 120 000 USD trade').toBe(1);
    expect(count('fearGreed')).toBe(2);

    const store = createMarketStore(['ETHUSDT']);
    const restored = await archive.restore(['ETHUSDT'], (e) => store.apply(e), DEFAULT_STORE_LIMITS);
    const m = store.get('ETHUSDT')!;
    expect(m.candles.get('1m')!.toArray().map((c) => c.close)).toEqual(Array.from({ length: 30 }, (_, i) => 3000 + i));
    expect(m.candles.get('1d'), 'a 1 200-day gap is not restored').toBeUndefined();
    expect(restored.skipped).toBe(1);
    expect(m.funding.toArray()).toHaveLength(1);
    expect(m.liquidations.toArray()[0]).toMatchObject({ averagePrice: 2991, qty: 2 });
    // Slots start at now-150 s (s=0), now-120 s (s=30) and now-60 s (s=90): the first mark of the newest slot.
    expect(m.mark?.markPrice, 'the newest sampled mark').toBe(3090);
    expect(m.trades.toArray(), 'trades are archived, never restored as the recent tape').toHaveLength(0);
    expect(store.global().fearGreed.toArray().map((f) => f.value)).toEqual([55, 40]);
    expect(restored.resume.candle('ETHUSDT', '1m')).toBe(now - MIN);
    expect(restored.resume.candle('ETHUSDT', '1d')).toBeUndefined();
    expect(restored.resume.funding('ETHUSDT')).toBe(now - 4 * 3_600_000);
    await archive.stop();
  });

  it('deletes rows older than their type retention (candle:<interval>, candle, a record type, default)', async () => {
    const now = Date.UTC(2026, 11, 7, 12, 0);
    const day = 86_400_000;
    await repo.insertMany([
      { table: 'candle', row: { venue: 'ret', source: 'LIVE', candle: candle('SOLUSDT', '1m', now - 10 * day, 1) } },
      { table: 'candle', row: { venue: 'ret', source: 'LIVE', candle: candle('SOLUSDT', '1m', now - 1 * day, 2) } },
      { table: 'candle', row: { venue: 'ret', source: 'LIVE', candle: candle('SOLUSDT', '1h', now - 10 * day, 3, 3_600_000) } },
      { table: 'record', row: { venue: 'ret', source: 'LIVE', type: 'markPrice', symbol: 'SOLUSDT', series: '', time: now - 3 * day, key: '', payload: {} } },
      { table: 'record', row: { venue: 'ret', source: 'LIVE', type: 'funding', symbol: 'SOLUSDT', series: '', time: now - 40 * day, key: '', payload: {} } },
    ]);
    const archive = createMarketArchive({
      store: repo,
      venue: 'ret',
      origin: 'LIVE',
      flushEveryMs: 60_000,
      maxBuffered: 10,
      sampleMs: MIN,
      optionsSampleMs: MIN,
      tradeMinUsd: 1,
      fillable: { candleBars: 1_000, statRows: 500, fundingRows: 1_000 },
      retention: parseArchiveRetention('candle:1m=7d,candle=forever,markPrice=2d,default=30d'),
      pruneEveryMs: 60_000,
      pruneChunkRows: 1,
      now: () => now,
    });
    await archive.prune();
    const left = async (venue: string) => [
      ...(await repo.candles({ venue, source: 'LIVE', symbol: 'SOLUSDT', interval: '1m', limit: 10 })).map((c) => `1m:${c.close}`),
      ...(await repo.candles({ venue, source: 'LIVE', symbol: 'SOLUSDT', interval: '1h', limit: 10 })).map((c) => `1h:${c.close}`),
      ...(await repo.records({ venue, source: 'LIVE', type: 'markPrice', symbol: 'SOLUSDT', limit: 10 })).map(() => 'mark'),
      ...(await repo.records({ venue, source: 'LIVE', type: 'funding', symbol: 'SOLUSDT', limit: 10 })).map(() => 'funding'),
    ];
    expect(await left('ret')).toEqual(['1m:2', '1h:3']);
    expect(archive.stats().pruned).toBeGreaterThanOrEqual(3);
    await archive.stop();
  });
});

describe('a restart with the archive (fake Binance and the other fake venues)', () => {
  let venues: FakeVenues;
  const apps: TestApp[] = [];
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.stop().catch(() => undefined);
    await venues?.close();
  });

  it('restores the store from the archive, serves it at once, and asks the venue only for the candles and settlements after it', async () => {
    const dir = await tempDir();
    const isolated = await isolatedDatabase();
    try {
      venues = await startFakeVenues({ symbols: ['BTCUSDT'] });
      const env = testEnv({ ...venues.env, DATA_DIR: dir.path, DATABASE_URL: isolated.url, REDIS_URL: undefined, SYMBOLS: 'BTCUSDT', ARCHIVE_FLUSH_MS: '200', ARCHIVE_PRUNE_EVERY_MS: '1000' });
      const first = await startTestApp(env);
      apps.push(first);
      const HEALTH = '{ health { archive { written buffered dropped types { type rows } } } }';
      type Health = { health: { archive: { written: number; buffered: number; dropped: number; types: Array<{ type: string; rows: number }> | null } | null } };
      const archived = await waitFor(async () => {
        const h = (await gql<Health>(first.url, HEALTH)).data?.health.archive;
        return h?.types?.some((t) => t.type === 'candle:1h' && t.rows >= 200) && h.types.some((t) => t.type === 'funding') ? h : undefined;
      }, 30_000, 200);
      expect(archived.dropped).toBe(0);
      const before = (await gql<{ market: { data: { candles: Array<{ openTime: string; close: number }> } } }>(first.url, '{ market(symbol: "BTCUSDT") { data { candles(interval: I1H, limit: 200) { openTime close } } } }')).data!.market.data.candles;
      expect(before.length).toBe(200);
      await first.stop();
      apps.pop();

      const seen = venues.binance.requests.length;
      const second = await startTestApp(env);
      apps.push(second);
      const after = await waitFor(async () => {
        const c = (await gql<{ market: { data: { candles: Array<{ openTime: string; close: number }> } } }>(second.url, '{ market(symbol: "BTCUSDT") { data { candles(interval: I1H, limit: 200) { openTime close } } } }')).data?.market.data.candles;
        return c && c.length === 200 ? c : undefined;
      }, 20_000, 100);
      // The archived bars are the same bars (same open times and closes) the first run held.
      const closes = new Map(before.map((c) => [c.openTime, c.close]));
      const common = after.filter((c) => closes.has(c.openTime));
      expect(common.length).toBeGreaterThan(190);
      for (const c of common) expect(c.close).toBe(closes.get(c.openTime));
      // The second start's backfill asked for what followed the archive, not the default 201-bar window.
      const klines = venues.binance.requests.slice(seen).filter((r) => r.path === '/fapi/v1/klines' && r.query.symbol === 'BTCUSDT');
      const h1 = klines.filter((r) => r.query.interval === '1h');
      expect(h1.length, JSON.stringify(klines.map((r) => r.query))).toBeGreaterThan(0);
      expect(h1.every((r) => r.query.startTime !== undefined), 'every 1h klines request starts after the archive').toBe(true);
      const newestArchived = Math.max(...before.map((c) => Date.parse(c.openTime)));
      expect(Number(h1[0]!.query.startTime)).toBeGreaterThan(newestArchived);
      const funding = venues.binance.requests.slice(seen).filter((r) => r.path === '/fapi/v1/fundingRate' && r.query.symbol === 'BTCUSDT');
      expect(funding[0]?.query.startTime, 'funding resumes after the archived settlements').toBeDefined();
      const health = (await gql<Health>(second.url, HEALTH)).data!.health.archive!;
      expect(health).toMatchObject({ dropped: 0 });
    } finally {
      while (apps.length > 0) await apps.pop()!.stop().catch(() => undefined);
      await isolated.drop();
      await dir.remove();
    }
  }, 120_000);
});

describe.skipIf(!SHARED_DATABASE_URL)('an archive through a database outage (real Postgres behind a proxy that can cut it)', () => {
  it('buffers rows while Postgres is unreachable, drops and counts the oldest beyond ARCHIVE_BUFFER_MAX, and writes the rest in order when it answers', async () => {
    const isolated = await isolatedDatabase();
    const target = new URL(isolated.url!);
    const proxy = createCuttableProxy(target.hostname, Number(target.port || 5432));
    let db: Database | undefined;
    try {
      const port = await proxy.open();
      const url = new URL(isolated.url!);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      db = await createDatabase({ url: url.toString(), dataDir: '/tmp', connectTimeoutMs: 1_000 });
      const repo = createArchiveRepository(db);
      const now = Date.UTC(2026, 11, 7, 12, 0);
      const archive = createMarketArchive({
        store: repo,
        venue: 'outage',
        origin: 'LIVE',
        flushEveryMs: 60_000,
        maxBuffered: 5,
        sampleMs: MIN,
        optionsSampleMs: MIN,
        tradeMinUsd: 1,
        fillable: { candleBars: 1_000, statRows: 500, fundingRows: 1_000 },
        retention: parseArchiveRetention('default=forever'),
        pruneEveryMs: 60_000,
        now: () => now,
      });
      await proxy.cut();
      for (let i = 0; i < 8; i += 1) archive.record({ type: 'candle', candle: candle('BTCUSDT', '1m', now - (8 - i) * MIN, 100 + i) });
      await archive.flush();
      expect(archive.stats()).toMatchObject({ buffered: 5, written: 0, dropped: 3, failing: true });
      await proxy.open(port);
      const final = await archive.stop();
      expect(final).toMatchObject({ buffered: 0, written: 5, dropped: 3 });
      const rows = await repo.candles({ venue: 'outage', source: 'LIVE', symbol: 'BTCUSDT', interval: '1m', limit: 10 });
      expect(rows.map((c) => c.close), 'the newest five, in order').toEqual([103, 104, 105, 106, 107]);
    } finally {
      await db?.close();
      await proxy.close();
      await isolated.drop();
    }
  }, 60_000);
});
