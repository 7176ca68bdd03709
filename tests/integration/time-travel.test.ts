import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startIsolatedTestApp, tempDir, waitFor, type IsolatedTestApp } from '../support/harness.js';
import { createSimulatedSource } from '../../src/datasources/simulated/simulated-source.js';
import { createDatabase, type Database } from '../../src/db/database.js';
import { createArchiveRepository } from '../../src/db/archive-repository.js';
import { createMarketArchive, type MarketArchive } from '../../src/engine/market-archive.js';
import { createTimeTravel, TimeTravelRangeError, type TimeTravel } from '../../src/engine/time-travel.js';
import { createOnDemandScheduler } from '../../src/engine/on-demand.js';
import { createOnDemandPool, type OnDemandPool } from '../../src/engine/on-demand-pool.js';
import { ANALYSES, DERIVED_ANALYSES, MARKET_ANALYSES } from '../../src/engine/analyses.js';
import { DEFAULT_STORE_LIMITS } from '../../src/engine/market-store.js';
import { parseArchiveRetention } from '../../src/domain/retention.js';
import type { AnalysisKind } from '../../src/domain/analysis.js';
import type { MarketEvent } from '../../src/domain/market.js';
import { print } from 'graphql';
import { MarketAtDocument, MarketsAtDocument, type MarketAtQuery, type MarketsAtQuery } from '../../generated/graphql/graphql.js';

/**
 * Time travel (README "Time travel"): `market(symbol, at)` recomputes every analysis from the archive as it
 * was at `at`. Checked against what the live engine produced (its snapshots), for no look-ahead (an archive
 * holding hours after `at` answers exactly like one that stops at `at`), and for out-of-range instants.
 */

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
const HOUR = 3_600_000;

/**
 * Kinds whose inputs the archive holds exactly as the live store held them: closed candles, published
 * statistics, options chains. The others read the bar still open, ticks, the latest mark or spot prices,
 * which the archive keeps only as closed bars or one sample a minute (README "Time travel"): key levels,
 * sessions, heatmap, basis, cascades, confirmation, scenarios, emergency and sentiment differ by those.
 */
const EXACT: Array<[AnalysisKind, string]> = [
  ['MARKET_STRUCTURE', 'BTCUSDT'],
  ['OPEN_INTEREST', 'BTCUSDT'],
  ['LONG_SHORT', 'BTCUSDT'],
  ['VOLUME', 'BTCUSDT'],
  ['VOLUME_PROFILE', 'BTCUSDT'],
  ['TRAPS', 'ETHUSDT'],
  ['VOLATILITY', 'BTCUSDT'],
  ['REGIME', 'SOLUSDT'],
  ['FORECAST', 'BTCUSDT'],
  ['CORRELATION', 'ALL'],
  ['OPTIONS_FLOW', 'BTC'],
];

