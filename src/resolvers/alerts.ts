import { z } from 'zod';
import { requireScope, Scopes } from '../auth/index.js';
import { SCOPE_EXTENSION } from '../auth/access.js';
import { ChannelInputError, describeChannel, type ChannelInput } from '../alerts/channels.js';
import { MAX_DIGEST_SYMBOLS, nextSlot, validateSchedule, type DigestSchedule } from '../alerts/digest.js';
import type { AlertRule, RuleFields } from '../alerts/rule-store.js';
import { validateConditions } from '../alerts/rules.js';
import type { AlertEventType } from '../alerts/types.js';
import type { GraphQLContext } from '../context.js';
import { AppError, badInput, ErrorCodes } from '../errors.js';
import { slidingWindow } from '../pubsub.js';
import { builder } from '../schema/builder.js';
import {
  AlertChannelRef,
  AlertChannelTypeEnum,
  AlertConditionsRef,
  AlertDeliveryRef,
  AlertDirectionEnum,
  AlertEventConnectionRef,
  AlertEventEdgeRef,
  AlertEventPageInfoRef,
  AlertEventRef,
  AlertEventTypeEnum,
  AlertFactorRef,
  AlertRuleInputRef,
  AlertRulePayloadRef,
  AlertRuleRef,
  AlertSeverityEnum,
  DigestScheduleRef,
  DigestSectionEnum,
} from '../schema/refs-alerts.js';
import { ConfirmationQualityEnum } from '../schema/refs-confirmation.js';
import { EmergencyLevelEnum } from '../schema/refs-emergency.js';
import { DataOriginEnum } from '../schema/enums.js';

function alerts(ctx: GraphQLContext) {
  requireScope(ctx, Scopes.ALERTS);
  if (!ctx.services.alerts) throw new AppError(ErrorCodes.NOT_READY, 'Alerts are not available on this instance yet.');
  return ctx.services.alerts;
}

// --- Types ---

AlertChannelRef.implement({
  description: 'A channel as listings show it: its kind and a target without secrets.',
  fields: (t) => ({
    type: t.field({ type: AlertChannelTypeEnum, description: 'The kind of channel.', resolve: (c) => c.type as never }),
    target: t.exposeString('target', { description: 'Where it goes, secrets left out (a webhook host, a Telegram chat id).' }),
  }),
});

AlertConditionsRef.implement({
  description: 'The conditions of a rule (only those its event takes are set).',
  fields: (t) => ({
    minSeverity: t.int({ nullable: true, description: 'Lowest cascade severity.', resolve: (c) => c.minSeverity ?? null }),
    minAbsZ: t.float({ nullable: true, description: 'Lowest absolute funding z-score.', resolve: (c) => c.minAbsZ ?? null }),
    minComposite: t.float({ nullable: true, description: 'Lowest confirmation composite.', resolve: (c) => c.minComposite ?? null }),
    minQuality: t.field({ type: ConfirmationQualityEnum, nullable: true, description: 'Lowest confirmation quality.', resolve: (c) => c.minQuality ?? null }),
    price: t.float({ nullable: true, description: 'Price level.', resolve: (c) => c.price ?? null }),
    direction: t.field({ type: AlertDirectionEnum, nullable: true, description: 'Which way.', resolve: (c) => c.direction ?? null }),
    minNotional: t.float({ nullable: true, description: 'Lowest trade notional in USD.', resolve: (c) => c.minNotional ?? null }),
    minAgreement: t.int({ nullable: true, description: 'Lowest number of agreeing timeframes.', resolve: (c) => c.minAgreement ?? null }),
    minLevel: t.field({ type: EmergencyLevelEnum, nullable: true, description: 'Lowest emergency level.', resolve: (c) => c.minLevel ?? null }),
  }),
});

