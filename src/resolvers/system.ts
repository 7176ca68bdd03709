import { builder } from '../schema/builder.js';
import { DataOriginEnum, HealthStatusEnum, SourceStateEnum, VenueStateEnum } from '../schema/enums.js';
import { AlertsHealthRef, ArchiveHealthRef, ArchiveTypeHealthRef, ComponentHealthRef, EventLoopHealthRef, HealthRef, MarketSourceHealthRef, PubSubHealthRef, SnapshotWriterHealthRef, SymbolInfoRef, VenueHealthRef } from '../schema/refs.js';

ComponentHealthRef.implement({
  description: 'Health of one dependency (database or pub/sub).',
  fields: (t) => ({
    status: t.field({ description: 'State of this dependency.', type: HealthStatusEnum, resolve: (c) => c.status }),
    kind: t.exposeString('kind', { description: 'Implementation in use, e.g. pglite, postgres, memory, redis.' }),
    latencyMs: t.exposeFloat('latencyMs', { description: 'Round-trip time of the last health probe, milliseconds; null when it did not answer.', nullable: true }),
    error: t.exposeString('error', { description: 'What is wrong, when it is not OK.', nullable: true }),
    since: t.field({ type: 'DateTime', description: 'Since when it has been in this status: the first check that found it so (checks run on every health read and at least every 5 s).', resolve: (c) => c.since }),
  }),
});

PubSubHealthRef.implement({
  description: 'Health of the pub/sub behind subscriptions (in-memory or Redis), with what Redis publishing lost.',
  fields: (t) => ({
    status: t.field({ description: 'State of the pub/sub (its PING).', type: HealthStatusEnum, resolve: (c) => c.status }),
    kind: t.exposeString('kind', { description: 'Implementation in use: memory or redis.' }),
    latencyMs: t.exposeFloat('latencyMs', { description: 'Round-trip time of the last health probe, milliseconds; null when it did not answer.', nullable: true }),
    error: t.exposeString('error', { description: 'What is wrong, when it is not OK.', nullable: true }),
    since: t.field({ type: 'DateTime', description: 'Since when it has been in this status: the first check that found it so (checks run on every health read and at least every 5 s).', resolve: (c) => c.since }),
    publishFailures: t.exposeInt('publishFailures', {
      description: 'Redis PUBLISH calls that failed since this process started (count of events other instances missed; local subscribers still got them). Always 0 in memory.',
    }),
    lastPublishFailureAt: t.field({ type: 'DateTime', nullable: true, description: 'Time of the last failed publish; null when none failed.', resolve: (c) => c.lastPublishFailureAt }),
  }),
});

MarketSourceHealthRef.implement({
  description: 'Health of the market-data source (live venue, simulation or replay).',
  fields: (t) => ({
    status: t.field({ description: 'OK, DEGRADED or DOWN, derived from the state and the age of the last event.', type: HealthStatusEnum, resolve: (s) => s.status }),
    origin: t.field({ description: 'What the source serves (LIVE, SIMULATED or REPLAY); null when no source runs on this instance.', type: DataOriginEnum, nullable: true, resolve: (s) => s.origin }),
    venue: t.exposeString('venue', { description: 'Venue name, e.g. binance; null when no source runs on this instance.', nullable: true }),
    state: t.field({ description: 'State of the source; null when no source runs on this instance.', type: SourceStateEnum, nullable: true, resolve: (s) => s.state }),
    lastEventAt: t.field({ description: 'Time of the last market event delivered; null before the first one.', type: 'DateTime', nullable: true, resolve: (s) => s.lastEventAt }),
    lastError: t.exposeString('lastError', { description: 'Last upstream error seen, if any.', nullable: true }),
    fallback: t.exposeBoolean('fallback', {
      description:
        'True while the simulated market is served because MARKET_SOURCE is unset and live Binance was unreachable at start. Binance is probed every LIVE_PROBE_MS; when it answers, serving switches to LIVE and the fallback data is discarded.',
    }),
    since: t.field({ type: 'DateTime', description: 'Since when the source has been in this state (and origin): the first check that found it so (checks run on every health read and at least every 5 s).', resolve: (s) => s.since }),
  }),
});

SnapshotWriterHealthRef.implement({
  description: 'The batched snapshot writer: what is waiting, written, and what had to be dropped.',
  fields: (t) => ({
    buffered: t.exposeInt('buffered', { description: 'Snapshots waiting to be written.' }),
    written: t.exposeInt('written', { description: 'Snapshots written since start.' }),
    dropped: t.exposeInt('dropped', { description: 'Snapshots lost because the buffer overflowed during a database outage.' }),
    failedFlushes: t.exposeInt('failedFlushes', { description: 'Batch writes that failed since start.' }),
    lastError: t.exposeString('lastError', { description: 'Error of the last failed write, if any.', nullable: true }),
    failing: t.exposeBoolean('failing', { description: 'The latest write attempt failed; rows are held for a retry.' }),
  }),
});

