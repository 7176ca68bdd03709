import { describe, expect, it, vi } from 'vitest';
import type { Intent, SimulationInput } from '../../src/backtest/backtest.types.js';
import type { StrategyKind, StrategyParams } from '../../src/backtest/strategies.js';
import * as reference from '../support/indicators-reference.js';
import { loadFuturesBtc5m, recorded5mPresent } from '../support/recorded-5m.js';

/**
 * The fast path (plain-number ATR, RSI, MACD, stochastic and EMAs, src/math/indicators.ts) against the slow
 * path it replaced (the same analyzers with the trading-signals classes, tests/support/indicators-reference.ts,
 * swapped in by a module mock): on a recorded month of BTCUSDT 5 m every strategy decision at every bar, the
 * trades and the metrics are identical.
 */

type Run = { intents: Intent[]; result: ReturnType<typeof import('../../src/backtest/simulate.js').simulateBacktest> };

async function run(kind: StrategyKind, params: Partial<StrategyParams>, candles: SimulationInput['candles']): Promise<Run> {
  const { simulateBacktest } = await import('../../src/backtest/simulate.js');
  const { createStrategy } = await import('../../src/backtest/strategies.js');
  const strategy = createStrategy(kind, params);
  const intents: Intent[] = [];
  const result = simulateBacktest({
    candles,
    strategy: (view) => {
      const intent = strategy(view);
      intents.push(intent);
      return intent;
    },
    costs: { feeBps: 4, slippageBps: 2 },
    initialEquity: 10_000,
    warmUpBars: 300,
  });
  return { intents, result };
}

describe.skipIf(!recorded5mPresent())('backtest fast path = slow path on the recorded BTCUSDT 5 m', () => {
  const all = recorded5mPresent() ? loadFuturesBtc5m() : [];
  // The last 1 500 bars (≈ 5 days after the 300-bar warm-up): long enough for dozens of trades, short enough for the slow path.
  const candles = all.slice(-1_800);
  const cases: [StrategyKind, Partial<StrategyParams>][] = [
    ['CONFIRMATION', { minQuality: 'MODERATE' }],
    ['SCENARIO', {}],
  ];

  it.each(cases)('%s %o: same intent at every bar, same trades and metrics', async (kind, params) => {
    vi.resetModules();
    vi.doUnmock('../../src/math/indicators.js');
    const fast = await run(kind, params, candles);

    vi.resetModules();
    let referenceCalls = 0;
    vi.doMock('../../src/math/indicators.js', async (importOriginal) => ({
      ...(await importOriginal<typeof import('../../src/math/indicators.js')>()),
      wilderAtr: (...a: Parameters<typeof reference.wilderAtr>) => (referenceCalls++, reference.wilderAtr(...a)),
      technicalReadings: (...a: Parameters<typeof reference.technicalReadings>) => (referenceCalls++, reference.technicalReadings(...a)),
    }));
    const slow = await run(kind, params, candles);
    vi.doUnmock('../../src/math/indicators.js');

    expect(referenceCalls, 'the slow path ran on the trading-signals classes').toBeGreaterThan(1_000);
    expect(fast.intents.length, 'one decision per simulated bar but the last').toBe(1_499);
    const firstDiff = fast.intents.findIndex((x, i) => JSON.stringify(x) !== JSON.stringify(slow.intents[i]));
    expect(firstDiff, 'first bar whose decision differs').toBe(-1);
    expect(fast.result.trades, 'trades').toEqual(slow.result.trades);
    expect(fast.result.metrics, 'metrics').toEqual(slow.result.metrics);
    if (kind === 'SCENARIO' || params.minQuality === 'MODERATE') expect(fast.result.trades.length, 'the run trades (the comparison is not vacuous)').toBeGreaterThan(10);
  }, 120_000);
});
