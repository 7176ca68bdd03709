import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createGraphiQLRenderer, GRAPHIQL_STARTER_QUERY } from './http/graphiql.js';
import type { Socket } from 'node:net';
import { getOperationAST, GraphQLError, Kind, type DocumentNode, type ExecutionArgs, type ValidationContext } from 'graphql';
import { useServer, type Extra as WsExtra } from 'graphql-ws/use/ws';
import type { ServerOptions } from 'graphql-ws';
import { createGraphQLError, createYoga, maskError as defaultMaskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { AppServices, GraphQLContext } from './context.js';
import { AppError, CLIENT_ERROR_CODES, ErrorCodes, redactSecrets, toAppError } from './errors.js';
import type { HealthReport } from './health.js';
import type { Logger } from './logger.js';
import { schema } from './schema/index.js';
import { createSubscriptionMultiplexer, subscriptionKey, type MultiplexerStats, type SubscriptionTarget } from './subscriptions/multiplexer.js';
import { createStreamMultiplexer, type StreamMultiplexer } from './subscriptions/stream-multiplexer.js';
import { createCostPrecheck, useQueryCost } from './http/cost.js';
import { clientAddress, TRUST_NONE, type TrustProxy } from './domain/client-address.js';
import { createGraphqlHandler, trackingServices, type ResponseDeps } from './http/graphql-handler.js';
import { createFragmentCache, type FragmentCacheStats } from './http/fragment-cache.js';
import type { Observability } from './observability/index.js';
import type { SubscriptionSample } from './observability/metrics.js';
import { ANONYMOUS, type Authenticator, type RequestAuth } from './auth/authenticator.js';
import { operationAccess, useAccessControl, type AccessPolicy, type CredentialsContext } from './auth/access.js';
import type { DashboardHandler } from './http/dashboard.js';
import { createCors, type CorsOptions } from './http/cors.js';
import { RateClasses, type RateClass, type RateLimiter } from './http/rate-limit.js';

export interface HttpServerOptions {
  services: AppServices;
  logger: Logger;
  graphiql: boolean;
  health(): Promise<HealthReport>;
  /** graphql-ws limits and backpressure (see README, Subscriptions). */
  subscriptions?: { maxPerConnection: number; maxConnectionsPerIp: number; maxBufferedBytes: number; keepAliveMs?: number };
  /** Which proxies' X-Forwarded-For names the client address for per-IP limits (TRUST_PROXY); default none. */
  trustProxy?: TrustProxy;
  /** Request limits and the response cache (QUERY_COST_LIMIT, MAX_LIST_ITEMS, MAX_BODY_BYTES, RESPONSE_CACHE_*). */
  limits?: HttpLimits;
  /** Metrics (`/metrics`, request counting) and tracing plugins; see src/observability/. */
  observability?: Observability;
  /** API keys: who a request is (Authorization header, graphql-ws connectionParams) and what needs a key. Absent: nobody is authenticated. */
  auth?: { authenticator: Authenticator; policy: AccessPolicy };
  /** The dashboard's static files (src/http/dashboard.ts) at `/`; without it `/` redirects to GraphiQL. */
  dashboard?: DashboardHandler;
  /** CORS of `/graphql` (CORS_ORIGINS, CORS_CREDENTIALS); default `*` without credentials. */
  cors?: CorsOptions;
  /** Request rate limits per API key and client address (src/http/rate-limit.ts); absent: none. */
  rateLimiter?: RateLimiter;
  /** Introspection and "Did you mean" suggestions (the production profile turns both off); default both on. */
  exploration?: { introspection: boolean; fieldSuggestions: boolean };
}

const SUBSCRIPTION_DEFAULTS = { maxPerConnection: 100, maxConnectionsPerIp: 256, maxBufferedBytes: 1_048_576 };
/** graphql-ws's own default keep-alive interval. */
const KEEPALIVE_MS = 12_000;

export interface HttpLimits {
  maxCost: number;
  maxListItems: number;
  maxBodyBytes: number;
  cacheTtlMs: number;
  cacheMaxEntries: number;
  cacheMaxBytes: number;
  /** REFUSAL_DELAY_MAX_MS: how long a connection that keeps sending refused documents waits for each refusal at most. */
  refusalDelayMaxMs: number;
}

/** Tokens one document may hold (graphql-armor maxTokens, and the cost precheck's parse). */
const MAX_TOKENS = 2_000;

const DEFAULT_LIMITS: HttpLimits = { maxCost: 5_000, maxListItems: 1_000, maxBodyBytes: 100_000, cacheTtlMs: 1_000, cacheMaxEntries: 1_000, cacheMaxBytes: 32 * 1_048_576, refusalDelayMaxMs: 1_000 };

export interface HttpServer {
  server: Server;
  yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
  /** Multiplexed graphql-ws fan-out counters (groups, subscribers, executions, delivered, dropped). */
  subscriptionStats(): MultiplexerStats;
  /** The same counters for subscriptions over SSE. */
  sseSubscriptionStats(): MultiplexerStats;
  /** Per-market fragments of `markets(symbols)` responses: reused, executed, fallbacks to one execution, held. */
  fragmentCacheStats(): FragmentCacheStats;
  /** The whole-response cache in front of yoga: hits, coalesced requests and misses (executions) since start. */
  responseCacheStats(): { hits: number; coalesced: number; misses: number };
  /** Open sockets and subscriptions per transport and root field, for `/metrics`. */
  subscriptionSample(): SubscriptionSample;
}

const GRAPHQL_PATH = '/graphql';
/** Close code of a graphql-ws connection refused by the rate limit (graphql-ws's "too many" code, fatal for its client). */
export const WS_RATE_LIMITED = 4429;

/**
 * graphql-armor words its rejections "Syntax Error: …" and sends no code. Each limit instead reports a
 * QUERY_TOO_COMPLEX validation error (HTTP 400) naming the limit; the token limit runs inside the parser,
 * so there the coded error is thrown in place of armor's.
 */
function armorRejection(limit: 'aliases' | 'directives' | 'depth' | 'tokens'): Array<(ctx: ValidationContext | null, error: GraphQLError) => void> {
  return [
    (ctx, error) => {
      const detail = error.message.replace(/^Syntax Error: /, '');
      const coded = new AppError(ErrorCodes.QUERY_TOO_COMPLEX, `Query too complex: ${detail}`, { limit, http: { status: 400 } });
      if (ctx) ctx.reportError(coded);
      else throw coded;
    },
  ];
}

/** Bad percent-encoded JSON in GET/form `variables` or `extensions` is the client's fault: 400 BAD_REQUEST, no parser text. */
function useCodedRequestErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (error instanceof GraphQLError && error.extensions.code) {
            // yoga's "POST body sent invalid JSON." carries the JSON parser's text as originalError: drop it.
            throw createGraphQLError(error.message, { extensions: { code: error.extensions.code, http: { status: 400 } } });
          }
          if (error instanceof SyntaxError) {
            throw createGraphQLError('Request parameters "variables" and "extensions" must be JSON objects (URL-encoded).', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          throw error;
        }
      });
    },
  };
}

