import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineKindStats } from '../engine/analysis-engine.js';
import type { SnapshotWriterStats } from '../engine/snapshot-writer.js';
import type { EventLoopHealth } from '../event-loop.js';
import type { PubSubCounts, RedisBusStats } from '../pubsub.js';
import type { UpstreamCounters, VenueHealth, VenueState } from '../datasources/market-data-source.js';
import { VenueStates } from '../datasources/market-data-source.js';
import type { MultiplexerStats } from '../subscriptions/multiplexer.js';

/**
 * Prometheus metrics (prom-client) on one registry per app, built in the composition root and passed down:
 * nothing is registered on prom-client's global default registry, so several apps in one process (tests)
 * never share or clash.
 *
 * Two kinds of collection:
 * - request paths (HTTP, GraphQL operations, errors, alert deliveries) increment counters and observe
 *   histograms directly (a label lookup and an addition);
 * - everything else (engine, subscriptions, venues, snapshots, pub/sub, event loop, process) is read in
 *   `collect()` callbacks at scrape time from the counters the components already keep, so the hot paths
 *   pay nothing for it. Monotonic component counters are mirrored into prom-client counters by delta
 *   (a component rebuilt from zero, e.g. the engine after a fallback turns live, continues the series).
 */

const PREFIX = 'perpgraph_';

/** Distinct GraphQL operation names kept as label values; later new names are counted as `other`. */
export const MAX_OPERATION_NAMES = 100;
/** Operation names longer than this are cut (GraphQL names have no length limit of their own). */
const MAX_OPERATION_NAME_CHARS = 64;

/** Routes kept as label values (plus `/assets/*`, the dashboard's files); every other path is `other` (paths are client-chosen). */
const ROUTES = new Set(['/', '/index.html', '/favicon.svg', '/graphql', '/health', '/ready', '/metrics']);
const METHODS = new Set(['GET', 'POST', 'OPTIONS', 'HEAD', 'PUT', 'DELETE', 'PATCH']);

/** Latency buckets (seconds): 0.5 ms … 10 s, for requests and operations. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How an alert delivery ended; `perpgraph_alert_deliveries_total{channel,outcome}`. */
export const AlertDeliveryOutcomes = {
  /** The receiver accepted it (2xx). */
  DELIVERED: 'delivered',
  /** A failed attempt that will be retried (5xx, timeout, 429 with Retry-After). */
  RETRIED: 'retried',
  /** Given up: retries exhausted or a permanent refusal (4xx other than 429). */
  FAILED: 'failed',
  /** Never attempted: dropped by a bound (queue full, rule muted, expired). */
  DROPPED: 'dropped',
} as const;
export type AlertDeliveryOutcome = (typeof AlertDeliveryOutcomes)[keyof typeof AlertDeliveryOutcomes];

/**
 * What the alerts outbox calls once per delivery attempt outcome. `channel` is the channel kind
 * (`webhook`, `discord`, `telegram`), never a URL or a rule name (bounded label values, no secrets).
 */
export interface AlertDeliveryRecorder {
  record(channel: string, outcome: AlertDeliveryOutcome): void;
}

/** `kind`: query, mutation or subscription (connections); `subject`: key or ip. */
export interface RateLimitRecorder {
  refused(kind: string, subject: string): void;
  fallback(kind: string, subject: string): void;
}

/** Live counters of the two subscription transports (the multiplexers' stats). */
export interface SubscriptionSample {
  /** Open graphql-ws sockets. */
  wsConnections: number;
  ws: MultiplexerStats;
  sse: MultiplexerStats;
  wsByField: ReadonlyMap<string, { groups: number; subscribers: number }>;
  sseByField: ReadonlyMap<string, { groups: number; subscribers: number }>;
}

