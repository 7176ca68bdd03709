import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { getOperationAST, GraphQLError, Kind, type DocumentNode, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, maskError as defaultMaskError, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { AppServices, GraphQLContext } from './context.js';
import { AppError, ErrorCodes, toAppError } from './errors.js';
import type { HealthReport } from './health.js';
import type { Logger } from './logger.js';
import { schema } from './schema/index.js';
import { createSubscriptionMultiplexer, subscriptionKey, type MultiplexerStats, type SubscriptionTarget } from './subscriptions/multiplexer.js';

export interface HttpServerOptions {
  services: AppServices;
  logger: Logger;
  graphiql: boolean;
  health(): Promise<HealthReport>;
  /** graphql-ws limits and backpressure (see README, Subscriptions). */
  subscriptions?: { maxPerConnection: number; maxConnectionsPerIp: number; maxBufferedBytes: number };
}

const SUBSCRIPTION_DEFAULTS = { maxPerConnection: 100, maxConnectionsPerIp: 256, maxBufferedBytes: 1_048_576 };

export interface HttpServer {
  server: Server;
  yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
  /** Multiplexed graphql-ws fan-out counters (groups, subscribers, executions, delivered, dropped). */
  subscriptionStats(): MultiplexerStats;
}

const GRAPHQL_PATH = '/graphql';

type EnvelopedRoot = {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
  /** Which multiplexed group this graphql-ws subscription joins, and where its messages go. */
  multiplex: { key: string; target: SubscriptionTarget; replayLatest: boolean };
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
  const first = getOperationAST(document, operationName)?.selectionSet.selections[0];
  return first?.kind === Kind.FIELD && first.name.value.endsWith('Updated');
}

/**
 * One node:http server: GraphQL over HTTP and SSE (yoga), graphql-ws on the same path, GraphiQL with
 * subscriptions over WebSocket, `/health` (liveness) and `/ready` (readiness).
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { services, logger } = options;
  const yoga = createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: () => ({ services }),
    graphiql: options.graphiql ? { subscriptionsProtocol: 'WS', title: 'perpgraph' } : false,
    landingPage: false,
    // Public API: bound what one document may ask for. Field suggestions stay on (nothing here is secret,
    // and they help people exploring in GraphiQL).
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: 12, ignoreIntrospection: true, flattenFragments: true },
        maxAliases: { n: 30 },
        maxDirectives: { n: 30 },
        maxTokens: { n: 2_000 },
        costLimit: { maxCost: 20_000, ignoreIntrospection: true },
        blockFieldSuggestion: { enabled: false },
      }),
    ],
    logging: {
      debug: (...args) => logger.debug(args.length === 1 ? args[0] : args),
      info: (...args) => logger.info(args.length === 1 ? args[0] : args),
      warn: (...args) => logger.warn(args.length === 1 ? args[0] : args),
      error: (...args) => logger.error(args.length === 1 ? args[0] : args),
    },
    maskedErrors: {
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
        const mapped = toAppError(original);
        if (mapped instanceof GraphQLError) {
          if (!(error instanceof GraphQLError) || mapped === error) return mapped;
          // Keep the location and path of the failing field, take the message and code of the mapped error.
          return new GraphQLError(mapped.message, { nodes: error.nodes, path: error.path, extensions: mapped.extensions });
        }
        logger.error({ err: original }, 'unexpected error while executing an operation');
        return defaultMaskError(error, message, isDev);
      },
    },
  });

  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
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
    if (path === '/') {
      res.writeHead(302, { location: GRAPHQL_PATH }).end();
      return;
    }
    void yoga(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const limits = { ...SUBSCRIPTION_DEFAULTS, ...options.subscriptions };
  const multiplexer = createSubscriptionMultiplexer({ maxBufferedBytes: limits.maxBufferedBytes });
  const connectionsPerIp = new Map<string, number>();
  const wsServer = new WebSocketServer({ noServer: true });
  wsServer.on('connection', (ws, req: IncomingMessage) => {
    const ip = req.socket.remoteAddress ?? '';
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
    const ip = req.socket.remoteAddress ?? '';
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
  const wsCleanup = useServer<Record<string, unknown>>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      // Multiplexed: one source stream and one execution per (document, operation, variables) group.
      subscribe: (args) => {
        const root = args.rootValue as EnvelopedRoot;
        const { key, target, replayLatest } = root.multiplex;
        return multiplexer.join(key, target, replayLatest, () => root.subscribe(args) as never) as never;
      },
      // Any failure before execution answers this one subscription with an `error` message; it never
      // reaches graphql-ws as a throw, which would close the whole socket (4500) and every healthy
      // subscription on it.
      onSubscribe: async (ctx, id, params) => {
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
          });
          let document: DocumentNode;
          try {
            document = parse(params.query);
          } catch (error) {
            if (error instanceof GraphQLError) return [coded(error, 'GRAPHQL_PARSE_FAILED')];
            throw error;
          }
          const errors = validate(envelopedSchema, document);
          if (errors.length) return errors.map((error: GraphQLError) => coded(error, 'GRAPHQL_VALIDATION_FAILED'));
          const multiplex: EnvelopedRoot['multiplex'] = {
            key: subscriptionKey(params.query, params.operationName, params.variables),
            target: { socket: ctx.extra.socket, id },
            replayLatest: isStateSubscription(document, params.operationName),
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
      },
    },
    wsServer,
  );

  return {
    server,
    yoga,
    subscriptionStats: () => multiplexer.stats(),
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
