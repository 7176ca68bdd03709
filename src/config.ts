import { z } from 'zod';
import { redactSecrets } from './errors.js';
import { parseArchiveRetention, parseRetentionByKind, parseRetentionPolicy } from './domain/retention.js';
import { parseTrustProxy, TRUST_NONE } from './domain/client-address.js';
import { parseOtlpHeaders } from './observability/otlp-headers.js';
import { KEY_PATTERN } from './auth/keys.js';
import { parseSecretKey } from './alerts/secrets.js';
import { parseCorsOrigins } from './http/cors.js';

/**
 * The one place for every setting. Parsed from the environment with zod; an invalid setting stops the
 * start with a message naming the variable and the problem (see `ConfigError`).
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.coerce.number().int().positive();

export const DEFAULT_SNAPSHOT_RETENTION = '1h:full,1d:5m,7d:15m,90d:1h';
export const DEFAULT_ARCHIVE_RETENTION = 'candle:1m=180d,markPrice=90d,trade=180d,optionsChain=90d,default=forever';

/** A parser that throws with a readable message, as a zod transform reporting that message. */
const parsedWith = <T>(parse: (text: string) => T) =>
  z.string().transform((text, ctx) => {
    try {
      return parse(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  });
const url = z.url({ protocol: /^(https?|wss?)$/ });

const symbolList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean))
  .pipe(
    z
      .array(z.string().regex(/^[A-Z0-9]{2,20}$/, 'symbols are letters/digits like BTCUSDT'))
      .min(1, 'at least one symbol is required')
      .max(200, 'at most 200 symbols'),
  );

export const DEFAULT_FRED_SERIES_TEXT = 'SPX=SP500,DXY=DTWEXBGS';

