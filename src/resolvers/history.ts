import { z } from 'zod';
import { builder } from '../schema/builder.js';
import { AnalysisKindEnum, DataOriginEnum } from '../schema/enums.js';
import { AnalysisSnapshotRef } from '../schema/refs.js';
import { badInput } from '../errors.js';
import { requireAnalysisKey } from './shared.js';
import type { DataOrigin } from '../domain/market.js';

export const MAX_SNAPSHOT_LIMIT = 1000;

AnalysisSnapshotRef.implement({
  description: 'A persisted analysis result. `payload` holds the analyzer output at full precision (the typed fields round prices to the tick size).',
  fields: (t) => ({
    kind: t.field({ description: 'Which analysis the payload is.', type: AnalysisKindEnum, resolve: (s) => s.kind as never }),
    symbol: t.exposeString('symbol', { description: 'Symbol (or market-wide key) the snapshot belongs to, e.g. BTCUSDT.' }),
    asOf: t.field({ description: 'Time of the newest market input the stored result is based on.', type: 'DateTime', resolve: (s) => s.asOf }),
    methodologyVersion: t.exposeString('methodologyVersion', { description: 'Methodology version of the analyzer that produced the payload.' }),
    source: t.field({ description: 'Where the inputs came from (LIVE, SIMULATED or REPLAY).', type: DataOriginEnum, resolve: (s) => s.source as DataOrigin }),
    venue: t.exposeString('venue', { description: 'Venue the inputs came from.' }),
    payload: t.field({ description: 'The analysis result as the analyzer produced it: same field names and units as the typed analysis field, at full precision (prices not rounded to the tick size).', type: 'JSON', resolve: (s) => s.payload }),
  }),
});

// --- Queries ---

builder.queryField('snapshots', (t) =>
  t.field({
    type: [AnalysisSnapshotRef],
    deprecationReason: 'Use analysisHistory: typed results per kind, paged by cursor. snapshots stays for compatibility.',
    // Nullable like the analysis fields: a database outage nulls this field with a coded error on its path
    // (UPSTREAM_UNAVAILABLE), not the whole response.
    nullable: true,
    description: `History of one analysis for one symbol, newest first. limit: 1..${MAX_SNAPSHOT_LIMIT}, default 100. Null with a coded error on its path when the history cannot be read (UPSTREAM_UNAVAILABLE while the database is down; BAD_USER_INPUT for invalid arguments), so the rest of the response survives.`,
    args: {
      kind: t.arg({ description: 'Which analysis.', type: AnalysisKindEnum, required: true }),
      symbol: t.arg.string({ description: 'Symbol (or market-wide key) of the snapshots, e.g. BTCUSDT.', required: true }),
      from: t.arg({ description: 'Earliest asOf included; default: no lower bound.', type: 'DateTime' }),
      to: t.arg({ description: 'Latest asOf included; default: no upper bound.', type: 'DateTime' }),
      limit: t.arg.int({
        description: 'Maximum snapshots returned (newest first), 1..1000; default 100.',
        validate: z
          .number()
          .int()
          .min(1, 'limit must be at least 1')
          .max(MAX_SNAPSHOT_LIMIT, `limit must be at most ${MAX_SNAPSHOT_LIMIT}`)
          .nullish(),
      }),
    },
    resolve: async (_root, args, ctx) => {
      const symbol = requireAnalysisKey(ctx, args.kind, args.symbol);
      const from = args.from ?? undefined;
      const to = args.to ?? undefined;
      if (from !== undefined && to !== undefined && from > to) {
        throw badInput(`from (${new Date(from).toISOString()}) must not be after to (${new Date(to).toISOString()})`);
      }
      return ctx.services.snapshots.query({ kind: args.kind, symbol, from, to, limit: args.limit ?? 100 });
    },
  }),
);
