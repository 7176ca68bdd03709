import { randomUUID } from 'node:crypto';
import type { AnalysisRecord } from '../domain/analysis.js';
import type { Logger } from '../logger.js';
import type { AppPubSub } from '../pubsub.js';
import type { Alerting } from './alerting.js';
import type { DigestScheduler } from './digest-scheduler.js';
import type { AlertRule, RuleStore } from './rule-store.js';
import { EVENT_CONDITIONS, evaluateRule, type AlertInput, type Firing, type RuleState } from './rules.js';
import type { AlertEventType, AlertMessage } from './types.js';

/**
 * Runs the rules on each fresh result (engine onResult hook) and on the market-event topics (traps,
 * volatility regime changes, large trades). Rules are indexed by the input that can fire them (analysis kind
 * or topic) and by symbol, so a result costs a map lookup when no rule listens to it. Instances evaluating
 * the same record produce the same idempotency key (rule + kind + symbol + asOf, or the event's own id), so
 * the outbox keeps one event per firing; the instance whose insert won publishes `alert:fired`.
 */
export interface AlertEvaluator {
  onResult(record: AnalysisRecord): void;
  start(symbols: readonly string[]): void;
  stop(): void;
  /** Re-reads the rules (after a change through this instance; others re-read every `reloadMs`). */
  reload(): Promise<void>;
  /** Sends a test message of `rule` through its real channels. */
  test(rule: AlertRule): Promise<AlertMessage>;
  /**
   * Counters of this instance: rule evaluations, firings it produced (past the edge and the cooldown), and
   * those whose enqueue won (the others were already in the outbox from another instance); digests alike.
   */
  stats(): { rules: number; evaluations: number; firings: number; fired: number; enqueueFailures: number; digests: { rules: number; built: number; sent: number } };
}

