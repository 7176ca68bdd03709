import type { AnalysisKind } from './domain/analysis.js';
import type { Config } from './config.js';
import type { AppServices } from './context.js';
import { createDatabase, type Database } from './db/database.js';
import { createSnapshotRepository } from './db/snapshot-repository.js';
import { createSnapshotPruner, type SnapshotPruner } from './db/snapshot-retention.js';
import type { MarketEvent, SymbolInfo } from './domain/market.js';
import { createBinanceSource, probeBinance } from './datasources/binance/binance-source.js';
import { BYBIT_VENUE, createBybitSource } from './datasources/bybit/bybit-source.js';
import { OKX_VENUE, createOkxSource } from './datasources/okx/okx-source.js';
import type { MarketDataSource, ResumePoints, SourceStatus, VenueHealth, VenueReporting } from './datasources/market-data-source.js';
import { createSimulatedVenueVariant } from './datasources/simulated/venue-variant.js';
import { createVenueMarkets, type VenueFeed, type VenueMarkets } from './engine/venue-markets.js';
import { perpVenueOfSetting, type PerpVenue } from './domain/venue.js';
import { createSimulatedSource } from './datasources/simulated/simulated-source.js';
import { createLiveSource } from './datasources/live-source.js';
import { createSupervisedSource, SymbolsNotListedError, type SupervisedSource } from './datasources/supervised-source.js';
import { DataOrigins } from './domain/market.js';
import { createDeribitSource } from './datasources/deribit/deribit-source.js';
import { createFearGreedSource } from './datasources/alternative-me/fng-source.js';
import { createCoinGeckoSource } from './datasources/coingecko/coingecko-source.js';
import { createMacroSource } from './datasources/macro/macro-source.js';
import { loadMacroEvents } from './datasources/macro/macro-events.js';
import { defaultMacroEvents } from './datasources/macro/macro-events-default.js';
import { createReplaySource, parseReplayDirs, replayPerpetualSymbols, type ReplaySource } from './datasources/replay/index.js';
import { ANALYSES, DERIVED_ANALYSES, MARKET_ANALYSES } from './engine/analyses.js';
import { createAnalysisEngine, type AnalysisEngine } from './engine/analysis-engine.js';
import { createLiquidationEvents, type LiquidationEvents } from './engine/liquidation-events.js';
import { createTrapEvents } from './engine/trap-events.js';
import { createVolatilityEvents } from './engine/volatility-events.js';
import { createTradeEvents, type TradeEvents } from './engine/trade-events.js';
import { createMarketStore, DEFAULT_STORE_LIMITS, type MarketStore } from './engine/market-store.js';
import { createMarketArchive, type MarketArchive } from './engine/market-archive.js';
import { createArchiveRepository } from './db/archive-repository.js';
import { createResultCache, type ResultCache } from './engine/result-cache.js';
import { createSnapshotWriter, type SnapshotWriter } from './engine/snapshot-writer.js';
import { createEventLoopMonitor, type EventLoopMonitor } from './event-loop.js';
import { createStateClock, describeFailure, type ComponentHealth, type HealthReport } from './health.js';
import type { Logger } from './logger.js';
import { createAppPubSub, type AppPubSub } from './pubsub.js';
import { createHttpServer, type HttpServer } from './server.js';
import { createDashboardHandler } from './http/dashboard.js';
import type { MultiplexerStats } from './subscriptions/multiplexer.js';
import { createOnDemandScheduler } from './engine/on-demand.js';
import { createTimeTravel, type PointInTime, type TimeTravel } from './engine/time-travel.js';
import { createOnDemandPool, type OnDemandPool, type OnDemandPoolStats } from './engine/on-demand-pool.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { createAlerting, type Alerting } from './alerts/alerting.js';
import { checkSealedRules } from './alerts/secrets.js';
import { createAlertEvaluator, type AlertEvaluator } from './alerts/evaluator.js';
import { createRuleStore, type RuleStore } from './alerts/rule-store.js';
import { sealChannel } from './alerts/channels.js';
import { createDigestScheduler } from './alerts/digest-scheduler.js';
import { MAX_DIGEST_SYMBOLS } from './alerts/digest.js';
import { roundAnalysisPrices } from './resolvers/prices.js';
import { metaOf } from './resolvers/shared.js';
import type { Resolver } from './alerts/safe-http.js';
import { observabilityFor, startTracing } from './observability/index.js';
import type { Tracing } from './observability/tracing.js';
import { Redis } from 'ioredis';
import { createApiKeyStore, type ApiKeyRecord, type ApiKeyStore } from './auth/key-store.js';
import { createAuthenticator } from './auth/authenticator.js';
import { badInput } from './errors.js';
import { createRateLimiter } from './http/rate-limit.js';
import { existsSync } from 'node:fs';
import { createBacktestJobs, type BacktestJobs } from './jobs/backtest-jobs.js';
import { createBacktestJobStore } from './jobs/backtest-store.js';
import { createMemoryQueue, createPgBossQueue } from './jobs/job-queue.js';
import { fileURLToPath } from 'node:url';

export const VERSION = '0.1.0';

export interface AppDeps {
  config: Config;
  logger: Logger;
  /** Overrides source selection (tests inject a source wired to a fake venue or a fake clock). */
  source?: MarketDataSource;
  now?: () => number;
  /** DNS resolution of alert webhook hosts (tests inject one to map names to chosen addresses). */
  alertResolver?: Resolver;
}

export interface App {
  /** Resolves with the bound port (pass 0 for a free one). */
  start(port?: number): Promise<number>;
  stop(): Promise<void>;
  readonly services: AppServices;
  /** Multiplexed subscription counters per transport (graphql-ws, SSE); undefined before start. */
  subscriptionStats(): { ws: MultiplexerStats; sse: MultiplexerStats } | undefined;
  /** The on-demand worker pool's counters; undefined when ONDEMAND_WORKERS=0, before start and after stop. */
  onDemandStats(): OnDemandPoolStats | undefined;
  /**
   * This app's Prometheus metrics (its own registry). Components built here that count something on their
   * own path take the piece they need, e.g. the alerts outbox `metrics.alertDeliveries`.
   */
  readonly metrics: Metrics;
}

/**
 * Picks the market source. An explicit MARKET_SOURCE is obeyed; a live venue unreachable at start is
 * retried with back-off (the server starts and reports not ready meanwhile), only invalid configuration
 * stops the start. With none, live Binance is tried and the simulated market is served as a flagged
 * fallback (`fallback: true`) while the live venue is probed again every LIVE_PROBE_MS.
 */