DigestScheduleRef.implement({
  description: 'The schedule of a DIGEST rule.',
  fields: (t) => ({
    cron: t.exposeString('cron', { description: 'The cron expression.' }),
    timezone: t.exposeString('timezone', { description: 'The IANA time zone it is read in.' }),
    sections: t.field({ type: [DigestSectionEnum], description: 'Sections of the card, in order.', resolve: (s) => s.sections }),
    nextRunAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'The next slot (wall clock); null when the expression has no further run.',
      resolve: (s, _args, ctx) => {
        try {
          return nextSlot(s, ctx.services.alerts?.now() ?? Date.now());
        } catch {
          return null;
        }
      },
    }),
  }),
});

AlertRuleRef.implement({
  description: 'An alert rule. Channel secrets are never shown.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable identifier.' }),
    name: t.exposeString('name', { nullable: true, description: 'The label given at creation.' }),
    event: t.field({ type: AlertEventTypeEnum, description: 'What the rule listens to.', resolve: (r) => r.event as never }),
    symbols: t.exposeStringList('symbols', { description: 'Symbols watched; empty means all.' }),
    conditions: t.field({ type: AlertConditionsRef, description: 'The typed conditions.', resolve: (r) => r.conditions }),
    cooldownMs: t.exposeInt('cooldownMs', { description: 'Least milliseconds between two alerts of the rule for one symbol.' }),
    schedule: t.field({ type: DigestScheduleRef, nullable: true, description: 'The schedule of a DIGEST rule; null for an event rule.', resolve: (r) => r.schedule }),
    channels: t.field({ type: [AlertChannelRef], description: 'Where it sends, without secrets.', resolve: (r) => r.channels.map(describeChannel) }),
    createdAt: t.field({ type: 'DateTime', description: 'When the rule was created.', resolve: (r) => r.createdAt }),
    updatedAt: t.field({ type: 'DateTime', description: 'When the rule was last changed.', resolve: (r) => r.updatedAt }),
  }),
});

AlertRulePayloadRef.implement({
  description: 'A rule just created or changed, with the signing secrets of its webhook channels shown this once.',
  fields: (t) => ({
    rule: t.field({ type: AlertRuleRef, description: 'The stored rule.', resolve: (p) => p.rule }),
    signingSecrets: t.field({
      type: ['String'],
      nullable: { list: false, items: true },
      description: 'Per channel, in order: the HMAC signing secret of a WEBHOOK channel (store it now, it is not shown again), null for other channels.',
      resolve: (p) => p.signingSecrets,
    }),
  }),
});

AlertFactorRef.implement({
  description: 'One line of explanation of an alert: an analysis factor or a measured value.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'What it is.' }),
    value: t.exposeString('value', { description: 'Its value, formatted.' }),
    note: t.string({ nullable: true, description: 'A remark, when there is one.', resolve: (f) => f.note ?? null }),
  }),
});

AlertDeliveryRef.implement({
  description: 'The delivery of one alert on one channel (the outbox row).',
  fields: (t) => ({
    channelIndex: t.exposeInt('channelIndex', { description: 'Index of the channel in the rule.' }),
    channelType: t.field({ type: AlertChannelTypeEnum, description: 'The kind of channel.', resolve: (d) => d.channelType as never }),
    status: t.exposeString('status', { description: 'PENDING, DELIVERING, DELIVERED or DEAD (gave up).' }),
    attempts: t.exposeInt('attempts', { description: 'Attempts made so far.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Error of the last failed attempt, secrets removed.' }),
    lastStatusCode: t.exposeInt('lastStatusCode', { nullable: true, description: 'HTTP status of the last attempt; null when no answer came.' }),
    deliveredAt: t.field({ type: 'DateTime', nullable: true, description: 'When the receiver accepted it.', resolve: (d) => d.deliveredAt }),
  }),
});