export function createAlertEvaluator(options: {
  store: RuleStore;
  alerting: Alerting;
  pubsub: AppPubSub['pubsub'];
  logger: Logger;
  now: () => number;
  reloadMs?: number;
  /** Runs the DIGEST rules (re-armed on every reload); without it digest rules are stored but not sent. */
  digests?: DigestScheduler;
  /**
   * The latest result of an analysis for a symbol. A rule that has not seen any result yet (just created, or
   * this instance just started) is evaluated once against it on load: the engine calls onResult only for a
   * result that changed, so a steady analysis would otherwise keep a new rule silent until it moves.
   */
  latest?: (kind: string, symbol: string) => Promise<AnalysisRecord | undefined>;
}): AlertEvaluator {
  const { store, alerting, pubsub, logger } = options;
  /** input (analysis kind or topic) → rules listening to it. */
  let byInput = new Map<string, AlertRule[]>();
  let ruleCount = 0;
  const states = new Map<string, RuleState>();
  const lastFired = new Map<string, number>();
  const stops: Array<() => void> = [];
  let reloadTimer: NodeJS.Timeout | null = null;
  let evaluations = 0;
  let firings = 0;
  let fired = 0;
  /** Firings whose outbox insert failed (each retried on a later result). */
  let enqueueFailures = 0;

  function index(rules: AlertRule[]): void {
    const next = new Map<string, AlertRule[]>();
    for (const rule of rules) {
      if (!rule.enabled) continue;
      for (const input of EVENT_CONDITIONS[rule.event]?.kinds ?? []) {
        const list = next.get(input) ?? [];
        list.push(rule);
        next.set(input, list);
      }
    }
    byInput = next;
    ruleCount = rules.length;
    options.digests?.update(rules);
    const live = new Set(rules.map((r) => r.id));
    for (const key of states.keys()) if (!live.has(key.slice(0, key.indexOf('|')))) states.delete(key);
  }

  let trackedSymbols: readonly string[] = [];

  async function reload(): Promise<void> {
    const rules = await store.list();
    index(rules);
    await evaluateUnseen(rules);
  }

  /** Evaluates rules without state for a symbol against the latest result of their analysis (see `latest`). */
  async function evaluateUnseen(rules: readonly AlertRule[]): Promise<void> {
    const { latest } = options;
    if (!latest) return;
    for (const rule of rules) {
      if (!rule.enabled) continue;
      const kinds = (EVENT_CONDITIONS[rule.event]?.kinds ?? []).filter((k) => /^[A-Z_]+$/.test(k));
      for (const symbol of rule.symbols.length > 0 ? rule.symbols : trackedSymbols) {
        if (states.has(`${rule.id}|${symbol}`)) continue;
        for (const kind of kinds) {
          const record = await latest(kind, symbol).catch(() => undefined);
          if (record && record.symbol === symbol && byInput.has(kind)) evaluate(kind, symbol, { type: 'record', record });
        }
      }
    }
  }

  function messageOf(rule: AlertRule, firing: Firing, test: boolean, idempotencyKey: string): AlertMessage {
    return {
      idempotencyKey,
      eventId: randomUUID(),
      ruleId: rule.id,
      ruleName: rule.name,
      event: rule.event,
      symbol: firing.symbol,
      severity: firing.severity,
      title: firing.title,
      summary: firing.summary,
      factors: firing.factors,
      meta: firing.meta,
      firedAt: options.now(),
      test,
    };
  }

  async function emit(rule: AlertRule, message: AlertMessage): Promise<boolean> {
    const { inserted } = await alerting.outbox.enqueue({ message, channels: rule.channels });
    if (inserted) {
      fired += 1;
      pubsub.publish('alert:fired', 'all', message);
      alerting.outbox.wake();
    }
    return inserted;
  }

  function evaluate(inputKey: string, symbol: string, input: AlertInput): void {
    const rules = byInput.get(inputKey);
    if (!rules) return;
    for (const rule of rules) {
      if (rule.symbols.length > 0 && !rule.symbols.includes(symbol)) continue;
      evaluations += 1;
      const stateKey = `${rule.id}|${symbol}`;
      let state = states.get(stateKey);
      if (!state) states.set(stateKey, (state = {}));
      let firing: Firing | null;
      const before: RuleState = { ...state };
      try {
        firing = evaluateRule(rule.event, rule.conditions, input, state);
      } catch (err) {
        logger.warn({ err, rule: rule.id }, 'alert rule evaluation failed');
        continue;
      }
      if (!firing) continue;
      const now = options.now();
      const last = lastFired.get(stateKey);
      if (last !== undefined && now - last < rule.cooldownMs) continue;
      lastFired.set(stateKey, now);
      firings += 1;
      const firingState = state;
      void emit(rule, messageOf(rule, firing, false, `${rule.id}:${firing.triggerKey}`)).catch((err: unknown) => {
        // Not written, so not fired: the edge and the cooldown are undone and the next result that still meets
        // the condition fires again (a database blip must not swallow an alert; the idempotency key dedupes).
        for (const key of Object.keys(firingState)) delete (firingState as Record<string, unknown>)[key];
        Object.assign(firingState, before);
        if (lastFired.get(stateKey) === now) lastFired.delete(stateKey);
        enqueueFailures += 1;
        logger.warn({ err, rule: rule.id, symbol }, 'alert enqueue failed; it fires again on the next result that meets the condition');
      });
    }
  }

  function follow<T>(topic: 'trap:detected' | 'volatility:regime-changed' | 'trade:created', symbol: string, map: (payload: T) => AlertInput): void {
    const iterator = (pubsub.subscribe as (t: string, k: string) => AsyncIterableIterator<T>)(topic, symbol);
    let done = false;
    stops.push(() => {
      done = true;
      void iterator.return?.();
    });
    void (async () => {
      for await (const payload of iterator) {
        if (done) break;
        if (byInput.has(topic)) evaluate(topic, symbol, map(payload));
      }
    })().catch((err: unknown) => logger.warn({ err, topic }, 'alert topic subscription ended'));
  }

  return {
    onResult(record) {
      if (byInput.has(record.kind)) evaluate(record.kind, record.symbol, { type: 'record', record });
    },
    start(symbols) {
      trackedSymbols = [...symbols];
      void reload().catch((err: unknown) => logger.warn({ err }, 'alert rules could not be read; retrying'));
      reloadTimer = setInterval(() => void reload().catch(() => undefined), options.reloadMs ?? 5_000);
      reloadTimer.unref();
      for (const symbol of symbols) {
        follow('trap:detected', symbol, (trap: never) => ({ type: 'trap', symbol, trap }));
        follow('volatility:regime-changed', symbol, (change: never) => ({ type: 'volatility', symbol, change }));
        follow('trade:created', symbol, (trade: never) => ({ type: 'trade', symbol, trade }));
      }
    },
    stop() {
      if (reloadTimer) clearInterval(reloadTimer);
      options.digests?.stop();
      for (const stop of stops.splice(0)) stop();
    },
    reload,
    async test(rule) {
      // A digest's test is its card now, through the same path, marked as a test.
      if (rule.event === 'DIGEST' && rule.schedule && options.digests) return options.digests.sendNow(rule, { test: true });
      const firing: Firing = {
        triggerKey: `TEST:${randomUUID()}`,
        symbol: rule.symbols[0] ?? 'BTCUSDT',
        severity: 'INFO',
        title: `Test of rule ${rule.name ?? rule.id} (${rule.event})`,
        summary: 'This is a test message sent by testAlertRule through the real channel path. It is not a market event.',
        factors: [{ name: 'event', value: rule.event }, { name: 'conditions', value: JSON.stringify(rule.conditions) }],
        meta: { source: 'LIVE', venue: 'perpgraph', asOf: options.now() },
      };
      const message = messageOf(rule, firing, true, `${rule.id}:${firing.triggerKey}`);
      await emit(rule, message);
      return message;
    },
    stats: () => ({ rules: ruleCount, evaluations, firings, fired, enqueueFailures, digests: options.digests?.stats() ?? { rules: 0, built: 0, sent: 0 } }),
  };
}

export type { AlertEventType };