/** `SPX=SP500,DXY=DTWEXBGS` → { SPX: 'SP500', DXY: 'DTWEXBGS' } (names SPX, DXY, GOLD; FRED ids upper-case). */
export function parseFredSeries(text: string): Partial<Record<'SPX' | 'DXY' | 'GOLD', string>> {
  const out: Partial<Record<'SPX' | 'DXY' | 'GOLD', string>> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, id, extra] = part.split('=').map((x) => x.trim());
    if (extra !== undefined || !name || !id) throw new Error(`expected NAME=SERIES_ID, got ${JSON.stringify(part)}`);
    if (name !== 'SPX' && name !== 'DXY' && name !== 'GOLD') throw new Error(`unknown macro series ${JSON.stringify(name)} (SPX, DXY, GOLD)`);
    if (!/^[A-Z0-9_]{1,30}$/.test(id)) throw new Error(`FRED series ids are upper-case letters and digits, got ${JSON.stringify(id)}`);
    if (name in out) throw new Error(`${name} appears twice`);
    out[name] = id;
  }
  return out;
}

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * `json`: one JSON object per line (pino; for log shippers). `pretty`: coloured, one readable line per
   * record (pino-pretty; for people). Unset: `pretty` when stdout is a terminal and NODE_ENV=development,
   * else `json`.
   */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** Serve Prometheus metrics at `/metrics` (collected either way; false answers 404 there). */
  METRICS_ENABLED: bool.default(true),
  /**
   * When set, `/metrics` requires `Authorization: Bearer <token>` and answers 401 otherwise. Set it
   * whenever the port is reachable from outside a private network.
   */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').regex(/^\S+$/, 'no whitespace').optional(),
  /** OTLP/HTTP collector base URL (e.g. `http://otel-collector:4318`): GraphQL operations are traced and sent to `<url>/v1/traces`. Unset: no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** Extra headers for the collector, `key=value,key2=value2` (URL-encoded values), e.g. an API key. */
  OTEL_EXPORTER_OTLP_HEADERS: parsedWith(parseOtlpHeaders).default({}),
  /** `service.name` of the traces. */
  OTEL_SERVICE_NAME: z.string().min(1).max(100).default('perpgraph'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Unset: embedded PGlite under DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Postgres: give up opening a connection after this many milliseconds (a pool connection, the start-up migration). */
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt.default(5_000),
  DATA_DIR: z.string().min(1).default('./.data'),
  /** Unset: in-process pub/sub. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /**
   * Unset: try live Binance, fall back to `simulated` (loudly) when unreachable. `bybit` / `okx`: the
   * perpetual venue is Bybit v5 linear or OKX v5 USDT swaps (with the same market-wide venues as Binance).
   */
  MARKET_SOURCE: z.enum(['binance', 'bybit', 'okx', 'simulated', 'replay']).optional(),
  /**
   * Perpetual venues ingested at once next to the primary one (comma list of binance, bybit, okx), for
   * `Market.venues` and the cross-venue analyses (aggregated open interest and funding, funding arbitrage,
   * price spread). The primary venue (MARKET_SOURCE; Binance when unset or simulated) stays the one every
   * other analysis reads. On the simulated market the other venues are simulated too. Empty: the primary only.
   */
  MARKET_VENUES: z
    .string()
    .transform((s) => [...new Set(s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean))])
    .pipe(z.array(z.enum(['binance', 'bybit', 'okx'], { error: (issue) => `unknown venue ${JSON.stringify(issue.input)}: use binance, bybit or okx` })))
    .default([]),
  /** Recorded data for MARKET_SOURCE=replay: comma-separated directories or files (see README). */
  REPLAY_DIR: z.string().min(1).optional(),
  /** Data milliseconds per wall millisecond: 1 real time, 60 a minute per second, 0 as fast as possible. */
  REPLAY_SPEED: z.coerce.number().min(0).max(1_000_000).default(60),
  REPLAY_LOOP: bool.default(false),
  /**
   * Data time the timed replay starts at: an ISO-8601 UTC date or date-time (`2026-01-22`,
   * `2026-01-22T12:00:00Z`). Everything recorded before it is pushed at once as the warm-up. Unset: 10 %
   * into the span of the recordings.
   */
  REPLAY_START: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?Z?)?$/, 'must be an ISO-8601 UTC date or date-time, e.g. 2026-01-22 or 2026-01-22T12:00:00Z')
    .transform((v) => Date.parse(/T/.test(v) && !v.endsWith('Z') ? `${v}Z` : v))
    .refine((ms) => Number.isFinite(ms), 'is not a valid date')
    .optional(),
  /**
   * `all`: ingest, analyse and serve (default). `api`: serve only, reading latest results and updates
   * that `all` instances publish through Redis (needs REDIS_URL).
   */
  ROLE: z.enum(['all', 'api']).default('all'),
  /** Prefix of every Redis key and pub/sub channel, so deployments sharing one Redis stay apart. */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, ":", "_" or "-" (1-64)').default('perpgraph:'),
  SYMBOLS: symbolList.default(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']),
  SIM_SEED: z.coerce.number().int().min(0).max(2 ** 32 - 1).default(42),
  /** Wall-clock milliseconds between simulated market ticks. */
  SIM_TICK_MS: positiveInt.max(60_000).default(250),
  /** First delay before retrying a live venue that was unreachable at start; doubles per failure up to VENUE_RETRY_MAX_MS. */
  VENUE_RETRY_MS: positiveInt.default(1_000),
  VENUE_RETRY_MAX_MS: positiveInt.default(60_000),
  /** With MARKET_SOURCE unset and the simulated fallback serving: how often live Binance is probed again. */
  LIVE_PROBE_MS: positiveInt.default(30_000),
  BINANCE_FAPI_URL: url.default('https://fapi.binance.com'),
  BINANCE_FSTREAM_URL: url.default('wss://fstream.binance.com'),
  BINANCE_SPOT_URL: url.default('https://api.binance.com'),
  /** Local order books from the diff-depth stream (`<symbol>@depth@100ms` + `/fapi/v1/depth` snapshots) for ORDER_BOOK. */
  BINANCE_ORDER_BOOK: bool.default(true),
  /** Levels of the `/fapi/v1/depth` snapshot a local book starts from (weight 20 at 1000, 10 at 500). */
  BINANCE_DEPTH_LIMIT: z.coerce.number().pipe(z.union([z.literal(100), z.literal(500), z.literal(1000)])).default(1000),
  /** Bybit v5 REST and public linear stream (MARKET_SOURCE=bybit). */
  BYBIT_REST_URL: url.default('https://api.bybit.com'),
  BYBIT_STREAM_URL: url.default('wss://stream.bybit.com/v5/public/linear'),
  /** OKX v5 REST and public stream (MARKET_SOURCE=okx). */
  OKX_REST_URL: url.default('https://www.okx.com'),
  OKX_STREAM_URL: url.default('wss://ws.okx.com:8443/ws/v5/public'),
  DERIBIT_URL: url.default('https://www.deribit.com'),
  FNG_URL: url.default('https://api.alternative.me'),
  COINGECKO_URL: url.default('https://api.coingecko.com'),
  /** FRED API key (free, https://fred.stlouisfed.org/docs/api/api_key.html). Unset: FRED is never asked; macro series without a CSV are UNAVAILABLE. */
  FRED_API_KEY: z.string().regex(/^[A-Za-z0-9]{8,64}$/, 'letters and digits (FRED keys are 32 lowercase alphanumerics)').optional(),
  /** Origin of the FRED API (tests point it at tests/support/fake-fred.ts). */
  FRED_URL: url.default('https://api.stlouisfed.org'),
  /** Which FRED series each macro name reads: `NAME=SERIES_ID,...` over SPX, DXY, GOLD (GOLD has no default). */
  FRED_SERIES: parsedWith(parseFredSeries).default(parseFredSeries(DEFAULT_FRED_SERIES_TEXT)),
  /** Directory of `<NAME>.csv` macro replays (`date,value` rows); a file there wins over FRED for that series. */
  MACRO_CSV_DIR: z.string().min(1).optional(),
  /**
   * Extra macro events (CSV `time,kind,title,importance[,source]`, time in ISO 8601 UTC) from an http(s) URL
   * or a file path, merged with the maintained default calendar (data/macro-events.json).
   */
  MACRO_EVENTS_URL: z.string().min(1).optional(),
  /** Include the maintained default calendar (CPI, FOMC 2026-2027). false: only MACRO_EVENTS_URL (tests use it for a clock-independent calendar). */
  MACRO_EVENTS_DEFAULT: bool.default(true),
  /** Minimum milliseconds between two recomputations of one (analysis, symbol). */
  ANALYSIS_MIN_INTERVAL_MS: positiveInt.default(1_000),
  /** Minimum milliseconds between two persisted snapshots of one (analysis, symbol). */
  SNAPSHOT_EVERY_MS: positiveInt.default(10_000),
  /** How often buffered snapshots are written in one batch. */
  SNAPSHOT_FLUSH_MS: positiveInt.default(2_000),
  /** Snapshots kept in memory while the database is unreachable; the oldest beyond this are dropped and counted. */
  SNAPSHOT_BUFFER_MAX: positiveInt.default(10_000),
  /**
   * Snapshot history kept per analysis kind: comma-separated tiers AGE:RESOLUTION, "up to AGE keep one row
   * per RESOLUTION of asOf" (`full` keeps all; the last AGE may be `forever`; rows older than the last AGE
   * are deleted). Default: every row for an hour, one per 5 minutes up to a day, one per 15 minutes up to
   * 7 days, one per hour up to 90 days — about 0.6 GB for the newest day at 20 symbols (bench:storage).
   */
  SNAPSHOT_RETENTION: parsedWith(parseRetentionPolicy).default(parseRetentionPolicy(DEFAULT_SNAPSHOT_RETENTION)),
  /** Per-kind overrides of SNAPSHOT_RETENTION: `KIND=TIERS;KIND=TIERS`, e.g. `LIQUIDATION_HEATMAP=6h:full,7d:1h`. */
  SNAPSHOT_RETENTION_BY_KIND: parsedWith(parseRetentionByKind).default(new Map()),
  /** How often the retention job prunes and downsamples snapshot history. */
  SNAPSHOT_PRUNE_EVERY_MS: positiveInt.min(1_000).default(300_000),
  /**
   * Market-data archive (README "Archive"): the raw inputs (closed candles, funding, sampled marks, open
   * interest, ratios, taker volume, basis, liquidations, large trades, options chains, sentiment) persisted
   * as they arrive and restored into the market store on the next start, the venue then asked for the gap only.
   */
  ARCHIVE_ENABLED: bool.default(true),
  /** Origins archived and restored (comma list of LIVE, SIMULATED, REPLAY). Default LIVE: simulated and replayed data regenerate. */
  ARCHIVE_ORIGINS: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean))
    .pipe(z.array(z.enum(['LIVE', 'SIMULATED', 'REPLAY'])))
    .default(['LIVE']),
  /** Restore the market store from the archive on start (false: archive only). */
  ARCHIVE_RESTORE: bool.default(true),
  /** How often buffered archive rows are written in one batch. */
  ARCHIVE_FLUSH_MS: positiveInt.default(5_000),
  /** Archive rows kept in memory while the database is unreachable; the oldest beyond this are dropped and counted. */
  ARCHIVE_BUFFER_MAX: positiveInt.default(50_000),
  /** Mark/index prices and live open interest: at most one archived row per symbol per this many ms. */
  ARCHIVE_SAMPLE_MS: positiveInt.min(1_000).default(60_000),
  /** Options chains: at most one archived chain per currency per this many ms. */
  ARCHIVE_OPTIONS_SAMPLE_MS: positiveInt.min(1_000).default(900_000),
  /** Trades of at least this notional (USD) are archived. */
  ARCHIVE_TRADE_MIN_USD: z.coerce.number().positive().default(100_000),
  /** Archive retention per type: TYPE=AGE pairs (see parseArchiveRetention), e.g. candle:1m=180d,default=forever. */
  ARCHIVE_RETENTION: parsedWith(parseArchiveRetention).default(parseArchiveRetention(DEFAULT_ARCHIVE_RETENTION)),
  /** How often the archive retention job runs (and refreshes the rows and bytes per type shown in health). */
  ARCHIVE_PRUNE_EVERY_MS: positiveInt.min(1_000).default(900_000),
  /** Time travel (`market(at:)`): point-in-time stores, one per (at, symbol set), kept at once (LRU). */
  TIME_TRAVEL_CACHE_ENTRIES: positiveInt.default(8),
  /** Time travel: how long a point-in-time store and its results are reused (ms). */
  TIME_TRAVEL_CACHE_TTL_MS: positiveInt.default(60_000),
  /** An analysis whose newest input is older than this is flagged `stale`. */
  STALE_AFTER_MS: positiveInt.default(30_000),
  /** Funding settlements in the z-score window (90 = 30 days at 8 h). */
  FUNDING_HISTORY_WINDOW: positiveInt.min(3).max(1000).default(90),
  /** Serve GraphiQL at `/graphql`. Unset: on, except with NODE_ENV=production (see `resolveProfile`). */
  GRAPHIQL: bool.optional(),
  /** Answer introspection (`__schema`, `__type`). Unset: on, except with NODE_ENV=production; off, it is refused with INTROSPECTION_DISABLED. */
  INTROSPECTION_ENABLED: bool.optional(),
  /** "Did you mean …" suggestions in validation errors. Unset: on, except with NODE_ENV=production. */
  FIELD_SUGGESTIONS_ENABLED: bool.optional(),
  /**
   * Origins browsers may call the API from (CORS): `*` (any origin, never with credentials; the default),
   * `none` (same origin only), or a comma-separated list of origins (`https://app.example.com,http://localhost:5173`).
   */
  CORS_ORIGINS: parsedWith(parseCorsOrigins).default(parseCorsOrigins('*')),
  /** Send `Access-Control-Allow-Credentials: true` to the listed CORS_ORIGINS (never to `*`). */
  CORS_CREDENTIALS: bool.default(false),
  /**
   * Request rate limits per API key and per client address (TRUST_PROXY applied), counted in Redis when
   * REDIS_URL is set (shared by every instance) and in memory otherwise; over budget: RATE_LIMITED, HTTP 429.
   */
  RATE_LIMIT_ENABLED: bool.default(true),
  /** Length of one rate-limit window in seconds (fixed windows). */
  RATE_LIMIT_WINDOW_S: positiveInt.max(86_400).default(60),
  /** Queries (HTTP, and over graphql-ws) per window per client address without an API key. */
  RATE_LIMIT_IP_QUERIES: positiveInt.default(600),
  /** Mutation attempts per window per client address without a valid API key. */
  RATE_LIMIT_IP_MUTATIONS: positiveInt.default(60),
  /** Subscription connections (graphql-ws connection_init, SSE streams) per window per client address without an API key. */
  RATE_LIMIT_IP_SUBSCRIPTIONS: positiveInt.default(60),
  /** Queries per window per API key (whatever address it comes from). */
  RATE_LIMIT_KEY_QUERIES: positiveInt.default(6_000),
  /** Mutations per window per API key. */
  RATE_LIMIT_KEY_MUTATIONS: positiveInt.default(600),
  /** Subscription connections per window per API key. */
  RATE_LIMIT_KEY_SUBSCRIPTIONS: positiveInt.default(600),
  /**
   * Folder of the built dashboard served at `/` (Vite's output of web/). Default: dist/web of this
   * installation. When it holds no index.html the server still starts, logs so, and `/` says how to build it.
   */
  DASHBOARD_DIR: z.string().min(1).optional(),
  /** graphql-ws subscriptions one WebSocket may hold; the next is answered with a LIMIT_EXCEEDED error. */
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: positiveInt.default(100),
  /** Concurrent graphql-ws connections per client IP; further upgrades get HTTP 429 with a LIMIT_EXCEEDED error. */
  WS_MAX_CONNECTIONS_PER_IP: positiveInt.default(256),
  /**
   * graphql-ws keep-alive: every socket is pinged this often and terminated when it has not answered
   * within the same time; 0 disables. Each ping costs a write and a read per socket (≈ 3 % of a core at
   * 10 k connections with the default).
   */
  WS_KEEPALIVE_MS: z.coerce.number().int().min(0).max(3_600_000).default(12_000),
  /**
   * Proxies whose X-Forwarded-For is believed when counting connections per client address: unset or
   * `false` (none: the socket's peer address counts), a hop count (`1`: one proxy, whatever its address),
   * or IPs/CIDRs and `loopback`/`private`/`linklocal` (`10.0.0.0/8,loopback`: only those peers).
   */
  TRUST_PROXY: parsedWith(parseTrustProxy).default(TRUST_NONE),
  /** Bytes a WebSocket may have queued before its subscriptions keep only their latest message (backpressure). */
  WS_MAX_BUFFERED_BYTES: positiveInt.default(1_048_576),
  /** Largest query cost accepted (units of about 0.1 ms of CPU; per-analysis costs in README "Query cost"). */
  QUERY_COST_LIMIT: positiveInt.default(5_000),
  /**
   * Longest delay (ms) of a refused request (cost, complexity or list limits) on a connection that keeps
   * sending them: the first 3 in 10 s are answered at once, then 10 ms doubling up to this; 0 never delays.
   */
  REFUSAL_DELAY_MAX_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** Longest list a variable may hold; longer ones are rejected before coercion (BAD_USER_INPUT, HTTP 400). */
  MAX_LIST_ITEMS: positiveInt.default(1_000),
  /** Largest GraphQL request body in bytes; larger ones get 413 PAYLOAD_TOO_LARGE. */
  MAX_BODY_BYTES: positiveInt.default(100_000),
  /** Longest a cached query response is served (it is also dropped as soon as an analysis it shows recomputes); 0 disables. */
  RESPONSE_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** Query responses kept in the cache (oldest dropped first). */
  RESPONSE_CACHE_MAX_ENTRIES: positiveInt.default(1_000),
  /** Bytes of cached query responses (bodies and keys; a `markets(20)` body is ≈ 2 MB) kept at most, oldest dropped first. */
  RESPONSE_CACHE_MAX_BYTES: positiveInt.default(33_554_432),
  /** On-demand (non-default argument) computations that may wait at once; more get RATE_LIMITED. */
  ONDEMAND_MAX_QUEUED: positiveInt.default(64),
  /** Estimated milliseconds of queued on-demand work beyond which new computations get RATE_LIMITED. */
  ONDEMAND_BUDGET_MS: positiveInt.default(2_000),
  /**
   * Worker threads that compute on-demand analyses off the request loop (each keeps a replica of the
   * market store); also how many run at once. 0 computes them on the main thread, one per event-loop turn.
   */
  ONDEMAND_WORKERS: z.coerce.number().int().min(0).max(16).default(1),
  /** Scheduling priority (Linux nice, 0–19) of the on-demand workers, so they yield the core to the request loop; 0 keeps the default. */
  ONDEMAND_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /**
   * An admin API key accepted from the start (stored hashed at start, never logged), so the first keys can
   * be made through `createApiKey` without the CLI. Must look like a generated key: `npm run apikey -- generate`.
   */
  ADMIN_API_KEY: z.string().regex(KEY_PATTERN, 'must be a perpgraph key, pg_<12 hex>_<43 base64url characters>; make one with `npm run apikey -- generate`').optional(),
  /** true: queries and subscriptions need an API key with the read scope too (mutations always need a key). */
  QUERIES_REQUIRE_KEY: bool.default(false),
  /**
   * Key that encrypts alert channel secrets at rest (AES-256-GCM): 32 bytes as 64 hex digits or base64
   * (`openssl rand -base64 32`). Unset: generated once into DATA_DIR/alerts-secret.key with a warning;
   * instances sharing one database must set the same key.
   */
  ALERTS_SECRET_KEY: parsedWith(parseSecretKey).optional(),
  /** Let alert webhooks reach private, loopback, link-local and other non-public addresses (SSRF guard off). */
  ALERTS_ALLOW_PRIVATE_TARGETS: bool.default(false),
  /** Delivery attempts of one alert on one channel before it is dead-lettered. */
  ALERTS_MAX_ATTEMPTS: positiveInt.max(100).default(8),
  /** First retry delay ceiling (full jitter: a random delay up to base · 2^(attempt-1), capped by ALERTS_BACKOFF_MAX_MS). */
  ALERTS_BACKOFF_BASE_MS: positiveInt.default(2_000),
  ALERTS_BACKOFF_MAX_MS: positiveInt.default(600_000),
  /** How often the delivery dispatcher looks for due deliveries (new alerts of this instance wake it at once). */
  ALERTS_POLL_MS: positiveInt.min(10).default(1_000),
  /** Total time one delivery attempt may take (connect, send, response). */
  ALERTS_DELIVERY_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
  /** Bytes of a receiver's response read at most. */
  ALERTS_MAX_RESPONSE_BYTES: positiveInt.default(65_536),
  /** Deliveries in flight at once per instance. */
  ALERTS_CONCURRENCY: positiveInt.max(64).default(4),
  /** Base of Discord webhook URLs (rules must use <base>/api/webhooks/<id>/<token>); tests point it at a fake. */
  ALERTS_DISCORD_API_URL: url.default('https://discord.com'),
  /** Base of the Telegram Bot API; tests point it at a fake. */
  ALERTS_TELEGRAM_API_URL: url.default('https://api.telegram.org'),
  /** How often each instance re-reads the alert rules (a change through another instance is seen within this). */
  ALERTS_RULES_RELOAD_MS: positiveInt.min(100).default(5_000),
  /** Shortest period between two slots of a digest schedule (a cron firing more often is refused); tests lower it. */
  ALERTS_DIGEST_MIN_PERIOD_MS: positiveInt.min(1_000).default(60_000),
  /**
   * Backtest and optimisation jobs (README "Backtests"). The queue: pg-boss on Postgres (DATABASE_URL set:
   * shared by instances, survives restarts), an in-process queue on the embedded database; `memory` forces the
   * in-process one.
   */
  BACKTEST_QUEUE: z.enum(['auto', 'memory']).default('auto'),
  /** Backtest jobs run at once on one instance (each in its own worker thread). */
  BACKTEST_CONCURRENCY: positiveInt.max(16).default(1),
  /** Scheduling priority (Linux nice, 0–19) of backtest worker threads, so they yield the core to the request loop; 0 keeps the default. */
  BACKTEST_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /** Jobs queued or running at most (cluster-wide); startBacktest beyond it is refused with LIMIT_EXCEEDED. */
  BACKTEST_MAX_PENDING: positiveInt.default(20),
  /** Simulated bars one backtest may cover at most. */
  BACKTEST_MAX_BARS: positiveInt.default(200_000),
  /** Backtests one optimisation may run at most (candidates × (walk-forward windows + 1) + windows). */
  BACKTEST_MAX_EVALUATIONS: positiveInt.default(500),
  /** Least milliseconds between two progress writes (and backtestProgress events) of one job. */
  BACKTEST_PROGRESS_EVERY_MS: positiveInt.min(50).default(500),
  /** Directory that REPLAY data sources name their recording relative to. */
  BACKTEST_REPLAY_ROOT: z.string().min(1).default('../shared/data'),
  /** pg-boss: seconds after which a job whose instance died is retried elsewhere. */
  BACKTEST_JOB_EXPIRE_S: positiveInt.min(10).default(3_600),
  /** pg-boss: runs of one job at most (an instance stopping mid-run uses one). */
  BACKTEST_MAX_ATTEMPTS: positiveInt.max(100).default(5),
  /** pg-boss: how often an idle worker looks for a job (seconds, at least 0.5). */
  BACKTEST_POLL_S: z.coerce.number().min(0.5).max(60).default(1),
  /** pg-boss: its schema in the database. */
  BACKTEST_PGBOSS_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'lower-case SQL identifier').default('pgboss'),
  /** Milliseconds to wait for in-flight work on shutdown before exiting anyway. */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
});