AlertEventRef.implement({
  description: 'One firing of a rule (or a test), as sent.',
  fields: (t) => ({
    id: t.id({ description: 'Stable identifier.', resolve: (e) => e.message.eventId }),
    idempotencyKey: t.string({ description: 'Rule plus triggering record: the same firing has the same key on every instance (header X-Perpgraph-Idempotency-Key).', resolve: (e) => e.message.idempotencyKey }),
    ruleId: t.id({ description: 'The rule that fired.', resolve: (e) => e.message.ruleId }),
    event: t.field({ type: AlertEventTypeEnum, description: 'What fired.', resolve: (e) => e.message.event as never }),
    symbol: t.string({ nullable: true, description: 'The symbol it is about.', resolve: (e) => e.message.symbol }),
    severity: t.field({ type: AlertSeverityEnum, description: 'How urgent.', resolve: (e) => e.message.severity }),
    title: t.string({ description: 'The headline.', resolve: (e) => e.message.title }),
    summary: t.string({ description: 'One or two sentences of context.', resolve: (e) => e.message.summary }),
    factors: t.field({ type: [AlertFactorRef], description: 'The factors of the analysis behind it.', resolve: (e) => e.message.factors }),
    source: t.field({ type: DataOriginEnum, description: 'Where the data came from (a SIMULATED alert says so in the first line of every message).', resolve: (e) => e.message.meta.source }),
    venue: t.string({ description: 'The venue of the data.', resolve: (e) => e.message.meta.venue }),
    asOf: t.field({ type: 'DateTime', description: 'Market time of the triggering input.', resolve: (e) => e.message.meta.asOf }),
    firedAt: t.field({ type: 'DateTime', description: 'When the rule fired.', resolve: (e) => e.message.firedAt }),
    test: t.boolean({ description: 'True for a message sent by testAlertRule.', resolve: (e) => e.message.test }),
    deliveries: t.field({ type: [AlertDeliveryRef], nullable: true, description: 'Delivery per channel; null on the live stream (read alertEvents for the outcome).', resolve: (e) => e.deliveries }),
  }),
});

AlertEventEdgeRef.implement({
  description: 'One alert event and its cursor.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as after to read older events.' }),
    node: t.field({ type: AlertEventRef, description: 'The event.', resolve: (e) => e.node }),
  }),
});
AlertEventPageInfoRef.implement({
  description: 'Relay-style paging of alertEvents.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'True when older events exist in the same bounds.' }),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Cursor of the last edge; null on an empty page.' }),
  }),
});
AlertEventConnectionRef.implement({
  description: 'A page of alert events, newest first.',
  fields: (t) => ({
    edges: t.field({ type: [AlertEventEdgeRef], description: 'Events of this page.', resolve: (c) => c.edges }),
    pageInfo: t.field({ type: AlertEventPageInfoRef, description: 'Whether more pages follow.', resolve: (c) => c.pageInfo }),
  }),
});

// --- Input checks (after the scope check, so a caller without the scope learns nothing of its input) ---

const ruleInput = z.object({
  name: z.string().trim().min(1).max(100, 'name must be at most 100 characters').nullish(),
  symbols: z.array(z.string()).max(200).nullish(),
  cooldownMs: z.number().int().min(0, 'cooldownMs must be >= 0').max(7 * 86_400_000, 'cooldownMs is at most 7 days').nullish(),
  channels: z.array(z.any()).min(1, 'channels: give at least one channel').max(5, 'channels: at most 5'),
});

interface RuleInputArg {
  name?: string | null;
  event: string;
  symbols?: string[] | null;
  conditions?: Record<string, unknown> | null;
  cooldownMs?: number | null;
  schedule?: { cron: string; timezone?: string | null; sections: string[] } | null;
  channels: ChannelInput[];
}