describe('market(at) against the live engine (server on the simulated market, archived)', () => {
  let t: IsolatedTestApp;
  beforeAll(async () => {
    // No ticks during the test: the live store holds the backfill, which the archive holds too.
    const source = createSimulatedSource({ seed: 11, tickMs: 3_600_000, symbols: SYMBOLS });
    t = await startIsolatedTestApp({ ARCHIVE_ORIGINS: 'SIMULATED', ARCHIVE_FLUSH_MS: '100', SNAPSHOT_EVERY_MS: '1', TIME_TRAVEL_CACHE_TTL_MS: '600000' }, source);
    const kinds = [...EXACT, ['FUNDING', 'BTCUSDT']] as const;
    await waitFor(async () => {
      for (const [kind, key] of kinds) if ((await t.app.services.snapshots.query({ kind, symbol: key, limit: 1 })).length === 0) return false;
      return true;
    }, 60_000, 250);
  }, 120_000);
  afterAll(async () => {
    await t?.teardown();
  });

  it('recomputes each analysis equal to the snapshot the live engine wrote (closed-bar kinds at any later instant, funding at its own instant)', async () => {
    const T = Date.now();
    const view = (await t.app.services.pointInTime!(T, SYMBOLS))!;
    for (const [kind, key] of EXACT) {
      const [row] = await t.app.services.snapshots.query({ kind, symbol: key, limit: 1 });
      const record = await view.latest(kind, key);
      expect(record, `${kind} ${key} at T`).toBeDefined();
      // The live asOf may be the start of the bar still open (close of the last closed one + 1 ms).
      expect(row!.asOf - record!.asOf, `${kind} asOf`).toBeGreaterThanOrEqual(0);
      expect(row!.asOf - record!.asOf, `${kind} asOf`).toBeLessThanOrEqual(1);
      expect(record!.asOf).toBeLessThanOrEqual(T);
      expect(record!.source).toBe('SIMULATED');
      expect(JSON.stringify(record!.result), `${kind} ${key}: recomputed equals the snapshot`).toBe(JSON.stringify(row!.payload));
    }
    // Funding counts down to the next settlement: equal at the instant the live engine computed it.
    const [funding] = await t.app.services.snapshots.query({ kind: 'FUNDING', symbol: 'BTCUSDT', limit: 1 });
    const f = funding!.payload as { nextFundingTime: number; timeToNextFundingMs: number };
    const atFunding = await (await t.app.services.pointInTime!(f.nextFundingTime - f.timeToNextFundingMs, SYMBOLS))!.latest('FUNDING', 'BTCUSDT');
    expect(JSON.stringify(atFunding!.result), 'funding at its own instant').toBe(JSON.stringify(funding!.payload));
  }, 120_000);

  it('serves market(at) and markets(at) through GraphQL: the stored result, meta.asOf ≤ at, the archived origin; inputs the archive lacks read null with a reason', async () => {
    const at = new Date(Date.now()).toISOString();
    type Structure = { trend: string; score: number; bars: number; close: number | null; meta: { asOf: string; source: string } };
    const history = await gql<{ analysisHistory: { edges: Array<{ node: Structure }> } }>(
      t.url,
      '{ analysisHistory(kind: MARKET_STRUCTURE, symbol: "BTCUSDT", first: 1) { edges { node { ... on MarketStructure { trend score bars close meta { asOf source } } } } } }',
    );
    const stored = history.data!.analysisHistory.edges[0]!.node;
    const past = await gql<{ market: { symbol: string; price: number; structure: Structure; meta: { asOf: string; source: string }; data: { candles: Array<{ closeTime: string }> } } }>(
      t.url,
      'query ($at: DateTime) { market(symbol: "btcusdt", at: $at) { symbol price meta { asOf source } structure { trend score bars close meta { asOf source } } data { candles(interval: I1M, limit: 5) { closeTime } } } }',
      { at },
    );
    expect(past.errors).toBeUndefined();
    const m = past.data!.market;
    const { meta: storedMeta, ...storedFields } = stored;
    const { meta: pastMeta, ...pastFields } = m.structure;
    expect(pastFields).toEqual(storedFields);
    expect(pastMeta.source).toBe(storedMeta.source);
    expect(Date.parse(storedMeta.asOf) - Date.parse(pastMeta.asOf)).toBeLessThanOrEqual(1);
    expect(Date.parse(m.meta.asOf)).toBeLessThanOrEqual(Date.parse(at));
    expect(m.meta.source).toBe('SIMULATED');
    // Raw inputs as they were: closed bars only (the live store also holds the bar still open).
    expect(m.data.candles.every((c) => Date.parse(c.closeTime) <= Date.parse(at))).toBe(true);

    const list = await gql<{ markets: Array<{ symbol: string; regime: { meta: { asOf: string } } | null }> }>(
      t.url,
      `{ markets(symbols: ["ETHUSDT", "SOLUSDT"], at: "${at}") { symbol regime { meta { asOf } } } }`,
    );
    expect(list.errors).toBeUndefined();
    expect(list.data!.markets.map((x) => x.symbol)).toEqual(['ETHUSDT', 'SOLUSDT']);
    for (const x of list.data!.markets) expect(Date.parse(x.regime!.meta.asOf)).toBeLessThanOrEqual(Date.parse(at));

    // Whale trades are archived only above ARCHIVE_TRADE_MIN_USD and the simulated backfill has no trades: NOT_READY with the reason.
    const whales = await gql<{ market: { whales: unknown } }>(t.url, `{ market(symbol: "BTCUSDT", at: "${at}") { whales { symbol } } }`);
    expect(whales.data!.market.whales).toBeNull();
    expect(whales.errors![0]!.extensions!.code).toBe('NOT_READY');
    expect(whales.errors![0]!.message).toMatch(/archive does not hold enough SIMULATED data of BTCUSDT/);
  }, 120_000);

  it('answers the example documents (examples/time-travel.graphql), non-default arguments included, from the same point-in-time store', async () => {
    const at = new Date(Date.now() - 1_000).toISOString();
    const one = await gql<MarketAtQuery>(t.url, print(MarketAtDocument), { symbol: 'BTCUSDT', at });
    const market = one.data!.market!;
    expect(market.structure!.meta.source).toBe('SIMULATED');
    expect(Date.parse(market.structure15m!.meta.asOf)).toBeLessThanOrEqual(Date.parse(at));
    expect(Date.parse(market.confirmation!.meta.asOf)).toBeLessThanOrEqual(Date.parse(at));
    // The 15m structure at `at` is the live engine's 15m computation on the same closed bars.
    const live15m = await t.app.services.latestWith('MARKET_STRUCTURE', 'BTCUSDT', { interval: '15m' });
    expect(market.structure15m!.trend).toBe((live15m!.result as { trend: string }).trend);
    expect(market.structure15m!.score).toBe((live15m!.result as { score: number }).score);
    // Only fields whose inputs the archive lacks carry errors (none of these).
    expect(one.errors, JSON.stringify(one.errors)).toBeUndefined();
    const list = await gql<MarketsAtQuery>(t.url, print(MarketsAtDocument), { symbols: ['SOLUSDT', 'BTCUSDT'], at });
    expect(list.data!.markets.map((m) => m.symbol)).toEqual(['SOLUSDT', 'BTCUSDT']);
    expect(list.data!.markets[1]!.price, 'the last closed 1m bar before at').toBe(market.price);
  }, 120_000);

  it('refuses an at in the future or before the archive reaches back (BAD_USER_INPUT saying how far it does), and costs a restore per market', async () => {
    const future = await gql(t.url, `{ market(symbol: "BTCUSDT", at: "${new Date(Date.now() + HOUR).toISOString()}") { symbol } }`);
    expect(future.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(future.errors![0]!.message).toMatch(/is in the future/);
    const early = await gql(t.url, '{ market(symbol: "BTCUSDT", at: "2020-01-01T00:00:00Z") { symbol } }');
    expect(early.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(early.errors![0]!.message).toMatch(/before the archive of BTCUSDT, which reaches back to \d{4}-\d\d-\d\dT/);
    expect(early.errors![0]!.extensions!.reachesBackTo).toMatch(/^\d{4}-/);
    // Thirty aliases, each at another instant: refused before any restore runs.
    const aliases = Array.from({ length: 30 }, (_, i) => `m${i}: market(symbol: "BTCUSDT", at: "${new Date(Date.now() - (i + 1) * 60_000).toISOString()}") { regime { primaryRegime } }`);
    const flood = await gql(t.url, `{ ${aliases.join(' ')} }`);
    expect(flood.errors![0]!.extensions!.code).toBe('COST_LIMIT_EXCEEDED');
  }, 60_000);
});

/** The time of an event (candles: their close), for archiving only what was known by an instant. */
function eventTime(event: MarketEvent): number {
  switch (event.type) {
    case 'candle':
      return event.candle.closed ? event.candle.closeTime : Number.POSITIVE_INFINITY;
    case 'funding':
      return event.funding.fundingTime;
    case 'markPrice':
      return event.mark.time;
    case 'openInterest':
      return event.openInterest.time;
    case 'longShortRatio':
      return event.ratio.time;
    case 'takerVolume':
      return event.volume.time;
    case 'basis':
      return event.basis.time;
    case 'liquidation':
      return event.liquidation.time;
    case 'trade':
      return event.trade.time;
    case 'optionsChain':
      return event.chain.time;
    case 'fearGreed':
      return event.fearGreed.time;
    case 'globalMarket':
      return event.global.time;
    default:
      return Number.POSITIVE_INFINITY;
  }
}

describe('no look-ahead (archive + time travel on their own databases)', () => {
  const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
  const T = NOW - 3 * HOUR - 17 * 60_000;
  const dbs: Array<{ db: Database; dir: { remove(): Promise<void> } }> = [];
  let full: { archive: MarketArchive; travel: TimeTravel };
  let cut: { archive: MarketArchive; travel: TimeTravel };

  async function archiveOf(events: readonly MarketEvent[]): Promise<{ archive: MarketArchive; travel: TimeTravel }> {
    const dir = await tempDir();
    const db = await createDatabase({ dataDir: dir.path });
    dbs.push({ db, dir });
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
    for (const event of events) archive.record(event);
    await archive.flush();
    return { archive, travel: travelOver(archive) };
  }

  function travelOver(archive: MarketArchive, pool?: OnDemandPool): TimeTravel {
    return createTimeTravel({
      archive,
      ...(pool ? { pool } : {}),
      origin: 'SIMULATED',
      venue: 'simulated',
      definitions: ANALYSES,
      marketDefinitions: MARKET_ANALYSES,
      derivedDefinitions: DERIVED_ANALYSES,
      settings: { fundingHistoryWindow: 30, fundingIntervalHours: () => 8 },
      onDemand: createOnDemandScheduler({ maxQueued: 256, budgetMs: 600_000 }),
      limits: DEFAULT_STORE_LIMITS,
      minIntervalMs: 200,
      staleAfterMs: 30_000,
      maxEntries: 4,
      ttlMs: 600_000,
      now: () => NOW,
      flushWindowMs: 0,
    });
  }

  beforeAll(async () => {
    const source = createSimulatedSource({ seed: 5, tickMs: 3_600_000, symbols: ['BTCUSDT', 'ETHUSDT'], now: () => NOW });
    const events: MarketEvent[] = [];
    await source.start(['BTCUSDT', 'ETHUSDT'], (event) => events.push(event));
    await source.stop();
    full = await archiveOf(events);
    // The same feed, cut at T: what an archive held at that instant.
    cut = await archiveOf(
      events
        .filter((e) => eventTime(e) <= T)
        .map((e) => (e.type === 'fearGreed' ? { ...e, history: (e.history ?? []).filter((h) => h.time <= T) } : e)),
    );
  }, 180_000);
  afterAll(async () => {
    for (const { db, dir } of dbs) {
      await db.close();
      await dir.remove();
    }
  });

  it('answers at T from an archive holding three more hours exactly as from one that ends at T, and differently later', async () => {
    const symbols = ['BTCUSDT', 'ETHUSDT'];
    const [withFuture, withoutFuture, later] = await Promise.all([full.travel.view(T, symbols), cut.travel.view(T, symbols), full.travel.view(NOW - 60_000, symbols)]);
    const kinds: Array<[AnalysisKind, string]> = [
      ['MARKET_STRUCTURE', 'BTCUSDT'],
      ['KEY_LEVELS', 'BTCUSDT'],
      ['FUNDING', 'ETHUSDT'],
      ['VOLATILITY', 'ETHUSDT'],
      ['TRAPS', 'BTCUSDT'],
      ['SESSIONS', 'BTCUSDT'],
      ['CONFIRMATION', 'BTCUSDT'],
      ['SCENARIOS', 'BTCUSDT'],
      ['CORRELATION', 'ALL'],
    ];
    let differing = 0;
    for (const [kind, key] of kinds) {
      const a = await withFuture.latest(kind, key);
      const b = await withoutFuture.latest(kind, key);
      expect(a, `${kind} computed at T`).toBeDefined();
      expect(a!.asOf, `${kind} asOf ≤ T`).toBeLessThanOrEqual(T);
      expect(JSON.stringify(a!.result), `${kind} ${key}: data after T changes nothing at T`).toBe(JSON.stringify(b!.result));
      const c = await later.latest(kind, key);
      if (JSON.stringify(c?.result) !== JSON.stringify(a!.result)) differing += 1;
    }
    expect(differing, 'three hours later the answers move (the comparison can fail)').toBeGreaterThanOrEqual(kinds.length - 1);
    for (const symbol of symbols) {
      const market = withFuture.store.get(symbol)!;
      for (const [, buffer] of market.candles) expect(buffer.toArray().every((c) => c.closed && c.closeTime <= T)).toBe(true);
    }
  }, 180_000);

  it('non-default arguments work at T and see no data after it', async () => {
    const params = { interval: '15m' };
    const a = await (await full.travel.view(T, ['BTCUSDT'])).latestWith('MARKET_STRUCTURE', 'BTCUSDT', params);
    const b = await (await cut.travel.view(T, ['BTCUSDT'])).latestWith('MARKET_STRUCTURE', 'BTCUSDT', params);
    expect(a!.asOf).toBeLessThanOrEqual(T);
    expect((a!.result as { interval: string }).interval).toBe('15m');
    expect(JSON.stringify(a!.result)).toBe(JSON.stringify(b!.result));
  }, 120_000);

  it('computes the offloaded kinds in the worker pool on a replica of the point-in-time store, with the same results', async () => {
    const symbols = ['BTCUSDT', 'ETHUSDT'];
    // Workers hold a live replica of other symbols: the point-in-time one is built from the restored events.
    const pool = createOnDemandPool({ workers: 1, symbols: ['SOLUSDT'] });
    try {
      const pooled = travelOver(full.archive, pool);
      const main = travelOver(full.archive);
      const [a, b] = await Promise.all([pooled.view(T, symbols), main.view(T, symbols)]);
      expect(pool.stats().replicas, 'one replica per cached view').toBe(1);
      const kinds: Array<[AnalysisKind, string]> = [
        ['FORECAST', 'BTCUSDT'],
        ['MARKET_STRUCTURE', 'BTCUSDT'],
        ['CONFIRMATION', 'BTCUSDT'],
        ['SCENARIOS', 'BTCUSDT'],
      ];
      for (const [kind, key] of kinds) {
        const x = await a.latest(kind, key);
        const y = await b.latest(kind, key);
        expect(x, `${kind} computed at T`).toBeDefined();
        expect(JSON.stringify(x), `${kind} ${key}: the same record from the worker as from the main thread`).toBe(JSON.stringify(y));
      }
      // FORECAST (the heaviest, ≈ 0.6 s at the default limits) and the confirmation's offloaded dependencies.
      expect(pool.stats().computed, 'the offloaded kinds ran in the worker').toBeGreaterThanOrEqual(1);
      const params = { interval: '15m' };
      const px = await a.latestWith('MARKET_STRUCTURE', 'BTCUSDT', params);
      const py = await b.latestWith('MARKET_STRUCTURE', 'BTCUSDT', params);
      expect(JSON.stringify(px), 'non-default arguments: the same from the worker').toBe(JSON.stringify(py));
    } finally {
      await pool.stop();
    }
  }, 180_000);

  it('rejects instants out of range with TimeTravelRangeError', async () => {
    await expect(full.travel.view(NOW + 1, ['BTCUSDT'])).rejects.toBeInstanceOf(TimeTravelRangeError);
    await expect(full.travel.view(Date.UTC(2020, 0, 1), ['BTCUSDT'])).rejects.toThrow(/reaches back to/);
  });
});
