import { randomUUID } from 'node:crypto';
import type { AnalysisKind } from '../domain/analysis.js';
import type { DataOrigin } from '../domain/market.js';
import type { Logger } from '../logger.js';
import type { AppPubSub } from '../pubsub.js';
import type { Alerting } from './alerting.js';
import { buildDigestCard, digestKey, digestSource, digestText, DIGEST_SOURCES, latestSlot, MARKET_WIDE_KEY, MAX_DIGEST_SYMBOLS, nextSlot, type DigestRead } from './digest.js';
import type { AlertRule } from './rule-store.js';
import type { AlertMessage } from './types.js';

/**
 * Runs the digest rules: one timer per rule to its next cron slot (croner computes the slots; the timers
 * are ours so that a slot is a fixed instant every instance agrees on). At a slot the card is built from
 * the latest records and enqueued with the idempotency key rule + slot, so any number of instances
 * produce one event (and one delivery per channel) per slot.
 *
 * Missed slots: when a rule is first armed (process start, or the rule created or changed) and its latest
 * slot passed after the rule was last saved, that one slot is sent at once, marked late; earlier missed slots
 * are not replayed. If another instance already sent it, the outbox key makes this a no-op.
 */
export interface DigestScheduler {
  /** (Re)arms the timers for these rules (the evaluator calls it on every rule reload). */
  update(rules: readonly AlertRule[]): void;
  /** Builds and sends the card of `rule` now (testAlertRule: marked as a test, its own key). */
  sendNow(rule: AlertRule, options: { test: boolean }): Promise<AlertMessage>;
  stop(): void;
  /** Armed rules, cards built for a slot by this instance, and those whose enqueue won. */
  stats(): { rules: number; built: number; sent: number };
}

export interface DigestSchedulerOptions {
  alerting: Pick<Alerting, 'outbox'>;
  pubsub: AppPubSub['pubsub'];
  logger: Logger;
  /** Wall-clock time: slots are instants people chose, whatever clock the market runs on. */
  now(): number;
  /** The record of (kind, key) as the GraphQL query serves it, or why there is none. */
  read(kind: AnalysisKind, key: string): Promise<DigestRead>;
  /** Symbols a rule without symbols covers (the configured ones, first MAX_DIGEST_SYMBOLS). */
  symbols(): readonly string[];
  /** Provenance when no record could be read at all (the instance's source). */
  origin(): DataOrigin;
  staleAfterMs: number;
  /** A slot sent later than this after its time is marked late. Default 10 s. */
  lateAfterMs?: number;
}

