import { builder } from '../schema/builder.js';
import { DataOriginEnum, HealthStatusEnum, SourceStateEnum, VenueStateEnum } from '../schema/enums.js';
import { ComponentHealthRef, HealthRef, MarketSourceHealthRef, SnapshotWriterHealthRef, SymbolInfoRef, VenueHealthRef } from '../schema/refs.js';

ComponentHealthRef.implement({
  fields: (t) => ({
    status: t.field({ type: HealthStatusEnum, resolve: (c) => c.status }),
    kind: t.exposeString('kind'),
    latencyMs: t.exposeFloat('latencyMs', { nullable: true }),
    error: t.exposeString('error', { nullable: true }),
  }),
});

MarketSourceHealthRef.implement({
  fields: (t) => ({
    status: t.field({ type: HealthStatusEnum, resolve: (s) => s.status }),
    origin: t.field({ type: DataOriginEnum, nullable: true, resolve: (s) => s.origin }),
    venue: t.exposeString('venue', { nullable: true }),
    state: t.field({ type: SourceStateEnum, nullable: true, resolve: (s) => s.state }),
    lastEventAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.lastEventAt }),
    lastError: t.exposeString('lastError', { nullable: true }),
  }),
});

SnapshotWriterHealthRef.implement({
  description: 'The batched snapshot writer: what is waiting, written, and what had to be dropped.',
  fields: (t) => ({
    buffered: t.exposeInt('buffered'),
    written: t.exposeInt('written'),
    dropped: t.exposeInt('dropped', { description: 'Snapshots lost because the buffer overflowed during a database outage.' }),
    failedFlushes: t.exposeInt('failedFlushes'),
    lastError: t.exposeString('lastError', { nullable: true }),
    failing: t.exposeBoolean('failing', { description: 'The latest write attempt failed; rows are held for a retry.' }),
  }),
});

VenueHealthRef.implement({
  description: 'One upstream venue as this instance sees it.',
  fields: (t) => ({
    venue: t.exposeString('venue'),
    state: t.field({ type: VenueStateEnum, resolve: (v) => v.state }),
    blockedUntil: t.field({ type: 'DateTime', nullable: true, description: 'End of a 429 pause or a 418 ban.', resolve: (v) => v.blockedUntil }),
    usedWeight: t.exposeFloat('usedWeight', { nullable: true, description: 'Request weight used in the current window, as the venue reports it.' }),
    weightBudget: t.exposeFloat('weightBudget', { nullable: true, description: 'The share of the venue limit perpgraph allows itself.' }),
    lastError: t.exposeString('lastError', { nullable: true }),
    lastSuccessAt: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.lastSuccessAt }),
    reconnects: t.exposeInt('reconnects'),
  }),
});

HealthRef.implement({
  description: 'Readiness of this instance, the same report as GET /ready.',
  fields: (t) => ({
    status: t.field({ type: HealthStatusEnum, resolve: (h) => h.status }),
    ready: t.exposeBoolean('ready'),
    version: t.exposeString('version'),
    role: t.exposeString('role'),
    uptimeMs: t.exposeFloat('uptimeMs'),
    database: t.field({ type: ComponentHealthRef, resolve: (h) => h.database }),
    pubsub: t.field({ type: ComponentHealthRef, resolve: (h) => h.pubsub }),
    marketSource: t.field({ type: MarketSourceHealthRef, resolve: (h) => h.marketSource }),
    snapshots: t.field({ type: SnapshotWriterHealthRef, resolve: (h) => h.snapshots }),
    venues: t.field({ type: [VenueHealthRef], resolve: (h) => h.venues }),
  }),
});

SymbolInfoRef.implement({
  fields: (t) => ({
    symbol: t.exposeString('symbol'),
    baseAsset: t.exposeString('baseAsset'),
    quoteAsset: t.exposeString('quoteAsset'),
    contractType: t.exposeString('contractType'),
    status: t.exposeString('status'),
    tickSize: t.exposeFloat('tickSize'),
    stepSize: t.exposeFloat('stepSize'),
    fundingIntervalHours: t.exposeFloat('fundingIntervalHours'),
  }),
});

// --- Queries ---

builder.queryField('health', (t) => t.field({ type: HealthRef, resolve: (_root, _args, ctx) => ctx.services.health() }));

builder.queryField('symbols', (t) =>
  t.field({ type: [SymbolInfoRef], description: 'The symbols this instance serves.', resolve: (_root, _args, ctx) => [...ctx.services.symbols()] }),
);