/** The perpetual venue MARKET_SOURCE names (Binance when unset), or `venue` (a MARKET_VENUES entry). */
function perpetualVenue(config: Config, logger: Logger, venue: 'binance' | 'bybit' | 'okx' | undefined = config.MARKET_SOURCE === 'bybit' || config.MARKET_SOURCE === 'okx' ? config.MARKET_SOURCE : 'binance'): MarketDataSource {
  if (venue === 'bybit')
    return createBybitSource({ restUrl: config.BYBIT_REST_URL, streamUrl: config.BYBIT_STREAM_URL, logger: logger.child({ venue: BYBIT_VENUE }) });
  if (venue === 'okx')
    return createOkxSource({ restUrl: config.OKX_REST_URL, streamUrl: config.OKX_STREAM_URL, logger: logger.child({ venue: OKX_VENUE }) });
  return createBinanceSource({
    fapiUrl: config.BINANCE_FAPI_URL,
    spotUrl: config.BINANCE_SPOT_URL,
    streamUrl: config.BINANCE_FSTREAM_URL,
    orderBook: config.BINANCE_ORDER_BOOK ? { snapshotLimit: config.BINANCE_DEPTH_LIMIT } : false,
    logger: logger.child({ venue: 'binance-usdm' }),
  });
}

/**
 * The primary perpetual venue as the API names it: MARKET_SOURCE's, Binance when unset or simulated (the
 * simulated market is the BINANCE venue); null for a replay (one recorded venue, no cross-venue views).
 */
function primaryVenueOf(config: Config): PerpVenue | null {
  if (config.MARKET_SOURCE === 'replay') return null;
  return config.MARKET_SOURCE === 'bybit' ? 'BYBIT' : config.MARKET_SOURCE === 'okx' ? 'OKX' : 'BINANCE';
}

/** Why a source cannot deliver now (its state and last error); null while it is OK. */
function downReason(status: SourceStatus): string | null {
  if (status.state === 'OK') return null;
  return status.lastError ? `${status.state}: ${status.lastError}` : status.state;
}

/** A MARKET_VENUES venue other than the primary: its store, and its own source when live. */
interface SecondaryVenue {
  feed: VenueFeed;
  source: SupervisedSource | null;
  /** For a simulated venue: the primary's events mapped to it. */
  tee: ((event: MarketEvent) => void) | null;
}

function liveSource(config: Config, logger: Logger, onListed: (listed: readonly SymbolInfo[]) => void): MarketDataSource {
  return createSupervisedSource({
    create: () =>
      createLiveSource({
        primary: perpetualVenue(config, logger),
        marketWide: [
          createDeribitSource({ baseUrl: config.DERIBIT_URL, logger: logger.child({ venue: 'deribit' }) }),
          createFearGreedSource({ baseUrl: config.FNG_URL, logger: logger.child({ venue: 'alternative.me' }) }),
          createCoinGeckoSource({ baseUrl: config.COINGECKO_URL, logger: logger.child({ venue: 'coingecko' }) }),
        ],
        logger,
      }),
    retry: true,
    initialDelayMs: config.VENUE_RETRY_MS,
    maxDelayMs: config.VENUE_RETRY_MAX_MS,
    onListed,
    logger: logger.child({ component: 'market-source' }),
  });
}

async function chooseSource(
  config: Config,
  logger: Logger,
  onListed: (listed: readonly SymbolInfo[]) => void,
): Promise<{ source: MarketDataSource; fallback: boolean }> {
  if (config.MARKET_SOURCE === 'simulated') return { source: simulatedSource(config), fallback: false };
  if (config.MARKET_SOURCE === 'replay') {
    const source = createReplaySource({
      dir: parseReplayDirs(config.REPLAY_DIR ?? ''),
      speed: config.REPLAY_SPEED,
      loop: config.REPLAY_LOOP,
      ...(config.REPLAY_START === undefined ? {} : { startAt: config.REPLAY_START }),
      logger: logger.child({ venue: 'replay' }),
    });
    return { source, fallback: false };
  }
  if (config.MARKET_SOURCE === 'binance' || config.MARKET_SOURCE === 'bybit' || config.MARKET_SOURCE === 'okx')
    return { source: liveSource(config, logger, onListed), fallback: false };
  if (await probeBinance(config.BINANCE_FAPI_URL, 3_000)) {
    logger.info({ url: config.BINANCE_FAPI_URL }, 'live Binance reachable: serving LIVE data');
    return { source: liveSource(config, logger, onListed), fallback: false };
  }
  logger.warn(
    { url: config.BINANCE_FAPI_URL, probeEveryMs: config.LIVE_PROBE_MS },
    '*** Binance is unreachable and MARKET_SOURCE is unset: falling back to the SIMULATED market. Every result is flagged source=SIMULATED; Binance is probed again and serving switches to LIVE when it answers. ***',
  );
  return { source: simulatedSource(config), fallback: true };
}

/**
 * The simulated backfill's worker thread, when this module runs from the build (dist/main.js, next to
 * dist/history-worker.js). Under tsx or vitest (src/) there is none and the backfill is generated in-thread.
 */
const HISTORY_WORKER = new URL('./history-worker.js', import.meta.url);
const historyWorker = existsSync(fileURLToPath(HISTORY_WORKER)) ? { url: HISTORY_WORKER } : undefined;

/** The build's initialised, migrated embedded database (dist/pglite-template), copied on a first start. */
const PGLITE_TEMPLATE = fileURLToPath(new URL('./pglite-template', import.meta.url));
const pgliteTemplate = existsSync(`${PGLITE_TEMPLATE}/pglite/PG_VERSION`) ? PGLITE_TEMPLATE : undefined;

/**
 * The built dashboard: dist/web next to dist/main.js when running the build, ../dist/web from src/ under
 * tsx or vitest.
 */
const BUILT_DASHBOARD = [new URL('./web', import.meta.url), new URL('../dist/web', import.meta.url)].map((u) => fileURLToPath(u));
const defaultDashboardDir = () => BUILT_DASHBOARD.find((dir) => existsSync(`${dir}/index.html`)) ?? BUILT_DASHBOARD[import.meta.url.includes('/src/') ? 1 : 0]!;

const simulatedSource = (config: Config) =>
  createSimulatedSource({ seed: config.SIM_SEED, tickMs: config.SIM_TICK_MS, symbols: config.SYMBOLS, ...(historyWorker ? { historyWorker } : {}) });

const isSupervised = (source: MarketDataSource): source is SupervisedSource => typeof (source as Partial<SupervisedSource>).attempts === 'function';
const isReplay = (source: MarketDataSource): source is ReplaySource => typeof (source as Partial<ReplaySource>).progress === 'function';

/** Venue health of a source: its own per-venue report when it has one, else one line from its status. */
function venuesOf(source: MarketDataSource): VenueHealth[] {
  if ('venues' in source && typeof (source as Partial<VenueReporting>).venues === 'function') return (source as unknown as VenueReporting).venues();
  const status = source.status();
  return [
    {
      venue: source.venue,
      state: status.state === 'OK' ? 'OK' : status.state === 'DOWN' || status.state === 'STOPPED' ? 'DOWN' : 'DEGRADED',
      blockedUntil: null,
      usedWeight: null,
      weightBudget: null,
      lastError: status.lastError,
      lastSuccessAt: status.lastEventAt,
      reconnects: 0,
    },
  ];
}

