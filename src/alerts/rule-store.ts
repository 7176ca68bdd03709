import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../db/database.js';
import type { DigestSchedule } from './digest.js';
import type { AlertConditions } from './rules.js';
import type { AlertEventType, AlertMessage, StoredChannel } from './types.js';

/** Alert rules and their event history in SQL (tables of migration 20261204233000_alerts). */

export interface AlertRule {
  id: string;
  name: string | null;
  event: AlertEventType;
  symbols: string[];
  conditions: AlertConditions;
  cooldownMs: number;
  /** A DIGEST rule's schedule (column `schedule` holds the cron, `digest` the time zone and sections); null otherwise. */
  schedule: DigestSchedule | null;
  channels: StoredChannel[];
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface AlertDeliveryView {
  channelIndex: number;
  channelType: string;
  status: string;
  attempts: number;
  lastError: string | null;
  lastStatusCode: number | null;
  deliveredAt: number | null;
}

export interface AlertEventRow {
  message: AlertMessage;
  firedAt: number;
  deliveries: AlertDeliveryView[];
}

export type RuleFields = Pick<AlertRule, 'name' | 'event' | 'symbols' | 'conditions' | 'cooldownMs' | 'schedule' | 'channels'>;

interface RuleRow {
  id: string;
  name: string | null;
  event: string;
  symbols: string[] | null;
  conditions: AlertConditions | string;
  cooldown_ms: number;
  schedule: string | null;
  digest: { timezone: string; sections: DigestSchedule['sections'] } | string | null;
  channels: StoredChannel[] | string;
  enabled: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
const ms = (v: Date | string) => new Date(v).getTime();

function scheduleOf(r: RuleRow): DigestSchedule | null {
  if (r.schedule === null) return null;
  const digest = r.digest === null ? null : json(r.digest);
  return { cron: r.schedule, timezone: digest?.timezone ?? 'UTC', sections: digest?.sections ?? [] };
}

const digestColumn = (schedule: DigestSchedule | null) => (schedule ? JSON.stringify({ timezone: schedule.timezone, sections: schedule.sections }) : null);

function toRule(r: RuleRow): AlertRule {
  return {
    id: r.id,
    name: r.name,
    event: r.event as AlertEventType,
    symbols: r.symbols ?? [],
    conditions: json(r.conditions),
    cooldownMs: r.cooldown_ms,
    schedule: scheduleOf(r),
    channels: json(r.channels),
    enabled: r.enabled,
    createdAt: ms(r.created_at),
    updatedAt: ms(r.updated_at),
  };
}

const COLUMNS = 'id, name, event, symbols, conditions, cooldown_ms, schedule, digest, channels, enabled, created_at, updated_at';

export function createRuleStore(sql: SqlExecutor) {
  return {
    async create(fields: RuleFields): Promise<AlertRule> {
      const { rows } = await sql.query<RuleRow>(
        `INSERT INTO alert_rule (id, name, event, symbols, conditions, cooldown_ms, channels, schedule, digest) VALUES ($1, $2, $3, $4::text[], $5::jsonb, $6, $7::jsonb, $8, $9::jsonb) RETURNING ${COLUMNS}`,
        [randomUUID(), fields.name, fields.event, fields.symbols, JSON.stringify(fields.conditions), fields.cooldownMs, JSON.stringify(fields.channels), fields.schedule?.cron ?? null, digestColumn(fields.schedule)],
      );
      return toRule(rows[0]!);
    },
    async update(id: string, fields: RuleFields): Promise<AlertRule | null> {
      const { rows } = await sql.query<RuleRow>(
        `UPDATE alert_rule SET name = $2, event = $3, symbols = $4::text[], conditions = $5::jsonb, cooldown_ms = $6, channels = $7::jsonb, schedule = $8, digest = $9::jsonb, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, fields.name, fields.event, fields.symbols, JSON.stringify(fields.conditions), fields.cooldownMs, JSON.stringify(fields.channels), fields.schedule?.cron ?? null, digestColumn(fields.schedule)],
      );
      return rows[0] ? toRule(rows[0]) : null;
    },
    async delete(id: string): Promise<boolean> {
      return (await sql.query('DELETE FROM alert_rule WHERE id = $1', [id])).affectedRows > 0;
    },
    async get(id: string): Promise<AlertRule | null> {
      const { rows } = await sql.query<RuleRow>(`SELECT ${COLUMNS} FROM alert_rule WHERE id = $1`, [id]);
      return rows[0] ? toRule(rows[0]) : null;
    },
    async list(): Promise<AlertRule[]> {
      return (await sql.query<RuleRow>(`SELECT ${COLUMNS} FROM alert_rule ORDER BY created_at DESC, id`)).rows.map(toRule);
    },
    /** Newest first, keyset (fired_at, id) below `after`. */
    async events(q: { from?: number | null; to?: number | null; ruleId?: string | null; first: number; after?: { firedAt: number; id: string } | null }): Promise<{ rows: AlertEventRow[]; hasNextPage: boolean }> {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, value: unknown) => {
        params.push(value);
        where.push(clause.replace('?', `$${params.length}`));
      };
      if (q.from != null) add('e.fired_at >= ?::timestamptz', new Date(q.from).toISOString());
      if (q.to != null) add('e.fired_at < ?::timestamptz', new Date(q.to).toISOString());
      if (q.ruleId) add('e.rule_id = ?', q.ruleId);
      if (q.after) {
        params.push(new Date(q.after.firedAt).toISOString(), q.after.id);
        where.push(`(e.fired_at, e.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
      }
      params.push(q.first + 1);
      const { rows } = await sql.query<{ id: string; message: AlertMessage | string; fired_at: Date | string; deliveries: AlertDeliveryView[] | string | null }>(
        `SELECT e.id, e.message, e.fired_at,
           (SELECT json_agg(json_build_object('channelIndex', d.channel_index, 'channelType', d.channel_type, 'status', d.status, 'attempts', d.attempts,
                    'lastError', d.last_error, 'lastStatusCode', d.last_status_code, 'deliveredAt', (extract(epoch FROM d.delivered_at) * 1000)::bigint) ORDER BY d.channel_index)
            FROM alert_delivery d WHERE d.event_id = e.id) AS deliveries
         FROM alert_event e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY e.fired_at DESC, e.id DESC LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, q.first).map((r) => ({
        message: json(r.message),
        firedAt: ms(r.fired_at),
        deliveries: (json(r.deliveries ?? '[]') ?? []).map((d) => ({ ...d, deliveredAt: d.deliveredAt === null ? null : Number(d.deliveredAt) })),
      }));
      return { rows: page, hasNextPage: rows.length > q.first };
    },
  };
}

export type RuleStore = ReturnType<typeof createRuleStore>;
