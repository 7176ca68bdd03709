import { describe, expect, it } from 'vitest';
import { evaluateRule, validateConditions, type RuleState } from '../../src/alerts/rules.js';
import type { AnalysisRecord } from '../../src/domain/analysis.js';

const rec = (kind: string, result: object, asOf = 1_000): AnalysisRecord => ({ kind: kind as never, symbol: 'BTCUSDT', result, asOf, computedAt: asOf, methodologyVersion: 'x/1', source: 'SIMULATED', venue: 'sim' });

describe('alert rule conditions', () => {
  it('accept only the fields of their event, with required ones and ranges', () => {
    expect(validateConditions('CASCADE_DETECTED', { minSeverity: 4 })).toEqual({ ok: true, conditions: { minSeverity: 4 } });
    expect(validateConditions('CASCADE_DETECTED', { minSeverity: 6 })).toEqual({ ok: false, problems: ['conditions.minSeverity: minSeverity is 1..5'] });
    expect(validateConditions('FUNDING_ANOMALY', { minSeverity: 3 })).toEqual({ ok: false, problems: ['conditions.minSeverity does not apply to FUNDING_ANOMALY (it takes minAbsZ)'] });
    expect(validateConditions('PRICE_LEVEL_CROSSED', {})).toEqual({ ok: false, problems: ['conditions.price is required for PRICE_LEVEL_CROSSED'] });
    expect(validateConditions('CONFIRMATION_THRESHOLD', { minComposite: 75, minQuality: 'GOOD', minLevel: null })).toEqual({ ok: true, conditions: { minComposite: 75, minQuality: 'GOOD' } });
  });
});

describe('alert rule evaluation', () => {
  it('fires on the rising edge of a threshold only', () => {
    const state: RuleState = {};
    const funding = (z: number, asOf: number) => rec('FUNDING', { symbol: 'BTCUSDT', zScore: z, rate: -0.00012, annualizedRate: -0.13, fundingIntervalHours: 8, sampleSize: 90, signal: 'X', factors: [] }, asOf);
    expect(evaluateRule('FUNDING_ANOMALY', { minAbsZ: 3 }, { type: 'record', record: funding(-2.9, 1) }, state)).toBeNull();
    const fired = evaluateRule('FUNDING_ANOMALY', { minAbsZ: 3 }, { type: 'record', record: funding(-3.6, 2) }, state);
    expect(fired?.triggerKey).toBe('FUNDING:BTCUSDT:2');
    expect(fired?.title).toBe('BTCUSDT funding anomaly: z = -3.60 (rate -0.0120%)');
    expect(fired?.severity, '3.6 < 1.5 × 3').toBe('WARNING');
    expect(evaluateRule('FUNDING_ANOMALY', { minAbsZ: 3 }, { type: 'record', record: funding(-4, 3) }, state), 'still true: no repeat').toBeNull();
    expect(evaluateRule('FUNDING_ANOMALY', { minAbsZ: 3 }, { type: 'record', record: funding(1, 4) }, state)).toBeNull();
    expect(evaluateRule('FUNDING_ANOMALY', { minAbsZ: 3 }, { type: 'record', record: funding(4.5, 5) }, state)?.severity, '4.5 ≥ 4.5').toBe('CRITICAL');
  });

  it('emergency: fires when the level rises to minLevel, not on the first result or a fall', () => {
    const state: RuleState = {};
    const em = (level: string, asOf: number) => rec('EMERGENCY', { symbol: 'BTCUSDT', level, triggers: [{ type: 'FLASH_CRASH', level }], factors: [] }, asOf);
    expect(evaluateRule('EMERGENCY_LEVEL_CHANGED', {}, { type: 'record', record: em('ELEVATED', 1) }, state), 'first result only marks').toBeNull();
    expect(evaluateRule('EMERGENCY_LEVEL_CHANGED', {}, { type: 'record', record: em('NORMAL', 2) }, state)).toBeNull();
    expect(evaluateRule('EMERGENCY_LEVEL_CHANGED', { minLevel: 'EMERGENCY' }, { type: 'record', record: em('ELEVATED', 3) }, state), 'below minLevel').toBeNull();
    const up = evaluateRule('EMERGENCY_LEVEL_CHANGED', { minLevel: 'EMERGENCY' }, { type: 'record', record: em('EMERGENCY', 4) }, state);
    expect(up?.title).toBe('BTCUSDT emergency level ELEVATED → EMERGENCY');
    expect(up?.severity).toBe('CRITICAL');
  });

  it('price level: fires on a cross in the asked direction, keyed by the trade', () => {
    const state: RuleState = {};
    const trade = (id: number, price: number) => ({ type: 'trade' as const, symbol: 'BTCUSDT', trade: { id, price, qty: 1, notional: price, time: id, isBuyerMaker: false, meta: { source: 'LIVE' as const, venue: 'v', asOf: id } } as never });
    expect(evaluateRule('PRICE_LEVEL_CROSSED', { price: 100, direction: 'UP' }, trade(1, 99), state)).toBeNull();
    expect(evaluateRule('PRICE_LEVEL_CROSSED', { price: 100, direction: 'UP' }, trade(2, 101), state)?.triggerKey).toBe('PRICE:BTCUSDT:100:2');
    expect(evaluateRule('PRICE_LEVEL_CROSSED', { price: 100, direction: 'UP' }, trade(3, 98), state), 'downward cross, UP asked').toBeNull();
    expect(evaluateRule('PRICE_LEVEL_CROSSED', { price: 100 }, trade(4, 100.5), state)?.title).toBe('BTCUSDT crossed 100 upwards (100.5)');
  });
});
