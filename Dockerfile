# perpgraph server image. Not built or run on the development machines (they have no Docker engine);
# see README "Deployment".
#
#   docker build -t perpgraph .
#   docker run --rm -p 4000:4000 -e MARKET_SOURCE=simulated perpgraph

# --- build: full install (its postinstall generates the Prisma client and bundles src/ into dist/),
#     then the dev dependencies are dropped ---
FROM node:20-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: the built tree with production dependencies only, as the non-root user `node` ---
FROM node:20-slim
# NODE_ENV=production: the production profile (GraphiQL, introspection and field suggestions off unless
# GRAPHIQL / INTROSPECTION_ENABLED / FIELD_SUGGESTIONS_ENABLED are set; README "Deployment"). The dashboard
# at / is unaffected (it sends only its own typed documents). API keys: `npm run apikey -- …` runs from dist/.
# MALLOC_MMAP_THRESHOLD_: glibc tuned as scripts/start.sh does without jemalloc (large blocks returned on free).
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data \
    LOG_FORMAT=json \
    MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 4000
# Liveness: /health answers 200 as soon as the HTTP server listens (readiness is /ready).
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# dist/main.js directly, not `npm start` (whose rebuild-when-stale check would need the pruned dev tools); same V8 heap flags as scripts/start.sh.
CMD ["node", "--heap-growing-percent=30", "--max-semi-space-size=4", "dist/main.js"]