ArchiveTypeHealthRef.implement({
  description: 'Rows and disk used by one archived type, as of the last retention pass.',
  fields: (t) => ({
    type: t.exposeString('type', {
      description: 'candle:<interval> for closed candles, else the record type: funding, markPrice, openInterest, longShortRatio, takerVolume, basis, liquidation, trade, optionsChain, fearGreed, globalMarket.',
    }),
    rows: t.exposeFloat('rows', { description: 'Rows archived (a count; Float because it may exceed 32 bits).' }),
    bytes: t.exposeFloat('bytes', { description: 'Disk used in bytes: the table size (heap, TOAST and indexes) apportioned to the type by its share of the row bytes (candles: of the rows).' }),
    oldest: t.field({ type: 'DateTime', nullable: true, description: 'Time of the oldest row (a candle: its open).', resolve: (x) => x.oldest }),
    newest: t.field({ type: 'DateTime', nullable: true, description: 'Time of the newest row (a candle: its open).', resolve: (x) => x.newest }),
  }),
});

ArchiveHealthRef.implement({
  description: 'The market-data archive: its batched writer (what is waiting, written and dropped), retention, and rows and disk per type.',
  fields: (t) => ({
    buffered: t.exposeInt('buffered', { description: 'Archive rows waiting to be written.' }),
    written: t.exposeInt('written', { description: 'Archive rows written since start.' }),
    dropped: t.exposeInt('dropped', { description: 'Archive rows lost because the buffer overflowed during a database outage (ARCHIVE_BUFFER_MAX).' }),
    failedFlushes: t.exposeInt('failedFlushes', { description: 'Batch writes that failed since start (each retried).' }),
    lastError: t.exposeString('lastError', { description: 'Error of the last failed write or retention pass, if any.', nullable: true }),
    failing: t.exposeBoolean('failing', { description: 'The latest write attempt failed; rows are held for a retry.' }),
    pruned: t.exposeFloat('pruned', { description: 'Rows deleted by retention (ARCHIVE_RETENTION) since start.' }),
    statsAt: t.field({ type: 'DateTime', nullable: true, description: 'When the per-type figures were read (after each retention pass); null before the first.', resolve: (a) => a.statsAt }),
    types: t.field({ type: [ArchiveTypeHealthRef], nullable: true, description: 'Rows and disk per archived type; null before the first retention pass (about 10 s after start).', resolve: (a) => a.types }),
  }),
});

AlertsHealthRef.implement({
  description: 'Stored alert rules checked at start against this instance ALERTS_SECRET_KEY: a key that cannot open their channel secrets (instances of one database given different keys, or a lost generated key) would dead-letter their deliveries.',
  fields: (t) => ({
    rules: t.exposeInt('rules', { description: 'Alert rules stored when the check ran.' }),
    unreadableRules: t.exposeInt('unreadableRules', { description: 'Rules whose channel secrets this key cannot open (health is DEGRADED while any are).' }),
    secretKeyMatches: t.exposeBoolean('secretKeyMatches', { nullable: true, description: 'False when at least one rule cannot be opened with this key; null when no rule was stored to check against.' }),
    checkedAt: t.field({ type: 'DateTime', description: 'When the check ran (at start).', resolve: (a) => a.checkedAt }),
  }),
});

EventLoopHealthRef.implement({
  description:
    'Event-loop delay of this server process (Node perf_hooks.monitorEventLoopDelay, sampled every 10 ms) over the last completed 60-second window: how long a ready callback waited for the loop. High values mean requests and subscriptions wait behind other work.',
  fields: (t) => ({
    p50Ms: t.exposeFloat('p50Ms', { description: 'Median event-loop delay in the window, milliseconds.' }),
    p99Ms: t.exposeFloat('p99Ms', { description: '99th-percentile event-loop delay in the window, milliseconds.' }),
    maxMs: t.exposeFloat('maxMs', { description: 'Longest event-loop delay in the window, milliseconds.' }),
    meanMs: t.exposeFloat('meanMs', { description: 'Mean event-loop delay in the window, milliseconds.' }),
    windowMs: t.exposeInt('windowMs', { description: 'Length of the window the figures cover, milliseconds (the window still running until the first one completes).' }),
  }),
});