/** Which venue publishes each market-wide input when live; a single-venue source publishes them all. */
function globalVenues(source: MarketDataSource): Partial<Record<string, string>> {
  return source.origin === 'LIVE' ? { fearGreed: 'alternative.me', globalMarket: 'coingecko' } : {};
}

type Probe = Omit<ComponentHealth, 'since'>;

/** How often the components are sampled for their `since` (ms); a health read samples them too. */
const HEALTH_SAMPLE_MS = 5_000;
/** Snapshot rows per INSERT on the embedded database (see the writer in `start`). */
const PGLITE_SNAPSHOT_BATCH = 8;

async function timed(kind: string, check: () => Promise<void>): Promise<Probe> {
  const started = performance.now();
  try {
    await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2000 ms')), 2_000).unref())]);
    return { status: 'OK', kind, latencyMs: Math.round((performance.now() - started) * 100) / 100, error: null };
  } catch (error) {
    return { status: 'DOWN', kind, latencyMs: null, error: describeFailure(error) };
  }
}

/** Composition root: builds every piece from config, in dependency order, and tears them down in reverse. */
/**
 * A replay with SYMBOLS unset serves the perpetuals its recordings hold (the built-in default
 * BTCUSDT,ETHUSDT,SOLUSDT would stop the start whenever a recording lacks one of them). An explicit
 * SYMBOLS is kept as given and still checked against the recordings at start.
 */
export function withReplaySymbols(config: Config, env: Record<string, string | undefined>): Config {
  if (config.MARKET_SOURCE !== 'replay' || (env.SYMBOLS ?? '') !== '' || !config.REPLAY_DIR) return config;
  let symbols: string[];
  try {
    symbols = replayPerpetualSymbols(parseReplayDirs(config.REPLAY_DIR));
  } catch {
    return config; // an unreadable REPLAY_DIR is reported by the replay source itself at start
  }
  return symbols.length > 0 ? { ...config, SYMBOLS: symbols } : config;
}