/** Node's timers hold at most 2^31 − 1 ms (about 24.8 days); longer waits re-arm on waking. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface Armed {
  rule: AlertRule;
  timer: NodeJS.Timeout | null;
  next: number | null;
}

export function createDigestScheduler(options: DigestSchedulerOptions): DigestScheduler {
  const { logger } = options;
  const lateAfterMs = options.lateAfterMs ?? 10_000;
  const armed = new Map<string, Armed>();
  let stopped = false;
  let sent = 0;
  let built = 0;

  async function build(rule: AlertRule, slot: number, late: boolean, test: boolean): Promise<AlertMessage> {
    const schedule = rule.schedule!;
    const symbols = (rule.symbols.length > 0 ? rule.symbols : options.symbols()).slice(0, MAX_DIGEST_SYMBOLS);
    const reads = new Map<string, DigestRead>();
    const wanted: Array<[AnalysisKind, string]> = [];
    for (const section of schedule.sections) {
      const { kind, marketWide } = DIGEST_SOURCES[section];
      if (marketWide) wanted.push([kind, MARKET_WIDE_KEY]);
      else for (const symbol of symbols) wanted.push([kind, symbol]);
    }
    await Promise.all(
      wanted.map(async ([kind, key]) => {
        try {
          reads.set(`${kind}|${key}`, await options.read(kind, key));
        } catch (error) {
          reads.set(`${kind}|${key}`, { missing: `could not be read: ${error instanceof Error ? error.message : String(error)}` });
        }
      }),
    );
    const now = options.now();
    const card = buildDigestCard({ schedule, symbols, slot, late, now, staleAfterMs: options.staleAfterMs, read: (kind, key) => reads.get(`${kind}|${key}`)! });
    const text = digestText(card, rule.name);
    return {
      idempotencyKey: test ? `${rule.id}:TEST:${randomUUID()}` : digestKey(rule.id, slot),
      eventId: randomUUID(),
      ruleId: rule.id,
      ruleName: rule.name,
      event: 'DIGEST',
      symbol: symbols.length === 1 ? symbols[0]! : null,
      severity: 'INFO',
      ...text,
      meta: digestSource(card, options.origin()),
      firedAt: now,
      test,
      digest: card,
    };
  }

  async function emit(message: AlertMessage, rule: AlertRule): Promise<boolean> {
    const { inserted } = await options.alerting.outbox.enqueue({ message, channels: rule.channels });
    if (inserted) {
      sent += 1;
      options.pubsub.publish('alert:fired', 'all', message);
      options.alerting.outbox.wake();
    }
    return inserted;
  }

  async function send(rule: AlertRule, slot: number, late: boolean): Promise<void> {
    try {
      const message = await build(rule, slot, late, false);
      built += 1;
      const inserted = await emit(message, rule);
      logger.debug({ rule: rule.id, slot: new Date(slot).toISOString(), late, inserted }, inserted ? 'digest enqueued' : 'digest of this slot already enqueued (another instance)');
    } catch (err) {
      logger.warn({ err, rule: rule.id, slot }, 'digest could not be built or enqueued');
    }
  }

  function arm(entry: Armed, after: number): void {
    if (stopped) return;
    const schedule = entry.rule.schedule!;
    let next: number | null;
    try {
      next = nextSlot(schedule, after);
    } catch (err) {
      logger.warn({ err, rule: entry.rule.id }, 'digest schedule cannot be read; rule not armed');
      return;
    }
    entry.next = next;
    if (next === null) return;
    const wait = () => {
      const remaining = next - options.now();
      entry.timer = setTimeout(
        () => {
          if (options.now() < next) return wait(); // a wait longer than a Node timer holds, or a timer a hair early
          void send(entry.rule, next, options.now() - next > lateAfterMs);
          // A stalled process skips the slots it slept through rather than sending them in a burst.
          arm(entry, Math.max(next, options.now() - 1));
        },
        Math.min(MAX_TIMEOUT_MS, Math.max(0, remaining)),
      );
      entry.timer.unref();
    };
    wait();
  }

  function disarm(entry: Armed): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
  }

  return {
    update(rules) {
      if (stopped) return;
      const digests = rules.filter((r) => r.enabled && r.event === 'DIGEST' && r.schedule !== null);
      const live = new Set(digests.map((r) => r.id));
      for (const [id, entry] of armed) {
        if (!live.has(id)) {
          disarm(entry);
          armed.delete(id);
        }
      }
      for (const rule of digests) {
        const existing = armed.get(rule.id);
        if (existing && existing.rule.updatedAt === rule.updatedAt) continue;
        if (existing) disarm(existing);
        const entry: Armed = { rule, timer: null, next: null };
        armed.set(rule.id, entry);
        const now = options.now();
        let missed: number | null = null;
        try {
          missed = latestSlot(rule.schedule!, now);
        } catch (err) {
          logger.warn({ err, rule: rule.id }, 'digest schedule cannot be read');
        }
        // The latest slot that passed since the rule was saved, once (earlier ones are not replayed).
        if (missed !== null && missed >= rule.updatedAt) void send(rule, missed, now - missed > lateAfterMs);
        arm(entry, now);
      }
    },
    async sendNow(rule, { test }) {
      const message = await build(rule, options.now(), false, test);
      await emit(message, rule);
      return message;
    },
    stop() {
      stopped = true;
      for (const entry of armed.values()) disarm(entry);
      armed.clear();
    },
    stats: () => ({ rules: armed.size, built, sent }),
  };
}