type ParsedConfig = z.infer<typeof configSchema>;

/** Settings whose default depends on NODE_ENV: resolved to booleans by `loadConfig`. */
type ProfileSetting = 'GRAPHIQL' | 'INTROSPECTION_ENABLED' | 'FIELD_SUGGESTIONS_ENABLED';

export type Config = Omit<ParsedConfig, ProfileSetting> & Record<ProfileSetting, boolean>;

/**
 * The production profile: with NODE_ENV=production, GraphiQL, introspection and field suggestions are off
 * unless set explicitly; in development and test they are on. An explicit setting always wins.
 */
export function resolveProfile(config: ParsedConfig): Config {
  const exploring = config.NODE_ENV !== 'production';
  return {
    ...config,
    GRAPHIQL: config.GRAPHIQL ?? exploring,
    INTROSPECTION_ENABLED: config.INTROSPECTION_ENABLED ?? exploring,
    FIELD_SUGGESTIONS_ENABLED: config.FIELD_SUGGESTIONS_ENABLED ?? exploring,
  };
}

function crossChecks(config: ParsedConfig): string[] {
  const problems: string[] = [];
  if (config.ROLE === 'api' && !config.REDIS_URL) problems.push('ROLE: "api" serves what other instances publish, so REDIS_URL must be set');
  if (config.MARKET_SOURCE === 'replay' && !config.REPLAY_DIR) problems.push('REPLAY_DIR: MARKET_SOURCE=replay needs the directory of the recordings');
  if (config.MARKET_SOURCE === 'replay' && config.MARKET_VENUES.length > 0) problems.push('MARKET_VENUES: a replay is one recorded venue; other venues cannot be ingested next to it');
  if (config.REPLAY_LOOP && config.REPLAY_SPEED === 0) problems.push('REPLAY_LOOP: looping needs REPLAY_SPEED > 0');
  if (config.CORS_CREDENTIALS && config.CORS_ORIGINS.kind !== 'list') problems.push('CORS_CREDENTIALS: credentials are only ever allowed to a list of origins in CORS_ORIGINS (not "*" or "none")');
  return problems;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Settings whose value is a credential: an error about them never quotes it. */
const SECRET_SETTINGS: ReadonlySet<string> = new Set(['METRICS_TOKEN', 'OTEL_EXPORTER_OTLP_HEADERS', 'ADMIN_API_KEY', 'ALERTS_SECRET_KEY']);

/** Empty strings count as unset, as shells and .env files commonly produce them. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.') || '(environment)';
        const value = SECRET_SETTINGS.has(String(issue.path[0])) ? undefined : cleaned[String(issue.path[0])];
        return `${name}: ${issue.message}${value === undefined ? '' : ` (got ${redactSecrets(JSON.stringify(value))})`}`;
      }),
    );
  }
  const problems = crossChecks(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return resolveProfile(parsed.data);
}