export function createApp(deps: AppDeps): App {
  const { config, logger } = deps;
  const wallClock = deps.now ?? Date.now;
  const startedAt = wallClock();
  /**
   * Market time. A replay has its own clock (the data time it has reached), so ages, staleness and
   * "time to next funding" are measured against it rather than against today.
   */
  const now = () => (source && isReplay(source) ? replayClock(source) : wallClock());
  /**
   * Once a replay has ended its data time stops, but market time goes on at the replay's speed (1× when it
   * ran as fast as possible): the last values age and turn stale instead of reading "0 ms old" forever.
   */
  // --- Macro (README "Macro") ---
  const macroSource = createMacroSource({
    fredApiKey: config.FRED_API_KEY ?? null,
    fredBaseUrl: config.FRED_URL,
    fredSeries: config.FRED_SERIES,
    csvDir: config.MACRO_CSV_DIR ?? null,
    logger: logger.child({ venue: 'fred' }),
    now: wallClock,
  });
  /** The default calendar until MACRO_EVENTS_URL has been read at start. */
  const macroEvents = { events: (config.MACRO_EVENTS_DEFAULT ? defaultMacroEvents() : []) as readonly import('./domain/macro.js').MacroEvent[], error: null as string | null };

  let replayEndedAt: number | null = null;
  function replayClock(replay: ReplaySource): number {
    const progress = replay.progress();
    if (!progress.done) {
      replayEndedAt = null;
      return progress.dataTime;
    }
    replayEndedAt ??= wallClock();
    return progress.dataTime + (wallClock() - replayEndedAt) * (config.REPLAY_SPEED > 0 ? config.REPLAY_SPEED : 1);
  }

  let db: Database | undefined;
  let eventLoop: EventLoopMonitor | undefined;
  let pubsub: AppPubSub | undefined;
  let cacheRedis: Redis | undefined;
  let source: MarketDataSource | undefined;
  let store: MarketStore | undefined;
  let engine: AnalysisEngine | undefined;
  let venueMarkets: VenueMarkets | undefined;
  let secondaries: SecondaryVenue[] = [];
  let onDemandPool: OnDemandPool | undefined;
  let liquidationEvents: LiquidationEvents | undefined;
  let tradeEvents: TradeEvents | undefined;
  let writer: SnapshotWriter | undefined;
  let archive: MarketArchive | undefined;
  /** Stored rules this instance's ALERTS_SECRET_KEY cannot open, read at start (null before the check). */
  let alertKeyCheck: { rules: number; unreadable: string[]; checkedAt: number } | null = null;
  let timeTravel: TimeTravel | undefined;
  let pruner: SnapshotPruner | undefined;
  let alerting: Alerting | undefined;
  let ruleStore: RuleStore | undefined;
  let evaluator: AlertEvaluator | undefined;
  let backtests: BacktestJobs | undefined;
  let http: HttpServer | undefined;
  let cache: ResultCache | undefined;
  let symbolInfos: SymbolInfo[] = config.SYMBOLS.map((symbol) => ({
    symbol,
    baseAsset: symbol.replace(/USDT$|USDC$|BUSD$/, ''),
    quoteAsset: symbol.match(/(USDT|USDC|BUSD)$/)?.[1] ?? 'USDT',
    contractType: 'PERPETUAL',
    status: 'TRADING',
    tickSize: 0,
    stepSize: 0,
    fundingIntervalHours: 8,
  }));
  const known = new Set(config.SYMBOLS);

  const stateClock = createStateClock();
  const metrics = createMetrics({ version: VERSION });
  let tracing: Tracing | undefined;
  // Read at scrape time only (see src/observability/metrics.ts); each getter follows the current component.
  metrics.watch({
    now: () => now(),
    engine: () => engine,
    subscriptions: () => http?.subscriptionSample(),
    venues: () => allVenues(),
    snapshots: () => writer?.stats(),
    archive: () => archive?.stats(),
    responseCache: () => http?.responseCacheStats(),
    pubsub: () => (pubsub ? { counts: pubsub.counts(), stats: pubsub.stats() } : undefined),
    eventLoop: () => eventLoop?.health(),
  });

  function archiveHealth(): HealthReport['archive'] {
    const a = archive?.stats();
    if (!a) return null;
    const failure = a.lastError ?? a.lastPruneError;
    return { ...a, lastError: failure === null ? null : describeFailure(failure) };
  }

  async function health(): Promise<HealthReport> {
    const [dbProbe, busProbe] = await Promise.all([
      db ? timed(db.kind, () => db!.ping()) : Promise.resolve<Probe>({ status: 'DOWN', kind: 'none', latencyMs: null, error: 'not started' }),
      pubsub ? timed(pubsub.kind, () => pubsub!.ping()) : Promise.resolve<Probe>({ status: 'DOWN', kind: 'none', latencyMs: null, error: 'not started' }),
    ]);
    const now = wallClock();
    const database: ComponentHealth = { ...dbProbe, since: stateClock.observe('database', dbProbe.status, now) };
    const busStats = pubsub?.stats() ?? { publishFailures: 0, lastFailureAt: null };
    const bus: HealthReport['pubsub'] = {
      ...busProbe,
      since: stateClock.observe('pubsub', busProbe.status, now),
      publishFailures: busStats.publishFailures,
      lastPublishFailureAt: busStats.lastFailureAt,
    };
    const status = source?.status();
    const sourceHealth: HealthReport['marketSource'] = source
      ? {
          status: status?.state === 'OK' ? 'OK' : status?.state === 'DEGRADED' || status?.state === 'STARTING' ? 'DEGRADED' : 'DOWN',
          origin: source.origin,
          venue: source.venue,
          state: status?.state ?? null,
          lastEventAt: status?.lastEventAt ?? null,
          lastError: status?.lastError ?? null,
          fallback: fallbackSince !== null,
          since: stateClock.observe('source', `${source.origin}:${status?.state ?? 'none'}`, now),
        }
      : { status: config.ROLE === 'api' ? 'OK' : 'DOWN', origin: null, venue: null, state: null, lastEventAt: null, lastError: null, fallback: false, since: stateClock.observe('source', 'none', now) };
    // Serving the simulated fallback is degraded service: ready (it answers), not OK.
    if (sourceHealth.fallback && sourceHealth.status === 'OK') sourceHealth.status = 'DEGRADED';
    const snapshots = writer?.stats() ?? { buffered: 0, written: 0, dropped: 0, failedFlushes: 0, lastError: null, failing: false };
    const ready = database.status === 'OK' && bus.status === 'OK' && sourceHealth.status !== 'DOWN';
    // Rows waiting for the next batch are normal; a failing store is not.
    const keyMismatch = (alertKeyCheck?.unreadable.length ?? 0) > 0;
    const degraded = sourceHealth.status === 'DEGRADED' || snapshots.failing === true || archive?.stats().failing === true || keyMismatch;
    return {
      status: !ready ? 'DOWN' : degraded ? 'DEGRADED' : 'OK',
      ready,
      version: VERSION,
      role: config.ROLE,
      uptimeMs: wallClock() - startedAt,
      database,
      pubsub: bus,
      marketSource: sourceHealth,
      snapshots: { ...snapshots, lastError: snapshots.lastError === null ? null : describeFailure(snapshots.lastError) },
      archive: archiveHealth(),
      alerts: alertKeyCheck && {
        rules: alertKeyCheck.rules,
        unreadableRules: alertKeyCheck.unreadable.length,
        secretKeyMatches: alertKeyCheck.rules === 0 ? null : !keyMismatch,
        checkedAt: alertKeyCheck.checkedAt,
      },
      eventLoop: eventLoop?.health() ?? { p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0, windowMs: 0 },
      venues: allVenues().map((v) => ({ ...v, since: stateClock.observe(`venue:${v.venue}`, v.state, now) })),
    };
  }

  /** Health of the primary source's venues, then of each MARKET_VENUES venue with a source of its own, then FRED once a key is set (README "Macro"). */
  function allVenues(): VenueHealth[] {
    const fred = macroSource.health();
    const macro = fred ? [fred] : [];
    if (!source) return macro;
    return [...venuesOf(source), ...secondaries.flatMap((s) => (s.source ? venuesOf(s.source) : [])), ...macro];
  }

  const services: AppServices = {
    symbols: () => symbolInfos,
    hasSymbol: (symbol) => known.has(symbol),
    async latest(kind, symbol) {
      return (await cache?.get(kind, symbol)) ?? engine?.computeNow(kind, symbol);
    },
    latestWith: async (kind, symbol, params) => engine?.computeWithParams(kind, symbol, params),
    async ticker(symbol) {
      const m = store?.get(symbol);
      if (m && m.lastPrice !== null && source) {
        return {
          symbol,
          price: m.lastPrice,
          markPrice: m.mark?.markPrice ?? null,
          indexPrice: m.mark?.indexPrice ?? null,
          // The price's own time (its trade, else its candle), not the newest event of any kind.
          asOf: m.lastTradeAt ?? m.updatedAtByType.get('candle') ?? m.updatedAt ?? 0,
          source: source.origin,
          venue: source.venue,
        };
      }
      return cache?.getTicker(symbol);
    },
    marketData(symbol) {
      const market = store?.get(symbol);
      return market && source ? { market, origin: source.origin, venue: source.venue } : undefined;
    },
    globalData() {
      if (!store || !source) return undefined;
      const venues = globalVenues(source);
      return { global: store.global(), origin: source.origin, venueFor: (type) => venues[type as keyof typeof venues] ?? source!.venue };
    },
    venues: () => allVenues(),
    get venueMarkets() {
      return venueMarkets;
    },
    get snapshots() {
      if (!db) throw new Error('database not started');
      return repository;
    },
    health,
    get pubsub() {
      if (!pubsub) throw new Error('pub/sub not started');
      return pubsub.pubsub;
    },
    staleAfterMs: config.STALE_AFTER_MS,
    inputs: (kind, key) => engine?.sampleInputs(kind, key),
    notReadyReason(symbol) {
      const first = source?.recordedHistory?.(symbol)?.[0];
      const clock = now();
      if (!first || clock >= first.from) return null;
      return `the replay clock (${new Date(clock).toISOString()}) is before the first recording of ${symbol} (${new Date(first.from).toISOString()})`;
    },
    now,
    async pointInTime(at, symbols) {
      const travel = timeTravel;
      return travel ? pointInTimeServices(await travel.view(at, symbols)) : undefined;
    },
    get apiKeys() {
      return apiKeyStore ? apiKeyAdmin(apiKeyStore) : undefined;
    },
    macro: {
      series: (id) => macroSource.series(id),
      events: () => macroEvents.events,
      eventsError: () => macroEvents.error,
    },
    get alerts(): AppServices['alerts'] {
      if (!ruleStore || !alerting || !evaluator) return undefined;
      const { channels } = alerting;
      const ev = evaluator;
      return {
        store: ruleStore,
        sealChannel: (input, index) => sealChannel(input, index, channels),
        changed: () => ev.reload(),
        test: (rule) => ev.test(rule),
        stats: () => ev.stats(),
        digestMinPeriodMs: config.ALERTS_DIGEST_MIN_PERIOD_MS,
        now: wallClock,
      };
    },
    get backtests(): AppServices['backtests'] {
      if (!backtests) return undefined;
      return { jobs: backtests, maxBars: config.BACKTEST_MAX_BARS, maxEvaluations: config.BACKTEST_MAX_EVALUATIONS, defaultVenue: () => source?.venue, now: wallClock };
    },
  };
  /** The services as they were at `view.at`: analyses, prices and raw inputs from the point-in-time store. */
  function pointInTimeServices(view: PointInTime): AppServices {
    return Object.create(services, {
      latest: { value: view.latest },
      latestWith: { value: view.latestWith },
      ticker: { value: async (symbol: string) => view.ticker(symbol) },
      marketData: {
        value: (symbol: string) => {
          const market = view.store.get(symbol);
          return market ? { market, origin: view.origin, venue: view.venue } : undefined;
        },
      },
      globalData: { value: () => ({ global: view.store.global(), origin: view.origin, venueFor: () => view.venue }) },
      inputs: { value: view.inputs },
      notReadyReason: { value: view.notReadyReason },
      now: { value: () => view.at },
      pointInTime: { value: undefined },
      // Cross-venue views are live only: the other venues are not archived.
      venueMarkets: { value: undefined },
    }) as AppServices;
  }
  let repository: ReturnType<typeof createSnapshotRepository>;
  let apiKeyStore: ApiKeyStore | undefined;

  /** Key expiry is wall-clock time, whatever clock the market runs on (a replay's). */
  const withActive = (record: ApiKeyRecord) => ({ ...record, active: record.revokedAt === null && (record.expiresAt === null || record.expiresAt > wallClock()) });
  function apiKeyAdmin(store: ApiKeyStore): NonNullable<AppServices['apiKeys']> {
    return {
      async create(input) {
        if (input.expiresAt !== null && input.expiresAt <= wallClock()) throw badInput(`expiresAt (${new Date(input.expiresAt).toISOString()}) must be in the future`);
        const created = await store.create({ ...input, origin: 'api' }, wallClock());
        logger.info({ keyId: created.record.id, prefix: created.record.prefix, scopes: created.record.scopes }, 'API key created');
        return { record: withActive(created.record), plaintext: created.plaintext };
      },
      list: async () => (await store.list()).map(withActive),
      async revoke(id) {
        const revoked = await store.revoke(id, wallClock());
        if (revoked) logger.info({ keyId: revoked.id, prefix: revoked.prefix }, 'API key revoked');
        return revoked && withActive(revoked);
      },
    };
  }

  // --- The market pipeline (source → store → engine → events), rebuilt when a fallback turns LIVE ---
  let bySymbol = new Map<string, SymbolInfo>();
  function noteListed(listed: readonly SymbolInfo[]): void {
    bySymbol = new Map(listed.map((s) => [s.symbol, s]));
    symbolInfos = config.SYMBOLS.map((s) => bySymbol.get(s) ?? symbolInfos.find((i) => i.symbol === s)!);
  }
  /** Epoch ms since the simulated fallback serves (MARKET_SOURCE unset, Binance unreachable); null otherwise. */
  let fallbackSince: number | null = null;
  let probeTimer: NodeJS.Timeout | null = null;
  // Samples every component between health reads, so `since` is exact to this tick even when nobody asks.
  let healthSampler: NodeJS.Timeout | null = null;
  let switching: Promise<void> | null = null;
  let stopping = false;
  /** The source chosen at start, before startMarket adopts it (stopped by stop() if the start fails first). */
  let chosenSource: MarketDataSource | undefined;

  /** The market-data archive of one source: what it writes is read back only for the same venue and origin. */
  function createArchive(database: Database, next: MarketDataSource): MarketArchive {
    return createMarketArchive({
      store: createArchiveRepository(database),
      venue: next.venue,
      origin: next.origin,
      flushEveryMs: config.ARCHIVE_FLUSH_MS,
      maxBuffered: config.ARCHIVE_BUFFER_MAX,
      sampleMs: config.ARCHIVE_SAMPLE_MS,
      optionsSampleMs: config.ARCHIVE_OPTIONS_SAMPLE_MS,
      tradeMinUsd: config.ARCHIVE_TRADE_MIN_USD,
      // What the Binance source fetches for a gap after a restore (klinesRange pages, 500 statistics rows, 1000 settlements).
      fillable: { candleBars: 1_000, statRows: 500, fundingRows: 1_000 },
      retention: config.ARCHIVE_RETENTION,
      pruneEveryMs: config.ARCHIVE_PRUNE_EVERY_MS,
      now: wallClock,
      logger: logger.child({ component: 'archive' }),
    });
  }

  /**
   * The MARKET_VENUES venues other than the primary, for `next`: derived from the simulated market when it is
   * simulated (same seed, src/datasources/simulated/venue-variant.ts), else each venue's live source,
   * supervised (a venue down at start retries with back-off and is listed MISSING meanwhile).
   */
  function secondaryVenues(next: MarketDataSource): SecondaryVenue[] {
    const primary = primaryVenueOf(config);
    if (!primary) return [];
    const venues = config.MARKET_VENUES.map((v) => perpVenueOfSetting(v)!).filter((v) => v !== primary);
    return venues.map((venue): SecondaryVenue => {
      const store = createMarketStore(config.SYMBOLS);
      if (next.origin === DataOrigins.SIMULATED) {
        if (venue === 'BINANCE') throw new Error('the simulated market is the BINANCE venue');
        const variant = createSimulatedVenueVariant(config.SIM_SEED, venue);
        return {
          feed: { venue, name: `simulated-${venue.toLowerCase()}`, origin: next.origin, primary: false, store, down: () => downReason(next.status()), fundingIntervalHours: () => 8 },
          source: null,
          tee: (event) => {
            const mapped = variant(event);
            if (mapped) store.apply(mapped);
          },
        };
      }
      const intervals = new Map<string, number>();
      const setting = venue.toLowerCase() as 'binance' | 'bybit' | 'okx';
      const venueSource = createSupervisedSource({
        create: () => perpetualVenue(config, logger, setting),
        retry: true,
        initialDelayMs: config.VENUE_RETRY_MS,
        maxDelayMs: config.VENUE_RETRY_MAX_MS,
        onListed: (listed) => {
          for (const s of listed) intervals.set(s.symbol, s.fundingIntervalHours);
        },
        logger: logger.child({ component: 'venue', venue: setting }),
      });
      return {
        feed: { venue, name: venueSource.venue, origin: venueSource.origin, primary: false, store, down: () => downReason(venueSource.status()), fundingIntervalHours: (symbol) => intervals.get(symbol) ?? 8 },
        source: venueSource,
        tee: null,
      };
    });
  }

  async function startMarket(next: MarketDataSource): Promise<void> {
    if (!pubsub || !writer || !cache) throw new Error('startMarket before the stores');
    const bus = pubsub.pubsub;
    // A supervised live source checks the listing itself on every attempt (the venue may be down now).
    if (!isSupervised(next)) {
      const listed = await next.listSymbols();
      const names = new Set(listed.map((s) => s.symbol));
      const missing = config.SYMBOLS.filter((s) => !names.has(s));
      if (missing.length > 0) throw new SymbolsNotListedError(missing, next.venue);
      noteListed(listed);
    }
    source = next;
    store = createMarketStore(config.SYMBOLS);
    onDemandPool =
      config.ONDEMAND_WORKERS > 0
        ? createOnDemandPool({
            workers: config.ONDEMAND_WORKERS,
            symbols: config.SYMBOLS,
            nice: config.ONDEMAND_WORKER_NICE,
            onError: (err) => logger.error({ err }, 'on-demand worker failed: computing on the main thread from now on'),
          })
        : undefined;
    const target = store;
    const replica = onDemandPool;
    const settingsEarly = { fundingIntervalHours: (symbol: string) => bySymbol.get(symbol)?.fundingIntervalHours ?? 8 };
    secondaries = secondaryVenues(next);
    const tees = secondaries.flatMap((s) => (s.tee ? [s.tee] : []));
    const primaryVenue = primaryVenueOf(config);
    venueMarkets = primaryVenue
      ? createVenueMarkets({
          feeds: [
            { venue: primaryVenue, name: next.venue, origin: next.origin, primary: true, store, down: () => downReason(next.status()), fundingIntervalHours: settingsEarly.fundingIntervalHours },
            ...secondaries.map((s) => s.feed),
          ],
          now,
          staleAfterMs: config.STALE_AFTER_MS,
          minIntervalMs: config.ANALYSIS_MIN_INTERVAL_MS,
          fundingHistoryWindow: config.FUNDING_HISTORY_WINDOW,
        })
      : undefined;
    const own: (event: MarketEvent) => void = replica
      ? (event) => {
          target.apply(event);
          replica.apply(event);
        }
      : (event) => target.apply(event);
    const apply: (event: MarketEvent) => void =
      tees.length === 0
        ? own
        : (event) => {
            own(event);
            for (const tee of tees) tee(event);
          };
    // The archive: restored into the store before the engine and the event streams start (an archived
    // liquidation is history, not a new event), then tapped on the source's sink; the source resumes after it.
    let resume: ResumePoints | undefined;
    archive = db && config.ARCHIVE_ENABLED && config.ARCHIVE_ORIGINS.includes(next.origin) ? createArchive(db, next) : undefined;
    if (archive && config.ARCHIVE_RESTORE && !next.resumesFromArchive) {
      logger.info({ venue: next.venue }, 'archive restore skipped: this source backfills its own window and cannot resume after the archive (writing only)');
    }
    if (archive && config.ARCHIVE_RESTORE && next.resumesFromArchive) {
      const restored = await archive.restore(config.SYMBOLS, apply, DEFAULT_STORE_LIMITS).catch((err: unknown) => {
        logger.warn({ err }, 'archive restore failed: backfilling from the venue only');
        return undefined;
      });
      resume = restored?.resume;
    }
    archive?.start();
    const onDemand = createOnDemandScheduler({ maxQueued: config.ONDEMAND_MAX_QUEUED, budgetMs: config.ONDEMAND_BUDGET_MS, concurrency: Math.max(1, config.ONDEMAND_WORKERS) });
    const settings = {
      fundingHistoryWindow: config.FUNDING_HISTORY_WINDOW,
      fundingIntervalHours: (symbol: string) => bySymbol.get(symbol)?.fundingIntervalHours ?? 8,
      recordedHistory: (symbol: string) => next.recordedHistory?.(symbol) ?? null,
      get macroEvents() {
        return macroEvents.events;
      },
    };
    timeTravel = archive
      ? createTimeTravel({
          archive,
          origin: next.origin,
          venue: next.venue,
          definitions: ANALYSES,
          marketDefinitions: MARKET_ANALYSES,
          derivedDefinitions: DERIVED_ANALYSES,
          settings,
          onDemand,
          ...(onDemandPool ? { pool: onDemandPool } : {}),
          limits: DEFAULT_STORE_LIMITS,
          minIntervalMs: config.ANALYSIS_MIN_INTERVAL_MS,
          staleAfterMs: config.STALE_AFTER_MS,
          maxEntries: config.TIME_TRAVEL_CACHE_ENTRIES,
          ttlMs: config.TIME_TRAVEL_CACHE_TTL_MS,
          now,
          flushWindowMs: 2 * config.ARCHIVE_FLUSH_MS,
          logger: logger.child({ component: 'time-travel' }),
        })
      : undefined;
    liquidationEvents = createLiquidationEvents({ store, pubsub: bus, source: next.origin, venue: next.venue });
    engine = createAnalysisEngine({
      store,
      definitions: ANALYSES,
      marketDefinitions: MARKET_ANALYSES,
      derivedDefinitions: DERIVED_ANALYSES,
      settings,
      cache,
      pubsub: bus,
      snapshots: writer,
      origin: next.origin,
      venue: next.venue,
      minIntervalMs: config.ANALYSIS_MIN_INTERVAL_MS,
      snapshotEveryMs: config.SNAPSHOT_EVERY_MS,
      staleAfterMs: config.STALE_AFTER_MS,
      onDemand,
      pool: onDemandPool,
      now,
      logger: logger.child({ component: 'engine' }),
      onResult: [
        liquidationEvents.onResult,
        createTrapEvents({ pubsub: bus }).onResult,
        createVolatilityEvents({ pubsub: bus }).onResult,
        ...(evaluator ? [evaluator.onResult] : []),
      ],
    });
    engine.start();
    liquidationEvents.start();
    tradeEvents = createTradeEvents({ store, pubsub: bus, source: next.origin, venue: next.venue });
    tradeEvents.start();
    const tap = archive;
    await next.start(
      config.SYMBOLS,
      tap
        ? (event) => {
            apply(event);
            tap.record(event);
          }
        : apply,
      resume ? { resume } : undefined,
    );
    logger.info({ origin: next.origin, venue: next.venue, symbols: config.SYMBOLS, state: next.status().state }, 'market source started');
    for (const s of secondaries) {
      if (!s.source) continue;
      const feedStore = s.feed.store;
      // Not awaited: a venue that is down retries on its own (supervised) and shows as STALE / MISSING meanwhile.
      s.source.start(config.SYMBOLS, (event) => feedStore.apply(event)).catch((err: unknown) => logger.warn({ err, venue: s.feed.venue }, 'venue failed to start: it is listed MISSING with the reason'));
    }
    if (secondaries.length > 0) logger.info({ venues: venueMarkets?.venues(), origin: next.origin }, 'cross-venue markets ingested');
  }

  async function stopMarket(): Promise<void> {
    await source?.stop().catch((err: unknown) => logger.warn({ err }, 'source stop failed'));
    await Promise.all(secondaries.map((s) => s.source?.stop().catch((err: unknown) => logger.warn({ err, venue: s.feed.venue }, 'venue stop failed'))));
    secondaries = [];
    venueMarkets?.stop();
    venueMarkets = undefined;
    const stats = await archive?.stop();
    if (stats && stats.buffered > 0) logger.warn({ unwritten: stats.buffered }, 'archive rows left unwritten at stop');
    archive = undefined;
    timeTravel = undefined;
    engine?.stop();
    await onDemandPool?.stop().catch((err: unknown) => logger.warn({ err }, 'on-demand workers stop failed'));
    onDemandPool = undefined;
    liquidationEvents?.stop();
    tradeEvents?.stop();
  }

  function scheduleLiveProbe(): void {
    probeTimer = setTimeout(() => {
      probeTimer = null;
      switching = probeAndSwitch().finally(() => (switching = null));
    }, config.LIVE_PROBE_MS);
    probeTimer.unref();
  }

  /**
   * The fallback turns LIVE cleanly: the simulated pipeline stops, its buffered snapshots are written and
   * then deleted with every other row the fallback wrote, the result cache is emptied, and a fresh store
   * and engine start on the live source. Nothing simulated is left in live history, snapshots or cache.
   */
  async function probeAndSwitch(): Promise<void> {
    if (stopping || fallbackSince === null) return;
    if (!(await probeBinance(config.BINANCE_FAPI_URL, 3_000))) {
      logger.debug({ url: config.BINANCE_FAPI_URL }, 'Binance still unreachable: serving the simulated fallback');
      if (!stopping) scheduleLiveProbe();
      return;
    }
    if (stopping) return;
    logger.warn({ url: config.BINANCE_FAPI_URL }, 'Binance answers again: switching from the SIMULATED fallback to LIVE (store reset)');
    await stopMarket();
    const since = fallbackSince;
    await writer?.flush();
    const removed = await db?.sql
      .query('DELETE FROM analysis_snapshot WHERE source = $1 AND created_at >= $2::timestamptz', [DataOrigins.SIMULATED, new Date(since).toISOString()])
      .catch((err: unknown) => (logger.warn({ err }, 'could not delete the fallback snapshots'), null));
    await cache?.clear();
    fallbackSince = null;
    logger.info({ deletedSnapshots: removed?.affectedRows ?? null }, 'simulated fallback data removed');
    await startMarket(liveSource(config, logger, noteListed)).catch((err: unknown) => logger.error({ err }, 'live source failed to start'));
  }

  return {
    services,
    subscriptionStats: () => (http ? { ws: http.subscriptionStats(), sse: http.sseSubscriptionStats() } : undefined),
    onDemandStats: () => onDemandPool?.stats(),
    metrics,
    async start(port = config.PORT) {
      eventLoop = createEventLoopMonitor();
      if (config.MACRO_EVENTS_URL) {
        const loaded = await loadMacroEvents(config.MACRO_EVENTS_URL, { includeDefault: config.MACRO_EVENTS_DEFAULT });
        macroEvents.events = loaded.events;
        macroEvents.error = loaded.error;
        if (loaded.error) logger.warn({ error: loaded.error }, 'macro events: using the default calendar only');
      }
      healthSampler = setInterval(() => void health().catch(() => undefined), HEALTH_SAMPLE_MS);
      healthSampler.unref();
      // The market source is chosen (a Binance probe when MARKET_SOURCE is unset) and its start-up work begun
      // (the simulated backfill, in a worker thread from the build) while the database opens: neither
      // needs the other until startMarket below.
      const plan =
        config.ROLE === 'all'
          ? (deps.source ? Promise.resolve({ source: deps.source, fallback: false }) : chooseSource(config, logger, noteListed)).then((chosen) => {
              chosenSource = chosen.source;
              chosen.source.prepare?.(config.SYMBOLS).catch(() => undefined); // start() awaits it and reports a failure
              return chosen;
            })
          : undefined;
      plan?.catch(() => undefined); // awaited below; a rejection must not go unhandled while the database opens
      db = await createDatabase({
        url: config.DATABASE_URL,
        dataDir: config.DATA_DIR,
        connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
        ...(pgliteTemplate ? { template: pgliteTemplate } : {}),
        logger: logger.child({ component: 'db' }),
      });
      logger.info({ database: db.kind }, 'database ready (migrations applied)');
      repository = createSnapshotRepository(db);
      apiKeyStore = createApiKeyStore(db.sql);
      if (config.ADMIN_API_KEY) {
        const bootstrap = await apiKeyStore.ensureBootstrap(config.ADMIN_API_KEY, wallClock());
        logger.info({ prefix: bootstrap.prefix, revoked: bootstrap.revokedAt !== null }, 'ADMIN_API_KEY stored (hashed) as an admin key');
      }
      alerting = await createAlerting({
        config,
        sql: db.sql,
        logger: logger.child({ component: 'alerts' }),
        version: VERSION,
        deliveries: metrics.alertDeliveries,
        ...(deps.alertResolver ? { resolver: deps.alertResolver } : {}),
      });
      // Every role dispatches: claims are atomic, so any number of instances share the outbox.
      alerting.start();
      pubsub = await createAppPubSub(config.REDIS_URL, config.REDIS_PREFIX, logger.child({ component: 'pubsub' }));
      // Backtest jobs: pg-boss on Postgres (shared by the instances, survives restarts); on PGlite, which lives
      // inside this one process, an in-process queue over the same job table (README "Backtests").
      const jobLogger = logger.child({ component: 'backtests' });
      backtests = createBacktestJobs({
        store: createBacktestJobStore(db.sql),
        data: { sql: db.sql, replayRoot: config.BACKTEST_REPLAY_ROOT, nice: config.BACKTEST_WORKER_NICE },
        queue:
          db.kind === 'postgres' && config.BACKTEST_QUEUE === 'auto'
            ? createPgBossQueue({
                sql: db.sql,
                schema: config.BACKTEST_PGBOSS_SCHEMA,
                concurrency: config.BACKTEST_CONCURRENCY,
                expireInSeconds: config.BACKTEST_JOB_EXPIRE_S,
                retryLimit: config.BACKTEST_MAX_ATTEMPTS - 1,
                pollingIntervalSeconds: config.BACKTEST_POLL_S,
                logger: jobLogger,
              })
            : createMemoryQueue({ concurrency: config.BACKTEST_CONCURRENCY, logger: jobLogger }),
        pubsub: pubsub.pubsub,
        maxPending: config.BACKTEST_MAX_PENDING,
        progressEveryMs: config.BACKTEST_PROGRESS_EVERY_MS,
        now: wallClock,
        logger: jobLogger,
      });
      await backtests.start();
      ruleStore = createRuleStore(db.sql);
      {
        const check = checkSealedRules(await ruleStore.list(), alerting.channels.secrets);
        alertKeyCheck = { ...check, checkedAt: wallClock() };
        if (check.unreadable.length > 0)
          logger.child({ component: 'alerts' }).error(
            { rules: check.unreadable.slice(0, 20), unreadable: check.unreadable.length },
            'ALERTS_SECRET_KEY cannot open the channel secrets of stored alert rules: instances sharing this database must all set the same ALERTS_SECRET_KEY (their deliveries would go DEAD). health.alerts reports it',
          );
      }
      // Rules are evaluated where results are computed (ROLE=all); the outbox's idempotency key keeps one
      // event per firing however many such instances evaluate the same record.
      const alertLogger = logger.child({ component: 'alerts' });
      // Digest cards read what the GraphQL queries serve: the latest record, prices on the tick grid, or the
      // NOT_READY reason the query would give.
      const digests = createDigestScheduler({
        alerting: alerting!,
        pubsub: pubsub.pubsub,
        logger: alertLogger,
        now: wallClock,
        async read(kind, key) {
          const record = await services.latest(kind, key);
          if (!record) return { missing: `${kind} for ${key} is not available yet: ${services.notReadyReason?.(key) ?? 'the market source has not delivered enough data'}` };
          const tickSize = symbolInfos.find((s) => s.symbol === record.symbol)?.tickSize;
          return { record: { ...record, result: roundAnalysisPrices(record.kind, record.result, tickSize) }, stale: metaOf({ services, auth: null }, record).stale };
        },
        symbols: () => config.SYMBOLS.slice(0, MAX_DIGEST_SYMBOLS),
        origin: () => source?.origin ?? DataOrigins.LIVE,
        staleAfterMs: config.STALE_AFTER_MS,
      });
      evaluator = createAlertEvaluator({ store: ruleStore, alerting: alerting!, pubsub: pubsub.pubsub, logger: alertLogger, now: wallClock, digests, reloadMs: config.ALERTS_RULES_RELOAD_MS, latest: (kind, symbol) => services.latest(kind as AnalysisKind, symbol) });
      if (config.ROLE === 'all') evaluator.start(config.SYMBOLS);
      if (config.REDIS_URL) {
        cacheRedis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
        await cacheRedis.connect();
      }
      cache = createResultCache({ redis: cacheRedis, prefix: config.REDIS_PREFIX, onError: (err) => logger.warn({ err }, 'shared result cache write failed') });
      writer = createSnapshotWriter({
        store: repository,
        flushEveryMs: config.SNAPSHOT_FLUSH_MS,
        maxBuffered: config.SNAPSHOT_BUFFER_MAX,
        // PGlite executes a statement on this thread (≈ 0.5 ms per 8 KB of compressed payload): small batches
        // keep each INSERT a short task between requests. Postgres runs them elsewhere: one large batch.
        batchSize: db.kind === 'pglite' ? PGLITE_SNAPSHOT_BATCH : 500,
        logger: logger.child({ component: 'snapshots' }),
      });

      if (config.ROLE === 'all') {
        // Only instances that write snapshots prune them (passes are idempotent if several do).
        pruner = createSnapshotPruner({
          sql: db.sql,
          settings: { default: config.SNAPSHOT_RETENTION, byKind: config.SNAPSHOT_RETENTION_BY_KIND },
          everyMs: config.SNAPSHOT_PRUNE_EVERY_MS,
          logger: logger.child({ component: 'retention' }),
        });
        pruner.start();
        const chosen = await plan!;
        await startMarket(chosen.source);
        if (chosen.fallback) {
          fallbackSince = wallClock();
          scheduleLiveProbe();
        }
      }

      tracing = await startTracing(config, VERSION);
      const dashboard = createDashboardHandler(config.DASHBOARD_DIR ?? defaultDashboardDir());
      if (dashboard.built) logger.info({ dir: dashboard.dir }, 'dashboard served at /');
      else logger.warn({ dir: dashboard.dir }, 'dashboard not built (no index.html): `/` says how to build it (npm run build:web); the API is unaffected');
      http = createHttpServer({
        services,
        logger,
        observability: observabilityFor(metrics, config, logger, tracing),
        graphiql: config.GRAPHIQL,
        exploration: { introspection: config.INTROSPECTION_ENABLED, fieldSuggestions: config.FIELD_SUGGESTIONS_ENABLED },
        cors: { origins: config.CORS_ORIGINS, credentials: config.CORS_CREDENTIALS },
        // Counted in the shared Redis when there is one (the result cache's client), else in this instance.
        ...(config.RATE_LIMIT_ENABLED
          ? {
              rateLimiter: createRateLimiter({
                settings: {
                  windowS: config.RATE_LIMIT_WINDOW_S,
                  ip: { query: config.RATE_LIMIT_IP_QUERIES, mutation: config.RATE_LIMIT_IP_MUTATIONS, subscription: config.RATE_LIMIT_IP_SUBSCRIPTIONS },
                  key: { query: config.RATE_LIMIT_KEY_QUERIES, mutation: config.RATE_LIMIT_KEY_MUTATIONS, subscription: config.RATE_LIMIT_KEY_SUBSCRIPTIONS },
                },
                ...(cacheRedis ? { redis: cacheRedis } : {}),
                prefix: config.REDIS_PREFIX,
                logger,
                onRefused: (kind, subject) => metrics.rateLimits.refused(kind, subject),
                onFallback: (kind, subject) => metrics.rateLimits.fallback(kind, subject),
              }),
            }
          : {}),
        dashboard,
        health,
        subscriptions: {
          maxPerConnection: config.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
          maxConnectionsPerIp: config.WS_MAX_CONNECTIONS_PER_IP,
          maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
          keepAliveMs: config.WS_KEEPALIVE_MS,
        },
        trustProxy: config.TRUST_PROXY,
        auth: {
          authenticator: createAuthenticator({ store: apiKeyStore, now: wallClock, onTouchError: (err) => logger.warn({ err }, 'could not record an API key use') }),
          policy: { queriesRequireKey: config.QUERIES_REQUIRE_KEY },
        },
        limits: {
          maxCost: config.QUERY_COST_LIMIT,
          maxListItems: config.MAX_LIST_ITEMS,
          maxBodyBytes: config.MAX_BODY_BYTES,
          cacheTtlMs: config.RESPONSE_CACHE_TTL_MS,
          cacheMaxEntries: config.RESPONSE_CACHE_MAX_ENTRIES,
          cacheMaxBytes: config.RESPONSE_CACHE_MAX_BYTES,
          refusalDelayMaxMs: config.REFUSAL_DELAY_MAX_MS,
        },
      });
      const bound = await http.listen(port, config.HOST);
      return bound;
    },
    async stop() {
      // Reverse order: stop taking requests, stop producing, flush what was produced, close stores.
      stopping = true;
      if (probeTimer) clearTimeout(probeTimer);
      if (healthSampler) clearInterval(healthSampler);
      await switching?.catch(() => undefined);
      await http?.close().catch((err: unknown) => logger.warn({ err }, 'http close failed'));
      // Sends the spans still batched (bounded by the exporter's own timeout).
      await tracing?.shutdown().catch((err: unknown) => logger.warn({ err }, 'trace exporter shutdown failed'));
      // Running jobs stop here and are queued again (this instance's restart, or another instance, runs them).
      await backtests?.stop().catch((err: unknown) => logger.warn({ err }, 'backtest jobs stop failed'));
      await stopMarket();
      if (chosenSource && chosenSource !== source) await chosenSource.stop().catch(() => undefined);
      await writer?.stop().catch((err: unknown) => logger.warn({ err }, 'snapshot flush on stop failed'));
      await pruner?.stop();
      evaluator?.stop();
      await alerting?.stop().catch((err: unknown) => logger.warn({ err }, 'alert outbox stop failed'));
      await macroSource.stop().catch(() => undefined);
      await pubsub?.close();
      await cacheRedis?.quit().catch(() => {});
      await db?.close().catch((err: unknown) => logger.warn({ err }, 'database close failed'));
      eventLoop?.stop();
    },
  };
}