/**
 * Refuses `__schema` and `__type` (INTROSPECTION_ENABLED=false) with a coded error, in validation, so
 * HTTP, SSE and graphql-ws alike refuse before executing anything. `__typename` stays allowed.
 */
function useIntrospectionDisabled(): Plugin {
  const rule = (context: ValidationContext) => ({
    Field(node: { name: { value: string } }) {
      if (node.name.value !== '__schema' && node.name.value !== '__type') return;
      context.reportError(
        new AppError(ErrorCodes.INTROSPECTION_DISABLED, `Introspection is disabled on this server (field "${node.name.value}"); the schema is published as schema.graphql.`, {
          http: { status: 400 },
        }),
      );
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule as never);
    },
  };
}

/** An error graphql-js raised about the operation's variables (coercion, missing, wrong type). */
const isVariableError = (error: GraphQLError) => /^Variable "\$[^"]+" /.test(error.message);


type EnvelopedRoot = {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
  /** Which multiplexed group this graphql-ws subscription joins, and where its messages go. */
  multiplex: { key: string; target: SubscriptionTarget; replayLatest: boolean; field: string };
};

/** A GraphQLError with `code` in its extensions unless it has one already. */
function coded(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/**
 * State subscriptions (`*Updated`) replay the group's latest payload to a late joiner; event streams
 * (liquidation, whaleTrade, trapDetected, …) do not, since an old event is not news.
 */
function isStateSubscription(document: DocumentNode, operationName: string | null | undefined): boolean {
  return rootField(document, operationName).endsWith('Updated');
}

/** The subscription's root field (a subscription has exactly one), for metrics labels. */
function rootField(document: DocumentNode, operationName: string | null | undefined): string {
  const first = getOperationAST(document, operationName)?.selectionSet.selections[0];
  return first?.kind === Kind.FIELD ? first.name.value : 'unknown';
}

/**
 * Subscriptions over SSE (yoga iterates their results) are multiplexed like graphql-ws ones: one source
 * and one execution per (document, operation, variables) group, and one serialisation per event (see
 * stream-multiplexer.ts). graphql-ws subscriptions carry their own group in `rootValue` and pass through.
 */
function useMultiplexedStreams(multiplexer: StreamMultiplexer): Plugin {
  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      if ((args.rootValue as Partial<EnvelopedRoot> | undefined)?.multiplex) return;
      const params = (args.contextValue as { params?: { query?: string; operationName?: string | null; variables?: Record<string, unknown> | null } }).params;
      if (!params?.query) return;
      const key = subscriptionKey(params.query, params.operationName, params.variables);
      setSubscribeFn((subscribeArgs) => {
        const field = rootField(subscribeArgs.document, subscribeArgs.operationName);
        return multiplexer.join(key, field.endsWith('Updated'), () => subscribeFn(subscribeArgs) as never, field) as never;
      });
    },
  };
}

