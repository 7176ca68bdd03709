import { AnalysisKindEnum, DataOriginEnum } from '../schema/enums.js';
import { AnalysisMetaRef, AnalysisUpdateRef, FactorRef } from '../schema/refs.js';
import { builder } from '../schema/builder.js';
import { analysisKey, slidingWindow } from '../pubsub.js';
import { metaOf, requireAnalysisKey } from './shared.js';
import type { AnalysisRecord } from '../domain/analysis.js';

AnalysisMetaRef.implement({
  description: 'Provenance and freshness of an analysis.',
  fields: (t) => ({
    source: t.field({ type: DataOriginEnum, resolve: (m) => m.source }),
    venue: t.exposeString('venue'),
    asOf: t.field({ type: 'DateTime', description: 'Time of the newest market input used.', resolve: (m) => m.asOf }),
    ageMs: t.exposeFloat('ageMs', { description: 'Milliseconds between asOf and the time this field was resolved.' }),
    stale: t.exposeBoolean('stale', {
      description: 'True when the newest input is older than it should be (STALE_AFTER_MS for streamed inputs).',
    }),
    methodologyVersion: t.exposeString('methodologyVersion'),
  }),
});

FactorRef.implement({
  description: 'One reason behind a score: contribution = weight × normalised value.',
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.exposeFloat('value'),
    weight: t.exposeFloat('weight'),
    contribution: t.exposeFloat('contribution'),
    note: t.exposeString('note'),
  }),
});

AnalysisUpdateRef.implement({
  description: 'A freshly computed analysis result, any kind, as untyped JSON plus typed meta.',
  fields: (t) => ({
    kind: t.field({ type: AnalysisKindEnum, resolve: (r) => r.kind }),
    symbol: t.exposeString('symbol'),
    asOf: t.field({ type: 'DateTime', resolve: (r) => r.asOf }),
    meta: t.field({ type: AnalysisMetaRef, resolve: (r, _args, ctx) => metaOf(ctx, r) }),
    payload: t.field({ type: 'JSON', resolve: (r) => r.result }),
  }),
});

// --- Subscriptions ---

builder.subscriptionField('analysisUpdated', (t) =>
  t.field({
    type: AnalysisUpdateRef,
    description: 'Every recomputation of one analysis for one symbol (at most one per ANALYSIS_MIN_INTERVAL_MS).',
    args: {
      kind: t.arg({ type: AnalysisKindEnum, required: true }),
      symbol: t.arg.string({ required: true }),
    },
    subscribe: (_root, args, ctx) => {
      const symbol = requireAnalysisKey(ctx, args.kind, args.symbol);
      return slidingWindow(ctx.services.pubsub.subscribe('analysis:updated', analysisKey(args.kind, symbol)));
    },
    resolve: (record: AnalysisRecord) => record,
  }),
);