VenueHealthRef.implement({
  description: 'One upstream venue as this instance sees it.',
  fields: (t) => ({
    venue: t.exposeString('venue', { description: 'Venue name, e.g. binance, deribit, coingecko, alternative.me.' }),
    state: t.field({ description: 'State of this venue as this instance sees it.', type: VenueStateEnum, resolve: (v) => v.state }),
    blockedUntil: t.field({ type: 'DateTime', nullable: true, description: 'End of a 429 pause or a 418 ban.', resolve: (v) => v.blockedUntil }),
    usedWeight: t.exposeFloat('usedWeight', { nullable: true, description: 'Request weight used in the current window, as the venue reports it.' }),
    weightBudget: t.exposeFloat('weightBudget', { nullable: true, description: 'The share of the venue limit perpgraph allows itself.' }),
    lastError: t.exposeString('lastError', { description: 'Last error seen from this venue, if any.', nullable: true }),
    lastSuccessAt: t.field({ description: 'Time of the last successful request; null before the first one.', type: 'DateTime', nullable: true, resolve: (v) => v.lastSuccessAt }),
    reconnects: t.exposeInt('reconnects', { description: 'Stream reconnects since start.' }),
    since: t.field({ type: 'DateTime', description: 'Since when this venue has been in this state: the first check that found it so (checks run on every health read and at least every 5 s).', resolve: (v) => v.since }),
  }),
});

HealthRef.implement({
  description: 'Readiness of this instance, the same report as GET /ready.',
  fields: (t) => ({
    status: t.field({ description: 'Overall state: DOWN when not ready, DEGRADED when the market source is degraded (or a fallback) or snapshot writes fail, else OK.', type: HealthStatusEnum, resolve: (h) => h.status }),
    ready: t.exposeBoolean('ready', { description: 'True when this instance can serve its role (GET /ready answers 200).' }),
    version: t.exposeString('version', { description: 'perpgraph version (package.json).' }),
    role: t.exposeString('role', { description: 'What this instance runs: all (ingests, analyses and serves) or api (serves what ingesting instances publish through Redis).' }),
    uptimeMs: t.exposeFloat('uptimeMs', { description: 'Milliseconds since this process started.' }),
    database: t.field({ description: 'The snapshot database (PGlite or Postgres).', type: ComponentHealthRef, resolve: (h) => h.database }),
    pubsub: t.field({ description: 'The pub/sub used by subscriptions (in-memory or Redis), with its failed publishes.', type: PubSubHealthRef, resolve: (h) => h.pubsub }),
    marketSource: t.field({ description: 'The market-data source.', type: MarketSourceHealthRef, resolve: (h) => h.marketSource }),
    snapshots: t.field({ description: 'The batched snapshot writer.', type: SnapshotWriterHealthRef, resolve: (h) => h.snapshots }),
    archive: t.field({
      description: 'The market-data archive (raw inputs persisted and restored on start); null when it is off: ARCHIVE_ENABLED false, this source origin not in ARCHIVE_ORIGINS, or no market source on this instance.',
      type: ArchiveHealthRef,
      nullable: true,
      resolve: (h) => h.archive,
    }),
    alerts: t.field({
      description: 'Stored alert rules checked against this instance ALERTS_SECRET_KEY at start; null before the database is ready.',
      type: AlertsHealthRef,
      nullable: true,
      resolve: (h) => h.alerts,
    }),
    eventLoop: t.field({ description: 'Event-loop delay of this process over the last minute.', type: EventLoopHealthRef, resolve: (h) => h.eventLoop }),
    venues: t.field({ description: 'One line per upstream venue this instance reads.', type: [VenueHealthRef], resolve: (h) => h.venues }),
  }),
});

SymbolInfoRef.implement({
  description: 'A perpetual listed by the venue (exchangeInfo on Binance), with its price and quantity increments.',
  fields: (t) => ({
    symbol: t.exposeString('symbol', { description: 'Venue symbol, e.g. BTCUSDT.' }),
    baseAsset: t.exposeString('baseAsset', { description: 'Base asset, e.g. BTC.' }),
    quoteAsset: t.exposeString('quoteAsset', { description: 'Quote asset, e.g. USDT; prices are in it (USDT ≈ USD).' }),
    contractType: t.exposeString('contractType', { description: 'Contract type, e.g. PERPETUAL.' }),
    status: t.exposeString('status', { description: 'Venue trading status, e.g. TRADING.' }),
    tickSize: t.exposeFloat('tickSize', { description: 'Price increment (quote currency); computed price levels are served rounded to it. 0 when unknown (ROLE=api, replay).' }),
    stepSize: t.exposeFloat('stepSize', { description: 'Quantity increment (base asset).' }),
    fundingIntervalHours: t.exposeFloat('fundingIntervalHours', { description: 'Hours between funding settlements (8 on most Binance USD-M perpetuals).' }),
  }),
});

// --- Queries ---

builder.queryField('health', (t) => t.field({ description: 'Readiness of this instance (the same report as GET /ready).', type: HealthRef, resolve: (_root, _args, ctx) => ctx.services.health() }));

builder.queryField('symbols', (t) =>
  t.field({ type: [SymbolInfoRef], description: 'The symbols this instance serves.', resolve: (_root, _args, ctx) => [...ctx.services.symbols()] }),
);
