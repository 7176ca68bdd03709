import { describe, expect, it } from 'vitest';
import { createAlertEvaluator } from '../../src/alerts/evaluator.js';
import type { AlertRule, RuleStore } from '../../src/alerts/rule-store.js';
import type { Alerting } from '../../src/alerts/alerting.js';
import type { AnalysisRecord } from '../../src/domain/analysis.js';
import { createLogger } from '../../src/logger.js';

/**
 * A firing whose outbox insert fails is not a firing: the rising edge and the cooldown are undone, so the
 * next result that still meets the condition fires again (a database blip does not swallow an alert).
 */
describe('alert evaluator when the outbox insert fails', () => {
  it('fires again on the next qualifying result after a failed enqueue, and counts the failure', async () => {
    const rule: AlertRule = {
      id: 'r1', name: 'blip', event: 'CONFIRMATION_THRESHOLD', symbols: ['BTCUSDT'], conditions: { minComposite: 60 }, cooldownMs: 600_000,
      schedule: null, channels: [], enabled: true, createdAt: 0, updatedAt: 0,
    };
    const inserted: string[] = [];
    let failNext = true;
    const alerting = {
      outbox: {
        enqueue: async ({ message }: { message: { idempotencyKey: string } }) => {
          if (failNext) {
            failNext = false;
            throw new Error('connection timeout');
          }
          inserted.push(message.idempotencyKey);
          return { inserted: true };
        },
        wake: () => {},
      },
    } as unknown as Alerting;
    const published: unknown[] = [];
    const pubsub = { publish: (...args: unknown[]) => void published.push(args), subscribe: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => {}) }), return: async () => ({}) }) };
    const evaluator = createAlertEvaluator({
      store: { list: async () => [rule] } as unknown as RuleStore,
      alerting,
      pubsub: pubsub as never,
      logger: createLogger('silent'),
      now: () => 1_000,
    });
    await evaluator.reload();
    const record = (asOf: number, score: number) =>
      ({ kind: 'CONFIRMATION', symbol: 'BTCUSDT', asOf, computedAt: asOf, source: 'SIMULATED', venue: 'simulated', methodologyVersion: '1', result: { symbol: 'BTCUSDT', score, quality: 'GOOD', signal: 'BULLISH', strength: 'STRONG', coverage: 1, layers: [], factors: [] } }) as unknown as AnalysisRecord;
    evaluator.onResult(record(1, 70));
    await new Promise((r) => setTimeout(r, 10));
    expect(inserted, 'the first insert failed').toEqual([]);
    evaluator.onResult(record(2, 71));
    await new Promise((r) => setTimeout(r, 10));
    expect(inserted).toEqual(['r1:CONFIRMATION:BTCUSDT:2']);
    expect(evaluator.stats()).toMatchObject({ firings: 2, fired: 1, enqueueFailures: 1 });
    // Now fired for real: the condition staying true does not fire again (edge and cooldown hold).
    evaluator.onResult(record(3, 72));
    await new Promise((r) => setTimeout(r, 10));
    expect(inserted).toHaveLength(1);
    evaluator.stop();
  });

  it('evaluates a rule that has seen no result against the latest one on load (a steady analysis is never republished)', async () => {
    const rule: AlertRule = {
      id: 'r2', name: 'steady', event: 'CONFIRMATION_THRESHOLD', symbols: ['ETHUSDT'], conditions: { minComposite: 60 }, cooldownMs: 0,
      schedule: null, channels: [], enabled: true, createdAt: 0, updatedAt: 0,
    };
    const inserted: string[] = [];
    const alerting = { outbox: { enqueue: async ({ message }: { message: { idempotencyKey: string } }) => (inserted.push(message.idempotencyKey), { inserted: true }), wake: () => {} } } as unknown as Alerting;
    const pubsub = { publish: () => {}, subscribe: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => {}) }), return: async () => ({}) }) };
    const steady = { kind: 'CONFIRMATION', symbol: 'ETHUSDT', asOf: 5, computedAt: 5, source: 'SIMULATED', venue: 'simulated', methodologyVersion: '1', result: { symbol: 'ETHUSDT', score: 80, quality: 'GOOD', signal: 'BULLISH', strength: 'STRONG', coverage: 1, layers: [], factors: [] } } as unknown as AnalysisRecord;
    const asked: string[] = [];
    const evaluator = createAlertEvaluator({
      store: { list: async () => [rule] } as unknown as RuleStore,
      alerting,
      pubsub: pubsub as never,
      logger: createLogger('silent'),
      now: () => 1_000,
      latest: async (kind, symbol) => (asked.push(`${kind}:${symbol}`), kind === 'CONFIRMATION' && symbol === 'ETHUSDT' ? steady : undefined),
    });
    await evaluator.reload();
    await new Promise((r) => setTimeout(r, 10));
    expect(asked).toEqual(['CONFIRMATION:ETHUSDT']);
    expect(inserted).toEqual(['r2:CONFIRMATION:ETHUSDT:5']);
    // Seen now: a second load does not evaluate it again.
    await evaluator.reload();
    expect(asked).toHaveLength(1);
    evaluator.stop();
  });
});