/**
 * One node:http server: GraphQL over HTTP and SSE (yoga), graphql-ws on the same path, GraphiQL with
 * subscriptions over WebSocket, `/health` (liveness) and `/ready` (readiness).
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { services, logger } = options;
  const policy: AccessPolicy = options.auth?.policy ?? { queriesRequireKey: false };
  const exploration = options.exploration ?? { introspection: true, fieldSuggestions: true };
  const cors = createCors(options.cors ?? { origins: { kind: 'any' }, credentials: false });
  /** Credentials of a header value; a store failure refuses what needs a key (503) instead of failing the request. */
  const authenticate = async (header: string | undefined | null): Promise<RequestAuth> => {
    if (!options.auth || !header) return ANONYMOUS;
    try {
      return await options.auth.authenticator.authenticate(header);
    } catch (error) {
      logger.warn({ err: error }, 'API key lookup failed');
      return {
        auth: null,
        failure: new AppError(ErrorCodes.UPSTREAM_UNAVAILABLE, 'The API key cannot be checked right now (database unavailable). Try again shortly.', { component: 'database', http: { status: 503 } }),
      };
    }
  };
  const httpLimits = options.limits ?? DEFAULT_LIMITS;
  const limits = { ...SUBSCRIPTION_DEFAULTS, ...options.subscriptions };
  // SSE streams keep at most this many unread events (the oldest are dropped): as many as a congested
  // graphql-ws socket would have buffered at ~1 KB a message, never an unbounded queue.
  const streams = createStreamMultiplexer({ maxPending: Math.max(16, Math.ceil(limits.maxBufferedBytes / 1024)) });
  // Shared by the HTTP handler (refuses over-cost documents ahead of yoga) and useQueryCost (skips the walk it passed).
  const precheck = createCostPrecheck({ schema, maxCost: httpLimits.maxCost, maxListItems: httpLimits.maxListItems, maxTokens: MAX_TOKENS });
  // Fragments are bounded like whole responses: the same byte bound, 10 per response entry allowed.
  const fragments = createFragmentCache({
    services,
    ttlMs: httpLimits.cacheTtlMs,
    maxEntries: httpLimits.cacheMaxEntries * 10,
    maxBytes: httpLimits.cacheMaxBytes,
    now: services.now,
  });
  /** Faults maskError logged (yoga then reports the same error to `logging.error`). */
  const faultsLogged = new WeakSet<Error>();
  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: (initial) => ({
      services: trackingServices(services, (initial as { deps?: ResponseDeps }).deps),
      auth: (initial as CredentialsContext).credentials?.auth ?? null,
    }),
    graphiql: options.graphiql ? { subscriptionsProtocol: 'WS', title: 'perpgraph', defaultQuery: GRAPHIQL_STARTER_QUERY } : false,
    renderGraphiQL: createGraphiQLRenderer(),
    landingPage: false,
    // CORS is answered in front of yoga for every response of /graphql (src/http/cors.ts).
    cors: false,
    // Public API: bound what one document may ask for. Field suggestions are on unless the production
    // profile (or FIELD_SUGGESTIONS_ENABLED=false) turns them off: nothing here is secret, but they map the
    // schema for anyone when introspection is off.
    plugins: [
      // First, so that they see every operation, including those a later plugin answers from a cache.
      ...(options.observability?.plugins ?? []),
      // First: refuses by credentials before any other plugin reads the operation's input (see access.ts).
      useAccessControl(policy),
      EnvelopArmorPlugin({
        maxDepth: { n: 12, ignoreIntrospection: true, flattenFragments: true, propagateOnRejection: false, onReject: armorRejection('depth') },
        maxAliases: { n: 30, propagateOnRejection: false, onReject: armorRejection('aliases') },
        maxDirectives: { n: 30, propagateOnRejection: false, onReject: armorRejection('directives') },
        maxTokens: { n: MAX_TOKENS, onReject: armorRejection('tokens') },
        // No armor costLimit: one cost model (src/http/cost.ts, useQueryCost) bounds cost and fragment expansion.
        costLimit: { enabled: false },
        blockFieldSuggestion: { enabled: !exploration.fieldSuggestions },
      }),
      ...(exploration.introspection ? [] : [useIntrospectionDisabled()]),
      useCodedRequestErrors(),
      useQueryCost({ maxCost: httpLimits.maxCost, maxListItems: httpLimits.maxListItems, precheck }),
      // After the cost check: only an operation allowed to run is split into fragments.
      fragments.plugin,
      useMultiplexedStreams(streams),
    ],
    logging: {
      debug: (...args) => logger.debug(args.length === 1 ? args[0] : args),
      info: (...args) => logger.info(args.length === 1 ? args[0] : args),
      warn: (...args) => logger.warn(args.length === 1 ? args[0] : args),
      // yoga logs here every error maskError replaced: expected ones (client or upstream faults) are not
      // server errors, so they go out at info/warn without a stack.
      error: (...args) => {
        const [first] = args;
        const mapped = args.length === 1 ? toAppError(first) : undefined;
        const code = mapped instanceof GraphQLError ? mapped.extensions.code : undefined;
        if (typeof code === 'string') {
          const line = { code, message: redactSecrets((mapped as GraphQLError).message) };
          if (CLIENT_ERROR_CODES.has(code)) logger.info(line, 'request rejected');
          else logger.warn(line, 'operation hit an upstream fault');
          return;
        }
        // An unexpected fault maskError has just logged at error with its context: once is enough.
        if (first instanceof GraphQLError && faultsLogged.has(first.originalError ?? first)) return;
        logger.error(args.length === 1 ? args[0] : args);
      },
    },
    maskedErrors: {
      maskError(error, message, isDev) {
        if (error instanceof GraphQLError && (error.originalError == null || error.originalError instanceof GraphQLError)) {
          // A GraphQL error as such (parse, validation, variables, an AppError at its path): keep its message
          // (graphql-js's 'Variable "$v" got invalid value …' included) and make sure it carries a code.
          // Coded in place, as yoga does itself: returning another object would make yoga log it at error level.
          const coded = error;
          if (typeof error.extensions.code !== 'string') {
            const extensions = error.extensions as Record<string, unknown>;
            extensions.code = isVariableError(error) ? ErrorCodes.BAD_USER_INPUT : 'GRAPHQL_VALIDATION_FAILED';
            extensions.http = { status: 400 };
          }
          const code = String(coded.extensions.code);
          if (CLIENT_ERROR_CODES.has(code)) logger.info({ code, message: coded.message, path: coded.path }, 'request rejected');
          else logger.warn({ code, message: redactSecrets(coded.message), path: coded.path }, 'operation hit an upstream fault');
          return coded;
        }
        const original = error instanceof GraphQLError ? error.originalError! : error;
        const mapped = toAppError(original);
        if (mapped instanceof GraphQLError) {
          // Keep the location and path of the failing field, take the message and code of the mapped error.
          return error instanceof GraphQLError
            ? new GraphQLError(mapped.message, { nodes: error.nodes, path: error.path, extensions: mapped.extensions })
            : mapped;
        }
        logger.error({ err: original }, 'unexpected error while executing an operation');
        if (original instanceof Error) faultsLogged.add(original);
        return defaultMaskError(error, message, isDev);
      },
    },
  });

  const trustProxy = options.trustProxy ?? TRUST_NONE;
  const graphql = createGraphqlHandler({
    fetch: (url, init, serverContext) => yoga.fetch(url, init, serverContext),
    services,
    maxBodyBytes: httpLimits.maxBodyBytes,
    cacheTtlMs: httpLimits.cacheTtlMs,
    cacheMaxEntries: httpLimits.cacheMaxEntries,
    cacheMaxBytes: httpLimits.cacheMaxBytes,
    now: services.now,
    precheck,
    refusalDelayMaxMs: httpLimits.refusalDelayMaxMs,
    clientOf: (req) => clientAddress(req, trustProxy),
    onRejected: (error) => {
      options.observability?.countError(String(error.extensions.code));
      logger.info({ code: error.extensions.code, message: error.message }, 'request rejected');
    },
    authenticate: (req) => authenticate(req.headers.authorization),
    ...(options.rateLimiter ? { rateLimit: (req: IncomingMessage, credentials: RequestAuth | undefined, kind: RateClass) => options.rateLimiter!.consume(kind, { ip: clientAddress(req, trustProxy), keyId: credentials?.auth?.keyId ?? null }) } : {}),
    // A mutation over GET is left to yoga, which answers 405 whoever sends it.
    authorize: (query, operationName, credentials, method) => {
      const document = precheck.document(query);
      if (!document || (method === 'GET' && getOperationAST(document, operationName)?.operation === 'mutation')) return undefined;
      return operationAccess(schema, document, operationName, credentials, policy);
    },
  });
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    options.observability?.observeHttp(req, res, path);
    if (path === '/metrics' && options.observability?.metricsHandler) {
      options.observability.metricsHandler(req, res);
      return;
    }
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path === '/ready') {
      options.health().then(
        (report) => {
          res.writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(report));
        },
        (error: unknown) => {
          logger.error({ err: error }, 'readiness check failed');
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"ready":false}');
        },
      );
      return;
    }
    if (options.dashboard?.handles(path)) {
      options.dashboard.serve(req, res, path);
      return;
    }
    if (path === '/') {
      res.writeHead(302, { location: GRAPHQL_PATH }).end();
      return;
    }
    if (path === GRAPHQL_PATH) {
      if (req.method === 'OPTIONS') {
        cors.preflight(req, res);
        return;
      }
      cors.apply(req, res);
      graphql(req, res);
    } else void yoga(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const multiplexer = createSubscriptionMultiplexer({ maxBufferedBytes: limits.maxBufferedBytes });
  const connectionsPerIp = new Map<string, number>();
  // permessage-deflate stays off (ws's default, stated here): compressing per socket would undo sending
  // every subscriber the same bytes.
  const wsServer = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const keepAliveMs = limits.keepAliveMs ?? KEEPALIVE_MS;
  wsServer.on('connection', (ws, req: IncomingMessage) => {
    const ip = clientAddress(req, trustProxy);
    connectionsPerIp.set(ip, (connectionsPerIp.get(ip) ?? 0) + 1);
    ws.once('close', () => {
      const left = (connectionsPerIp.get(ip) ?? 1) - 1;
      if (left > 0) connectionsPerIp.set(ip, left);
      else connectionsPerIp.delete(ip);
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if ((req.url ?? '/').split('?')[0] !== GRAPHQL_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    if (!cors.allowsSocket(req)) {
      const body = JSON.stringify({ errors: [new AppError(ErrorCodes.FORBIDDEN, 'This origin may not open WebSocket connections to this server (CORS_ORIGINS).', { origin: req.headers.origin }).toJSON()] });
      socket.end(`HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    const ip = clientAddress(req, trustProxy);
    if ((connectionsPerIp.get(ip) ?? 0) >= limits.maxConnectionsPerIp) {
      const body = JSON.stringify({
        errors: [
          new AppError(ErrorCodes.LIMIT_EXCEEDED, `At most ${limits.maxConnectionsPerIp} WebSocket connections per client address`, {
            limit: limits.maxConnectionsPerIp,
          }).toJSON(),
        ],
      });
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit('connection', ws, req));
  });
  /** graphql-ws credentials per connection, from connectionParams.authorization or else the upgrade request's header. */
  const wsCredentials = new WeakMap<object, RequestAuth>();
  const wsCleanup = useServer<Record<string, unknown>>(
    {
      onConnect: async (ctx) => {
        const fromParams = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const header = typeof fromParams === 'string' ? fromParams : ctx.extra.request.headers.authorization;
        const credentials = await authenticate(header);
        wsCredentials.set(ctx.extra, credentials);
        const refusal = await options.rateLimiter?.consume(RateClasses.SUBSCRIPTION, { ip: clientAddress(ctx.extra.request, trustProxy), keyId: credentials.auth?.keyId ?? null });
        if (refusal) {
          // Before the ack: the socket is closed with 4429 (graphql-ws clients treat it as fatal, no
          // reconnect loop) and the coded refusal as its reason (a close reason holds at most 123 bytes).
          options.observability?.countError(ErrorCodes.RATE_LIMITED);
          const { kind, subject, retryAfterMs } = refusal.extensions as { kind: string; subject: string; retryAfterMs: number };
          ctx.extra.socket.close(WS_RATE_LIMITED, JSON.stringify({ code: ErrorCodes.RATE_LIMITED, limit: 'requests', kind, subject, retryAfterMs }));
          return false;
        }
        return true;
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      // Multiplexed: one source stream and one execution per (document, operation, variables) group.
      subscribe: (args) => {
        const root = args.rootValue as EnvelopedRoot;
        const { key, target, replayLatest, field } = root.multiplex;
        return multiplexer.join(key, target, replayLatest, () => root.subscribe(args) as never, field) as never;
      },
      // Any failure before execution answers this one subscription with an `error` message; it never
      // reaches graphql-ws as a throw, which would close the whole socket (4500) and every healthy
      // subscription on it.
      onSubscribe: async (ctx, id, params) => {
        const prepared = await prepareSubscription(ctx, id, params);
        // Refusals before execution never reach yoga's result hooks: counted here, by code, like HTTP ones.
        if (Array.isArray(prepared)) for (const error of prepared) options.observability?.countError(String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
        return prepared;
      },
    },
    wsServer,
    // graphql-ws pings every socket this often and terminates one that has not answered by the next
    // ping. At 10 k idle connections this costs ≈ 3 % of a core (mostly the kernel's ping/pong), see
    // README "Subscriptions".
    keepAliveMs,
  );

  /** What graphql-ws executes for one `subscribe` message, or the coded errors that answer it instead. */
  async function prepareSubscription(
    ctx: Parameters<NonNullable<ServerOptions<Record<string, unknown>, WsExtra>['onSubscribe']>>[0],
    id: string,
    params: Parameters<NonNullable<ServerOptions<Record<string, unknown>, WsExtra>['onSubscribe']>>[2],
  ): Promise<readonly GraphQLError[] | ExecutionArgs> {
    try {
      // graphql-ws has already registered this id, so the count includes it.
      if (Object.keys(ctx.subscriptions).length > limits.maxPerConnection) {
        return [
          new AppError(ErrorCodes.LIMIT_EXCEEDED, `At most ${limits.maxPerConnection} subscriptions per connection`, {
            limit: limits.maxPerConnection,
          }),
        ];
      }
      const { schema: envelopedSchema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ...ctx,
        req: ctx.extra.request,
        socket: ctx.extra.socket,
        params,
        credentials: wsCredentials.get(ctx.extra) ?? ANONYMOUS,
      } satisfies CredentialsContext & Record<string, unknown>);
      let document: DocumentNode;
      try {
        document = parse(params.query);
      } catch (error) {
        if (error instanceof GraphQLError) return [coded(error, 'GRAPHQL_PARSE_FAILED')];
        throw error;
      }
      const errors = validate(envelopedSchema, document);
      if (errors.length) return errors.map((error: GraphQLError) => coded(error, 'GRAPHQL_VALIDATION_FAILED'));
      // Queries and mutations sent over the socket count like HTTP ones (subscriptions count per connection).
      const operation = getOperationAST(document, params.operationName)?.operation;
      if (options.rateLimiter && (operation === 'query' || operation === 'mutation')) {
        const credentials = wsCredentials.get(ctx.extra) ?? ANONYMOUS;
        const refusal = await options.rateLimiter.consume(operation, { ip: clientAddress(ctx.extra.request, trustProxy), keyId: credentials.auth?.keyId ?? null });
        if (refusal) return [refusal];
      }
      const multiplex: EnvelopedRoot['multiplex'] = {
        key: subscriptionKey(params.query, params.operationName, params.variables),
        target: { socket: ctx.extra.socket, id },
        replayLatest: isStateSubscription(document, params.operationName),
        field: rootField(document, params.operationName),
      };
      return {
        schema: envelopedSchema,
        operationName: params.operationName,
        document,
        variableValues: params.variables,
        contextValue: await contextFactory(),
        rootValue: { execute, subscribe, multiplex } satisfies EnvelopedRoot,
      };
    } catch (error) {
      if (error instanceof GraphQLError) return [coded(error, 'GRAPHQL_VALIDATION_FAILED')];
      logger.error({ err: error }, 'unexpected error while preparing a subscription');
      return [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
    }
  }

  return {
    server,
    yoga,
    subscriptionStats: () => multiplexer.stats(),
    sseSubscriptionStats: () => streams.stats(),
    fragmentCacheStats: () => fragments.stats(),
    responseCacheStats: () => graphql.stats(),
    subscriptionSample: () => ({
      wsConnections: wsServer.clients.size,
      ws: multiplexer.stats(),
      sse: streams.stats(),
      wsByField: multiplexer.byField(),
      sseByField: streams.byField(),
    }),
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    async close() {
      multiplexer.dispose();
      streams.dispose();
      await wsCleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // SSE streams and keep-alive sockets would hold close() forever.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
