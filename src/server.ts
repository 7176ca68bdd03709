import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, maskError as defaultMaskError, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { AppServices, GraphQLContext } from './context.js';
import { toAppError } from './errors.js';
import type { HealthReport } from './health.js';
import type { Logger } from './logger.js';
import { schema } from './schema/index.js';

export interface HttpServerOptions {
  services: AppServices;
  logger: Logger;
  graphiql: boolean;
  health(): Promise<HealthReport>;
}

export interface HttpServer {
  server: Server;
  yoga: YogaServerInstance<Record<string, unknown>, GraphQLContext>;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';

type EnvelopedRoot = { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };

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

  const wsServer = new WebSocketServer({ server, path: GRAPHQL_PATH });
  const wsCleanup = useServer<Record<string, unknown>>(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const { schema: envelopedSchema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const args = {
          schema: envelopedSchema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wsServer,
  );

  return {
    server,
    yoga,
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
