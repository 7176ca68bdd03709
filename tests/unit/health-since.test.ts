import { describe, expect, it } from 'vitest';
import { createStateClock } from '../../src/health.js';

describe('health state clock (since when a component is in its current state)', () => {
  it('keeps the time of the first observation of a state until the state changes', () => {
    const clock = createStateClock();
    expect(clock.observe('database', 'OK', 1_000), 'first sample starts the clock').toBe(1_000);
    expect(clock.observe('database', 'OK', 6_000), 'same state: unchanged').toBe(1_000);
    expect(clock.observe('database', 'DOWN', 11_000), 'a change restarts it').toBe(11_000);
    expect(clock.observe('database', 'DOWN', 16_000)).toBe(11_000);
    expect(clock.observe('database', 'OK', 21_000)).toBe(21_000);
  });

  it('keeps one clock per component', () => {
    const clock = createStateClock();
    clock.observe('venue:binance', 'OK', 1_000);
    expect(clock.observe('venue:deribit', 'DEGRADED', 2_000)).toBe(2_000);
    expect(clock.observe('venue:binance', 'OK', 3_000)).toBe(1_000);
  });
});