function checkRule(ctx: GraphQLContext, input: RuleInputArg): { fields: RuleFields; signingSecrets: Array<string | null> } {
  const services = alerts(ctx);
  const parsed = ruleInput.safeParse(input);
  if (!parsed.success) throw badInput(parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
  const symbols = [...new Set((input.symbols ?? []).map((s) => s.trim().toUpperCase()))];
  const unknown = symbols.filter((s) => !ctx.services.hasSymbol(s));
  if (unknown.length > 0) throw badInput(`symbols: ${unknown.join(', ')} not configured (configured: ${ctx.services.symbols().map((s) => s.symbol).join(', ')})`);
  let conditions: ReturnType<typeof validateConditions>;
  let schedule: DigestSchedule | null = null;
  if (input.event === 'DIGEST') {
    if (!input.schedule) throw badInput('schedule is required for a DIGEST rule (cron, timezone, sections)');
    const given = Object.entries(input.conditions ?? {}).filter(([, v]) => v !== null && v !== undefined);
    if (given.length > 0) throw badInput(`conditions do not apply to DIGEST (given: ${given.map(([k]) => k).join(', ')})`);
    if ((input.cooldownMs ?? 0) !== 0) throw badInput('cooldownMs does not apply to DIGEST: the schedule says when it sends');
    if (symbols.length > MAX_DIGEST_SYMBOLS) throw badInput(`symbols: a digest lists at most ${MAX_DIGEST_SYMBOLS} symbols, got ${symbols.length}`);
    const checked = validateSchedule(input.schedule, { now: services.now(), minPeriodMs: services.digestMinPeriodMs });
    if (!checked.ok) throw badInput(checked.problems.join('; '));
    schedule = checked.schedule;
    conditions = { ok: true, conditions: {} };
  } else {
    if (input.schedule) throw badInput(`schedule applies to DIGEST rules only, not ${input.event}`);
    conditions = validateConditions(input.event as AlertEventType, input.conditions ?? {});
    if (!conditions.ok) throw badInput(conditions.problems.join('; '));
  }
  const sealed = input.channels.map((c, i) => {
    try {
      return services.sealChannel(c, i);
    } catch (error) {
      if (error instanceof ChannelInputError) throw badInput(error.message);
      throw error;
    }
  });
  return {
    fields: {
      name: input.name?.trim() || null,
      event: input.event as AlertEventType,
      symbols,
      conditions: conditions.conditions,
      cooldownMs: input.cooldownMs ?? 0,
      schedule,
      channels: sealed.map((s) => s.stored),
    },
    signingSecrets: sealed.map((s) => s.signingSecret),
  };
}

const encodeCursor = (firedAt: number, id: string) => Buffer.from(`${firedAt}:${id}`, 'utf8').toString('base64url');
function decodeCursor(cursor: string): { firedAt: number; id: string } {
  const match = /^(\d{1,16}):([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badInput(`after: "${cursor}" is not a cursor of alertEvents`);
  return { firedAt: Number(match[1]), id: match[2]! };
}

async function ruleOr404(ctx: GraphQLContext, id: string): Promise<AlertRule> {
  const rule = await alerts(ctx).store.get(id);
  if (!rule) throw new AppError(ErrorCodes.NOT_FOUND, `no alert rule ${id}`);
  return rule;
}

// --- Queries ---

builder.queryField('alertRules', (t) =>
  t.field({
    type: [AlertRuleRef],
    description: 'Every alert rule, newest first, without channel secrets. Needs the ALERTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.ALERTS },
    resolve: (_root, _args, ctx) => alerts(ctx).store.list(),
  }),
);

builder.queryField('alertEvents', (t) =>
  t.field({
    type: AlertEventConnectionRef,
    description: 'Alert events (firings and tests) with their deliveries, newest first, Relay-style. Needs the ALERTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.ALERTS },
    args: {
      from: t.arg({ type: 'DateTime', description: 'Earliest firing time (inclusive).' }),
      to: t.arg({ type: 'DateTime', description: 'Latest firing time (exclusive).' }),
      ruleId: t.arg.id({ description: 'Only the events of this rule.' }),
      first: t.arg.int({ defaultValue: 50, description: 'Page size, 1 to 500.' }),
      after: t.arg.string({ description: 'The endCursor of the previous page.' }),
    },
    resolve: async (_root, args, ctx) => {
      const services = alerts(ctx);
      const first = args.first ?? 50;
      if (first < 1 || first > 500) throw badInput('first: 1 to 500');
      if (args.from != null && args.to != null && args.from >= args.to) throw badInput('from must be before to');
      const page = await services.store.events({ from: args.from ?? null, to: args.to ?? null, ruleId: args.ruleId ? String(args.ruleId) : null, first, after: args.after ? decodeCursor(args.after) : null });
      const edges = page.rows.map((row) => ({ cursor: encodeCursor(row.firedAt, row.message.eventId), node: row }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },
  }),
);

// --- Mutations ---

builder.mutationField('createAlertRule', (t) =>
  t.field({
    type: AlertRulePayloadRef,
    description: 'Creates an alert rule. Webhook signing secrets are returned this once. Needs the ALERTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.ALERTS },
    args: { input: t.arg({ type: AlertRuleInputRef, required: true, description: 'The rule.' }) },
    resolve: async (_root, args, ctx) => {
      const { fields, signingSecrets } = checkRule(ctx, args.input as RuleInputArg);
      const services = alerts(ctx);
      const rule = await services.store.create(fields);
      await services.changed();
      return { rule, signingSecrets };
    },
  }),
);

builder.mutationField('updateAlertRule', (t) =>
  t.field({
    type: AlertRulePayloadRef,
    description: 'Replaces a rule (channels are given again; webhook channels get new signing secrets, returned this once). Needs the ALERTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.ALERTS },
    args: { id: t.arg.id({ required: true, description: 'The rule to change.' }), input: t.arg({ type: AlertRuleInputRef, required: true, description: 'The new rule.' }) },
    resolve: async (_root, args, ctx) => {
      const { fields, signingSecrets } = checkRule(ctx, args.input as RuleInputArg);
      const services = alerts(ctx);
      const rule = await services.store.update(String(args.id), fields);
      if (!rule) throw new AppError(ErrorCodes.NOT_FOUND, `no alert rule ${String(args.id)}`);
      await services.changed();
      return { rule, signingSecrets };
    },
  }),
);

builder.mutationField('deleteAlertRule', (t) =>
  t.boolean({
    description: 'Deletes a rule; its past events stay in alertEvents. True when it existed. Needs the ALERTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.ALERTS },
    args: { id: t.arg.id({ required: true, description: 'The rule to delete.' }) },
    resolve: async (_root, args, ctx) => {
      const services = alerts(ctx);
      const deleted = await services.store.delete(String(args.id));
      await services.changed();
      return deleted;
    },
  }),
);

builder.mutationField('testAlertRule', (t) =>
  t.field({
    type: AlertEventRef,
    description: 'Sends a test message (marked as a test in its first line) through the real channels of a rule, via the outbox; for a DIGEST, its card with the values of now. Needs the ALERTS scope.',
    extensions: { [SCOPE_EXTENSION]: Scopes.ALERTS },
    args: { id: t.arg.id({ required: true, description: 'The rule to test.' }) },
    resolve: async (_root, args, ctx) => {
      const services = alerts(ctx);
      const rule = await ruleOr404(ctx, String(args.id));
      const message = await services.test(rule);
      return { message, firedAt: message.firedAt, deliveries: null };
    },
  }),
);

// --- Subscriptions ---

builder.subscriptionField('alertFired', (t) =>
  t.field({
    type: AlertEventRef,
    description: 'Each alert event once, as it fires anywhere in the cluster, optionally for one rule or some symbols. Needs the ALERTS scope.',
    args: {
      ruleId: t.arg.id({ description: 'Only this rule.' }),
      symbols: t.arg.stringList({ description: 'Only these symbols.' }),
    },
    subscribe: (_root, args, ctx) => {
      alerts(ctx);
      const ruleId = args.ruleId ? String(args.ruleId) : null;
      const symbols = args.symbols?.map((s) => s.toUpperCase()) ?? null;
      const source = ctx.services.pubsub.subscribe('alert:fired', 'all');
      return slidingWindow(
        (async function* () {
          for await (const message of source) {
            if (ruleId && message.ruleId !== ruleId) continue;
            if (symbols && (message.symbol === null || !symbols.includes(message.symbol))) continue;
            yield message;
          }
        })(),
      );
    },
    resolve: (message) => ({ message, firedAt: message.firedAt, deliveries: null }),
  }),
);
