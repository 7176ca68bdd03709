import { z } from 'zod';
import { upcomingMacroEvents } from '../analyzers/macro-events.js';
import { builder } from '../schema/builder.js';
import { MacroEventImportanceEnum, MacroEventRef } from '../schema/refs-macro.js';
import { SessionsAnalysisRef } from '../schema/refs-sessions.js';

const MAX_EVENTS = 50;
const limitArg = z.number().int().min(1, 'limit must be at least 1').max(MAX_EVENTS, `limit must be at most ${MAX_EVENTS}`);

MacroEventRef.implement({
  description: 'A scheduled macro release or decision (CPI, FOMC statement, ...) and the time to it (README Macro).',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'Short kind, e.g. CPI or FOMC.' }),
    title: t.exposeString('title', { description: 'What is released, e.g. CPI (November 2026).' }),
    time: t.field({ type: 'DateTime', description: 'Release time (UTC).', resolve: (e) => e.time }),
    inMs: t.exposeFloat('inMs', { description: 'Milliseconds from the evaluation time to the release.' }),
    importance: t.field({ type: MacroEventImportanceEnum, description: 'LOW, MEDIUM or HIGH.', resolve: (e) => e.importance }),
    source: t.exposeString('source', { description: 'Where the date comes from (publisher page, or MACRO_EVENTS_URL).' }),
    confirmed: t.exposeBoolean('confirmed', { description: 'False when the date comes from secondary calendars and was not checked against the publisher.' }),
  }),
});

// --- Sessions: the next macro events ---

builder.objectField(SessionsAnalysisRef, 'macroEvents', (t) =>
  t.field({
    type: [MacroEventRef],
    description: 'The next scheduled macro events (within 45 days) after the evaluation time, soonest first, with the time to each.',
    args: { limit: t.arg.int({ required: true, defaultValue: 5, validate: limitArg, description: `Most events, 1..${MAX_EVENTS}; default 5.` }) },
    resolve: (a, args, ctx) => upcomingMacroEvents(ctx.services.macro?.events() ?? [], a.now, { limit: args.limit }),
  }),
);

// --- Queries ---

builder.queryField('macroEvents', (t) =>
  t.field({
    type: [MacroEventRef],
    description: 'Scheduled macro events from now on (the default calendar merged with MACRO_EVENTS_URL), soonest first.',
    args: {
      limit: t.arg.int({ required: true, defaultValue: 10, validate: limitArg, description: `Most events, 1..${MAX_EVENTS}; default 10.` }),
      minImportance: t.arg({ type: MacroEventImportanceEnum, required: true, defaultValue: 'LOW', description: 'Only events at least this important (default LOW: all).' }),
    },
    resolve: (_root, args, ctx) => {
      const rank = { LOW: 0, MEDIUM: 1, HIGH: 2 } as const;
      const events = (ctx.services.macro?.events() ?? []).filter((e) => rank[e.importance] >= rank[args.minImportance]);
      return upcomingMacroEvents(events, ctx.services.now(), { limit: args.limit, horizonMs: Number.POSITIVE_INFINITY });
    },
  }),
);