/** Where the scrape-time collectors read from; each getter returns undefined while its component is not running. */
export interface MetricsSources {
  /** Market time (a replay's own clock), for analysis ages. */
  now(): number;
  engine(): { kindStats(): ReadonlyMap<string, Readonly<EngineKindStats>>; oldestAsOf(): ReadonlyMap<string, number> } | undefined;
  subscriptions(): SubscriptionSample | undefined;
  venues(): readonly VenueHealth[];
  snapshots(): SnapshotWriterStats | undefined;
  /** The market-data archive's writer (undefined when it is off). */
  archive?(): SnapshotWriterStats | undefined;
  /** The whole-response cache in front of yoga: hits and coalesced requests never reach an execution. */
  responseCache?(): { hits: number; coalesced: number; misses: number } | undefined;
  pubsub(): { counts: PubSubCounts; stats: RedisBusStats } | undefined;
  eventLoop(): EventLoopHealth | undefined;
}

export interface Metrics {
  readonly registry: Registry;
  /** Counts and times one HTTP request once its response has closed. */
  observeHttp(req: IncomingMessage, res: ServerResponse, path: string): void;
  /** The yoga plugin counting and timing GraphQL operations and counting errors by code. */
  graphqlPlugin(): Plugin;
  /** Counts an error answered without reaching yoga (refused before parsing: body size, cost, rate). */
  countError(code: string): void;
  readonly alertDeliveries: AlertDeliveryRecorder;
  /** Request rate limits (src/http/rate-limit.ts): refusals, and counts the in-memory insurance made because Redis could not. */
  readonly rateLimits: RateLimitRecorder;
  /** Connects the scrape-time collectors (once, from the composition root). */
  watch(sources: MetricsSources): void;
  /** The exposition text (Prometheus text format 0.0.4) and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** Keeps at most `max` distinct operation names; unnamed operations are `anonymous`, later new names `other`. */
export function createOperationNames(max = MAX_OPERATION_NAMES): (name: string | null | undefined) => string {
  const seen = new Set<string>();
  return (name) => {
    if (!name) return 'anonymous';
    const cut = name.slice(0, MAX_OPERATION_NAME_CHARS);
    if (seen.has(cut)) return cut;
    if (seen.size >= max) return 'other';
    seen.add(cut);
    return cut;
  };
}

type Labels<L extends string> = Partial<Record<L, string>>;

/**
 * A counter whose value is read at scrape time from a component's own monotonic counter (`read` yields
 * label sets and current totals) and added by delta; a total lower than the last one read means the
 * component restarted from zero, and the series continues from there.
 */
function mirroredCounter<L extends string>(
  registers: Registry[],
  config: { name: string; help: string; labelNames?: readonly L[] },
  read: () => Iterable<readonly [Labels<L>, number]>,
): Counter<L> {
  const last = new Map<string, number>();
  return new Counter<L>({
    ...config,
    labelNames: config.labelNames ?? [],
    registers,
    collect() {
      for (const [labels, value] of read()) {
        const key = Object.values(labels).join('\0');
        const previous = last.get(key) ?? 0;
        last.set(key, value);
        this.inc(labels, value >= previous ? value - previous : value);
      }
    },
  });
}

const BREAKER_STATES: ReadonlyArray<UpstreamCounters['breaker']> = ['closed', 'open', 'half-open', 'isolated'];
const VENUE_STATES: readonly VenueState[] = Object.values(VenueStates);

export function createMetrics(options: { version: string }): Metrics {
  const registry = new Registry();
  const registers = [registry];
  let sources: MetricsSources | undefined;

  // --- Request paths ---
  const httpRequests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by route (known paths, /assets/* for the dashboard files, else other), method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request latency until the response closed, by route and status (SSE streams excluded: their length is the subscription).',
    labelNames: ['route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const operations = new Counter({
    name: `${PREFIX}graphql_operations_total`,
    help: `GraphQL operations executed, by operation name (unnamed: anonymous; beyond ${MAX_OPERATION_NAMES} distinct names: other) and type.`,
    labelNames: ['operation', 'type'] as const,
    registers,
  });
  const operationDuration = new Histogram({
    name: `${PREFIX}graphql_operation_duration_seconds`,
    help: 'GraphQL execution time of queries and mutations (subscriptions: the subscribe call), by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: `${PREFIX}graphql_errors_total`,
    help: 'Errors in GraphQL responses (and requests refused before execution), by extensions.code.',
    labelNames: ['code'] as const,
    registers,
  });
  const alertDeliveries = new Counter({
    name: `${PREFIX}alert_deliveries_total`,
    help: 'Alert delivery attempts by channel (webhook, discord, telegram) and outcome (delivered, retried, failed, dropped).',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: `${PREFIX}rate_limited_total`,
    help: 'Requests refused with RATE_LIMITED by the request rate limits, by kind (query, mutation, subscription connection) and subject (key, ip).',
    labelNames: ['kind', 'subject'] as const,
    registers,
  });
  const rateLimitFallbacks = new Counter({
    name: `${PREFIX}rate_limit_fallbacks_total`,
    help: 'Requests counted by the in-memory insurance limiter because Redis could not count them (budgets then hold per instance), by kind and subject.',
    labelNames: ['kind', 'subject'] as const,
    registers,
  });

  // --- Scrape-time collectors ---
  new Gauge({
    name: `${PREFIX}build_info`,
    help: 'Always 1; the version label says which build is running.',
    labelNames: ['version'] as const,
    registers,
    collect() {
      this.set({ version: options.version }, 1);
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident set size of this process in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'nodejs_heap_used_bytes',
    help: 'V8 heap in use, bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  mirroredCounter(registers, { name: 'process_cpu_seconds_total', help: 'User and system CPU time of this process, seconds.' }, () => {
    const usage = process.cpuUsage();
    return [[{}, (usage.user + usage.system) / 1e6]];
  });

  new Gauge({
    name: `${PREFIX}event_loop_delay_seconds`,
    help: 'Event-loop delay over the last completed window (60 s), by statistic (p50, p99, max, mean).',
    labelNames: ['stat'] as const,
    registers,
    collect() {
      const loop = sources?.eventLoop();
      if (!loop) return;
      this.set({ stat: 'p50' }, loop.p50Ms / 1000);
      this.set({ stat: 'p99' }, loop.p99Ms / 1000);
      this.set({ stat: 'max' }, loop.maxMs / 1000);
      this.set({ stat: 'mean' }, loop.meanMs / 1000);
    },
  });

  // Subscriptions
  new Gauge({
    name: `${PREFIX}ws_connections`,
    help: 'Open graphql-ws WebSocket connections.',
    registers,
    collect() {
      this.set(sources?.subscriptions()?.wsConnections ?? 0);
    },
  });
  new Gauge({
    name: `${PREFIX}sse_connections`,
    help: 'Open GraphQL-over-SSE streams (one subscription each).',
    registers,
    collect() {
      this.set(sources?.subscriptions()?.sse.subscribers ?? 0);
    },
  });
  const byField = (pick: 'groups' | 'subscribers') =>
    function (this: Gauge<'transport' | 'field'>) {
      this.reset();
      const sample = sources?.subscriptions();
      if (!sample) return;
      for (const [field, n] of sample.wsByField) this.set({ transport: 'ws', field }, n[pick]);
      for (const [field, n] of sample.sseByField) this.set({ transport: 'sse', field }, n[pick]);
    };
  new Gauge({
    name: `${PREFIX}subscriptions`,
    help: 'Active subscriptions by transport (ws, sse) and root field.',
    labelNames: ['transport', 'field'] as const,
    registers,
    collect: byField('subscribers'),
  });
  new Gauge({
    name: `${PREFIX}subscription_groups`,
    help: 'Multiplexed subscription groups (one execution per event each) by transport and root field.',
    labelNames: ['transport', 'field'] as const,
    registers,
    collect: byField('groups'),
  });
  const perTransport = (pick: 'delivered' | 'dropped' | 'executions') => (): Array<readonly [Labels<'transport'>, number]> => {
    const sample = sources?.subscriptions();
    return sample ? [[{ transport: 'ws' }, sample.ws[pick]], [{ transport: 'sse' }, sample.sse[pick]]] : [];
  };
  const transport = ['transport'] as const;
  mirroredCounter(registers, { name: `${PREFIX}subscription_messages_total`, help: 'Subscription messages delivered to clients, by transport.', labelNames: transport }, perTransport('delivered'));
  mirroredCounter(
    registers,
    { name: `${PREFIX}subscription_dropped_total`, help: 'Subscription messages dropped for a congested client (a newer one replaced them), by transport.', labelNames: transport },
    perTransport('dropped'),
  );
  mirroredCounter(
    registers,
    { name: `${PREFIX}subscription_executions_total`, help: 'Subscription events executed (once per group and event, however many subscribers), by transport.', labelNames: transport },
    perTransport('executions'),
  );

  // Engine
  const kinds = () => [...(sources?.engine()?.kindStats() ?? [])];
  mirroredCounter(
    registers,
    { name: `${PREFIX}engine_computations_total`, help: 'Analysis computations by kind and outcome (ok, failed), scheduled and on-demand.', labelNames: ['kind', 'outcome'] as const },
    () =>
      kinds().flatMap(([kind, s]) => [
        [{ kind, outcome: 'ok' }, s.computations - s.failures],
        [{ kind, outcome: 'failed' }, s.failures],
      ] as const),
  );
  mirroredCounter(
    registers,
    { name: `${PREFIX}engine_compute_seconds_total`, help: 'Time spent computing analyses, by kind (in a worker thread for offloaded runs).', labelNames: ['kind'] as const },
    () => kinds().map(([kind, s]) => [{ kind }, s.computeMs / 1000] as const),
  );
  new Gauge({
    name: `${PREFIX}analysis_age_seconds`,
    help: 'Age (market time minus asOf) of the oldest latest result of each analysis kind across its symbols or keys.',
    labelNames: ['kind'] as const,
    registers,
    collect() {
      this.reset();
      const engine = sources?.engine();
      if (!engine || !sources) return;
      const now = sources.now();
      for (const [kind, asOf] of engine.oldestAsOf()) this.set({ kind }, Math.max(0, now - asOf) / 1000);
    },
  });

  // Upstream venues
  const venue = ['venue'] as const;
  const upstream = (pick: 'requests' | 'rateLimited' | 'banned' | 'retries') => () =>
    (sources?.venues() ?? []).flatMap((v) => (v.upstream ? [[{ venue: v.venue }, v.upstream[pick]] as const] : []));
  mirroredCounter(registers, { name: `${PREFIX}upstream_requests_total`, help: 'HTTP requests sent to each venue (retries included).', labelNames: venue }, upstream('requests'));
  mirroredCounter(registers, { name: `${PREFIX}upstream_rate_limited_total`, help: 'HTTP 429 answers per venue.', labelNames: venue }, upstream('rateLimited'));
  mirroredCounter(registers, { name: `${PREFIX}upstream_banned_total`, help: 'HTTP 418 (IP ban) answers per venue.', labelNames: venue }, upstream('banned'));
  mirroredCounter(registers, { name: `${PREFIX}upstream_retries_total`, help: 'Retried upstream requests per venue.', labelNames: venue }, upstream('retries'));
  mirroredCounter(registers, { name: `${PREFIX}stream_reconnects_total`, help: 'WebSocket stream reconnects per venue.', labelNames: venue }, () =>
    (sources?.venues() ?? []).map((v) => [{ venue: v.venue }, v.reconnects] as const),
  );
  new Gauge({
    name: `${PREFIX}upstream_weight_used`,
    help: 'Request weight used in the current window per venue (the venue count when it reports one, e.g. Binance X-MBX-USED-WEIGHT-1M).',
    labelNames: venue,
    registers,
    collect() {
      this.reset();
      for (const v of sources?.venues() ?? []) if (v.usedWeight !== null) this.set({ venue: v.venue }, v.usedWeight);
    },
  });
  new Gauge({
    name: `${PREFIX}upstream_weight_budget`,
    help: 'Request weight perpgraph allows itself per window and venue (a share of the venue limit).',
    labelNames: venue,
    registers,
    collect() {
      this.reset();
      for (const v of sources?.venues() ?? []) if (v.weightBudget !== null) this.set({ venue: v.venue }, v.weightBudget);
    },
  });
  new Gauge({
    name: `${PREFIX}upstream_breaker_state`,
    help: 'Circuit breaker of each venue HTTP client: 1 for its current state (closed, open, half-open, isolated = held open during a ban), 0 for the others.',
    labelNames: ['venue', 'state'] as const,
    registers,
    collect() {
      this.reset();
      for (const v of sources?.venues() ?? []) {
        if (!v.upstream) continue;
        for (const state of BREAKER_STATES) this.set({ venue: v.venue, state }, v.upstream.breaker === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: `${PREFIX}venue_state`,
    help: 'Health of each venue as Query.health reports it: 1 for its current state (OK, DEGRADED, CIRCUIT_OPEN, BANNED, DOWN), 0 for the others.',
    labelNames: ['venue', 'state'] as const,
    registers,
    collect() {
      this.reset();
      for (const v of sources?.venues() ?? []) for (const state of VENUE_STATES) this.set({ venue: v.venue, state }, v.state === state ? 1 : 0);
    },
  });

  // Snapshots
  new Gauge({
    name: `${PREFIX}snapshot_queue_depth`,
    help: 'Analysis snapshots buffered for the next database write.',
    registers,
    collect() {
      this.set(sources?.snapshots()?.buffered ?? 0);
    },
  });
  const snapshot = (pick: 'written' | 'dropped' | 'failedFlushes') => () => {
    const s = sources?.snapshots();
    return s ? [[{}, s[pick]] as const] : [];
  };
  mirroredCounter(registers, { name: `${PREFIX}snapshot_written_total`, help: 'Analysis snapshots written to the database.' }, snapshot('written'));
  mirroredCounter(registers, { name: `${PREFIX}snapshot_dropped_total`, help: 'Analysis snapshots dropped (buffer full while the database was unreachable).' }, snapshot('dropped'));
  mirroredCounter(registers, { name: `${PREFIX}snapshot_failed_flushes_total`, help: 'Snapshot batch writes that failed (retried on the next flush).' }, snapshot('failedFlushes'));

  // Market-data archive
  new Gauge({
    name: `${PREFIX}archive_queue_depth`,
    help: 'Market-data archive rows buffered for the next database write.',
    registers,
    collect() {
      this.set(sources?.archive?.()?.buffered ?? 0);
    },
  });
  const archived = (pick: 'written' | 'dropped' | 'failedFlushes') => () => {
    const s = sources?.archive?.();
    return s ? [[{}, s[pick]] as const] : [];
  };
  mirroredCounter(registers, { name: `${PREFIX}archive_written_total`, help: 'Market-data archive rows written to the database.' }, archived('written'));
  mirroredCounter(registers, { name: `${PREFIX}archive_dropped_total`, help: 'Market-data archive rows dropped (buffer full while the database was unreachable).' }, archived('dropped'));
  mirroredCounter(registers, { name: `${PREFIX}archive_failed_flushes_total`, help: 'Archive batch writes that failed (retried on the next flush).' }, archived('failedFlushes'));

  // Whole-response cache (HTTP): its hits are answered without an execution, so graphql_operations_total does not see them.
  mirroredCounter(
    registers,
    { name: `${PREFIX}graphql_response_cache_total`, help: 'GraphQL-over-HTTP requests by cache outcome: hit (served from the cache), coalesced (served the response of a concurrent identical execution), miss (executed).', labelNames: ['outcome'] as const },
    () => {
      const c = sources?.responseCache?.();
      return c ? ([[{ outcome: 'hit' }, c.hits], [{ outcome: 'coalesced' }, c.coalesced], [{ outcome: 'miss' }, c.misses]] as const) : [];
    },
  );

  // Pub/sub
  const topic = ['topic'] as const;
  const bus = () => sources?.pubsub();
  mirroredCounter(registers, { name: `${PREFIX}pubsub_published_total`, help: 'Events published by this instance, by topic.', labelNames: topic }, () =>
    [...(bus()?.counts.published ?? [])].map(([t, n]) => [{ topic: t }, n] as const),
  );
  mirroredCounter(registers, { name: `${PREFIX}pubsub_received_total`, help: 'Events received from other instances through Redis, by topic.', labelNames: topic }, () =>
    [...(bus()?.counts.received ?? [])].map(([t, n]) => [{ topic: t }, n] as const),
  );
  mirroredCounter(registers, { name: `${PREFIX}pubsub_publish_failures_total`, help: 'Redis PUBLISH calls that failed (other instances missed those events).' }, () => {
    const b = bus();
    return b ? [[{}, b.stats.publishFailures] as const] : [];
  });

  const operationName = createOperationNames();
  const countResultErrors = (result: unknown) => {
    const list = Array.isArray(result) ? result : [result];
    for (const item of list) {
      const errs = (item as { errors?: readonly GraphQLError[] } | null)?.errors;
      if (!errs) continue;
      for (const error of errs) errors.inc({ code: typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR' });
    }
  };

  return {
    registry,
    observeHttp(req, res, path) {
      const started = performance.now();
      const route = ROUTES.has(path) ? path : path.startsWith('/assets/') ? '/assets/*' : 'other';
      const method = METHODS.has(req.method ?? '') ? req.method! : 'other';
      res.once('close', () => {
        const status = String(res.statusCode);
        httpRequests.inc({ route, method, status });
        const type = res.getHeader('content-type');
        if (typeof type === 'string' && type.startsWith('text/event-stream')) return;
        httpDuration.observe({ route, status }, (performance.now() - started) / 1000);
      });
    },
    graphqlPlugin(): Plugin {
      return {
        onExecute({ args }) {
          const started = performance.now();
          const op = getOperationAST(args.document, args.operationName);
          const labels = { operation: operationName(op?.name?.value ?? args.operationName), type: op?.operation ?? 'unknown' };
          return {
            onExecuteDone() {
              operations.inc(labels);
              operationDuration.observe(labels, (performance.now() - started) / 1000);
            },
          };
        },
        onSubscribe({ args }) {
          const started = performance.now();
          const op = getOperationAST(args.document, args.operationName);
          const labels = { operation: operationName(op?.name?.value ?? args.operationName), type: 'subscription' };
          return {
            onSubscribeResult() {
              operations.inc(labels);
              operationDuration.observe(labels, (performance.now() - started) / 1000);
            },
          };
        },
        onResultProcess({ result }) {
          // Single results and batches; an event stream's errors travel inside its events (not counted here).
          if (result && typeof result === 'object' && !(Symbol.asyncIterator in result)) countResultErrors(result);
        },
      };
    },
    countError(code) {
      errors.inc({ code });
    },
    alertDeliveries: {
      record(channel, outcome) {
        alertDeliveries.inc({ channel, outcome });
      },
    },
    rateLimits: {
      refused(kind, subject) {
        rateLimited.inc({ kind, subject });
      },
      fallback(kind, subject) {
        rateLimitFallbacks.inc({ kind, subject });
      },
    },
    watch(next) {
      sources = next;
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
